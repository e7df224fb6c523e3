// StatefulSet controller (minimal): pods `<name>-0..n-1` created in order (OrderedReady waits for
// the previous pod to be Ready), removed from the highest ordinal, replaced one at a time when the
// template changes; status counts and revisions.
import type { KubeObject, StoreEvent } from '../../types.ts';
import { GVR, clone, controllerRef, isTerminating, jsonEqual, keyOf, nsName, splitNsName } from '../resources.ts';
import { type Clock, QueuedController, logError } from '../runtime.ts';
import { type PodTemplate, createPodFromTemplate, isPodActive, isPodReady, ownedPods, templateHash } from './pod-template.ts';

const NAME = 'statefulset';
const MANAGER = 'statefulset-controller';
const REVISION_LABEL = 'controller-revision-hash';

interface StsSpec {
  replicas?: number;
  template?: PodTemplate;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
}

function ordinal(pod: KubeObject, setName: string): number {
  const m = new RegExp(`^${setName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(pod.metadata.name ?? '');
  return m ? Number(m[1]) : -1;
}

export class StatefulSetController extends QueuedController {
  constructor(clock: Clock) {
    super(NAME, clock, GVR.statefulSets);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.statefulSets)) {
      if (e.type !== 'DELETED') this.queue.add(nsName(e.object));
      return;
    }
    const ref = e.key === keyOf(GVR.pods) ? controllerRef(e.object) : undefined;
    if (ref?.kind === 'StatefulSet') this.queue.add(`${e.object.metadata.namespace ?? ''}/${ref.name}`);
  }

  protected reconcile(key: string): void {
    const [ns, name] = splitNsName(key);
    const sts = this.client.get(GVR.statefulSets, ns, name);
    if (!sts) return;
    const spec = (sts.spec ?? {}) as StsSpec;
    const replicas = spec.replicas ?? 1;
    const revision = `${name}-${templateHash(spec.template)}`;
    if (!isTerminating(sts)) {
      const pods = ownedPods(this.client, sts);
      const byOrdinal = new Map(pods.map((p) => [ordinal(p, name), p]));
      const ordered = spec.podManagementPolicy !== 'Parallel';
      // Scale down from the top, one at a time when ordered.
      const surplus = pods.filter((p) => ordinal(p, name) >= replicas && !isTerminating(p)).sort((a, b) => ordinal(b, name) - ordinal(a, name));
      for (const p of ordered ? surplus.slice(0, 1) : surplus) this.deletePod(p);
      // Outdated pods are replaced from the highest ordinal down, one at a time.
      const outdated = pods.filter((p) => ordinal(p, name) < replicas && p.metadata.labels?.[REVISION_LABEL] !== revision && !isTerminating(p));
      const busy = pods.some((p) => isTerminating(p));
      if (outdated.length && !busy && surplus.length === 0) this.deletePod(outdated.sort((a, b) => ordinal(b, name) - ordinal(a, name))[0]);
      for (let i = 0; i < replicas; i++) {
        const existing = byOrdinal.get(i);
        if (existing) {
          if (ordered && (!isPodReady(existing) || isTerminating(existing))) break;
          continue;
        }
        try {
          createPodFromTemplate(this.client, sts, spec.template, {
            name: `${name}-${i}`,
            labels: { [REVISION_LABEL]: revision, 'statefulset.kubernetes.io/pod-name': `${name}-${i}`, 'apps.kubernetes.io/pod-index': String(i) },
            spec: { hostname: `${name}-${i}`, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) },
            manager: MANAGER,
          });
        } catch (err) {
          logError(NAME, `create pod ${name}-${i}`, err);
        }
        if (ordered) break;
      }
    }
    this.writeStatus(sts, replicas, revision);
  }

  private deletePod(pod: KubeObject): void {
    try {
      this.client.delete(GVR.pods, pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      logError(NAME, `delete pod ${pod.metadata.name}`, err);
    }
  }

  private writeStatus(sts: KubeObject, replicas: number, revision: string): void {
    const latest = this.client.get(GVR.statefulSets, sts.metadata.namespace, sts.metadata.name ?? '');
    if (!latest || latest.metadata.uid !== sts.metadata.uid) return;
    const pods = ownedPods(this.client, latest).filter(isPodActive);
    const ready = pods.filter(isPodReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const allUpdated = updated === pods.length && pods.length === replicas;
    const old = (latest.status ?? {}) as Record<string, unknown>;
    const status: Record<string, unknown> = {
      observedGeneration: latest.metadata.generation ?? 1,
      replicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: allUpdated ? updated : pods.length - updated,
      updatedReplicas: updated,
      currentRevision: allUpdated ? revision : ((old.currentRevision as string | undefined) ?? revision),
      updateRevision: revision,
      collisionCount: 0,
    };
    if (ready === 0) delete status.readyReplicas;
    if (!jsonEqual(old, status)) {
      const next = clone(latest);
      next.status = status;
      this.client.update(GVR.statefulSets, latest.metadata.namespace, next, { subresource: 'status', fieldManager: MANAGER });
    }
  }
}
