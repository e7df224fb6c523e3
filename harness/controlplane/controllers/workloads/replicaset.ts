// ReplicaSet controller: keeps `spec.replicas` active pods from the template and reports
// replicas / fullyLabeled / ready / available in status.
import type { KubeObject, StoreEvent } from '../../types.ts';
import { matchesSelector, selectorToString, type LabelSelectorObject } from '../label-selector.ts';
import { GVR, clone, controllerRef, isTerminating, keyOf, nsName, splitNsName, updateStatusIfChanged } from '../resources.ts';
import { type Clock, QueuedController, logError } from '../runtime.ts';
import { type PodTemplate, createPodFromTemplate, isPodActive, isPodReady, ownedPods } from './pod-template.ts';

const NAME = 'replicaset';
/** Pods created or deleted per reconcile; the rest follow on the next pass. */
const BURST = 500;

interface RsSpec {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplate;
  minReadySeconds?: number;
}

export class ReplicaSetController extends QueuedController {
  constructor(clock: Clock) {
    super(NAME, clock, GVR.replicaSets);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.replicaSets)) {
      if (e.type !== 'DELETED') this.queue.add(nsName(e.object));
      return;
    }
    if (e.key !== keyOf(GVR.pods)) return;
    const ref = controllerRef(e.object);
    if (ref?.kind === 'ReplicaSet') this.queue.add(`${e.object.metadata.namespace ?? ''}/${ref.name}`);
    else if (!ref && e.type !== 'DELETED' && e.object.metadata.labels) {
      // An orphan pod may match a ReplicaSet that will adopt it.
      for (const rs of this.client.list(GVR.replicaSets, e.object.metadata.namespace)) {
        if (matchesSelector((rs.spec as RsSpec).selector, e.object.metadata.labels)) this.queue.add(nsName(rs));
      }
    }
  }

  protected reconcile(key: string): void {
    const [ns, name] = splitNsName(key);
    const rs = this.client.get(GVR.replicaSets, ns, name);
    if (!rs) return;
    const spec = (rs.spec ?? {}) as RsSpec;
    if (!isTerminating(rs)) {
      this.adoptOrphans(rs, spec);
      const active = this.pods(rs, spec).filter(isPodActive);
      const desired = spec.replicas ?? 1;
      if (active.length < desired) this.createPods(rs, spec, Math.min(desired - active.length, BURST));
      else if (active.length > desired) this.deletePods(active, active.length - desired);
    }
    this.writeStatus(rs, spec);
  }

  /** Pods controlled by the ReplicaSet, listed through its selector to keep large namespaces cheap. */
  private pods(rs: KubeObject, spec: RsSpec): KubeObject[] {
    const selector = selectorToString(spec.selector);
    if (!selector) return ownedPods(this.client, rs);
    return this.client.list(GVR.pods, rs.metadata.namespace, selector).filter((p) => controllerRef(p)?.uid === rs.metadata.uid);
  }

  private adoptOrphans(rs: KubeObject, spec: RsSpec): void {
    if (!spec.selector || Object.keys(spec.selector).length === 0) return;
    for (const pod of this.client.list(GVR.pods, rs.metadata.namespace, selectorToString(spec.selector))) {
      if (controllerRef(pod) || isTerminating(pod) || !isPodActive(pod)) continue;
      if (!matchesSelector(spec.selector, pod.metadata.labels)) continue;
      const next = clone(pod);
      next.metadata.ownerReferences = [...(pod.metadata.ownerReferences ?? []), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }];
      try {
        this.client.update(GVR.pods, pod.metadata.namespace, next, { fieldManager: 'replicaset-controller' });
      } catch (err) {
        logError(NAME, `adopt pod ${pod.metadata.name}`, err);
      }
    }
  }

  private createPods(rs: KubeObject, spec: RsSpec, count: number): void {
    for (let i = 0; i < count; i++) {
      try {
        createPodFromTemplate(this.client, rs, spec.template, { generateName: `${rs.metadata.name}-`, manager: 'replicaset-controller' });
      } catch (err) {
        // E.g. 403 in a terminating namespace or quota: stop this burst, the next event retries.
        logError(NAME, `create pod for ${nsName(rs)}`, err);
        return;
      }
    }
  }

  /** Scale-down victims as the real controller ranks them: unscheduled, pending, not ready, newest first. */
  private deletePods(active: KubeObject[], count: number): void {
    const rank = (p: KubeObject) => {
      const nodeName = (p.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!nodeName) return 0;
      if ((p.status as { phase?: string } | undefined)?.phase !== 'Running') return 1;
      return isPodReady(p) ? 3 : 2;
    };
    const victims = [...active].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')).slice(0, Math.min(count, BURST));
    for (const p of victims) {
      try {
        this.client.delete(GVR.pods, p.metadata.namespace, p.metadata.name ?? '', { preconditions: { uid: p.metadata.uid } });
      } catch (err) {
        logError(NAME, `delete pod ${p.metadata.name}`, err);
      }
    }
  }

  private writeStatus(rs: KubeObject, spec: RsSpec): void {
    const latest = this.client.get(GVR.replicaSets, rs.metadata.namespace, rs.metadata.name ?? '');
    if (!latest || latest.metadata.uid !== rs.metadata.uid) return;
    const active = this.pods(latest, spec).filter(isPodActive);
    const templateLabels = spec.template?.metadata?.labels ?? {};
    const ready = active.filter(isPodReady);
    const old = (latest.status ?? {}) as Record<string, unknown>;
    const status: Record<string, unknown> = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: ready.length,
      availableReplicas: ready.length,
      observedGeneration: latest.metadata.generation ?? 1,
    };
    if (old.conditions) status.conditions = old.conditions;
    // Zero counts are omitted on the wire, as the real API does.
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
    updateStatusIfChanged(this.client, GVR.replicaSets, latest, status, 'replicaset-controller');
  }
}
