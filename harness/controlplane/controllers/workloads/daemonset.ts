// DaemonSet controller (minimal): one pod per node, and the embedded control plane has one node.
// A template change replaces the pod.
import type { KubeObject, StoreEvent } from '../../types.ts';
import { GVR, clone, controllerRef, isTerminating, jsonEqual, keyOf, nsName, splitNsName } from '../resources.ts';
import { type Clock, QueuedController, logError } from '../runtime.ts';
import { type PodTemplate, createPodFromTemplate, isPodActive, isPodReady, ownedPods, templateHash } from './pod-template.ts';

const NAME = 'daemonset';
const MANAGER = 'daemonset-controller';
const HASH_LABEL = 'controller-revision-hash';

export class DaemonSetController extends QueuedController {
  constructor(clock: Clock, private readonly nodeName: string) {
    super(NAME, clock, GVR.daemonSets);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.daemonSets)) {
      if (e.type !== 'DELETED') this.queue.add(nsName(e.object));
      return;
    }
    const ref = e.key === keyOf(GVR.pods) ? controllerRef(e.object) : undefined;
    if (ref?.kind === 'DaemonSet') this.queue.add(`${e.object.metadata.namespace ?? ''}/${ref.name}`);
  }

  protected reconcile(key: string): void {
    const [ns, name] = splitNsName(key);
    const ds = this.client.get(GVR.daemonSets, ns, name);
    if (!ds) return;
    const template = (ds.spec as { template?: PodTemplate }).template;
    const hash = templateHash(template);
    if (!isTerminating(ds)) {
      const pods = ownedPods(this.client, ds).filter(isPodActive);
      const current = pods.filter((p) => p.metadata.labels?.[HASH_LABEL] === hash);
      for (const p of pods.filter((x) => !current.includes(x)).concat(current.slice(1))) {
        try {
          this.client.delete(GVR.pods, p.metadata.namespace, p.metadata.name ?? '', { preconditions: { uid: p.metadata.uid } });
        } catch (err) {
          logError(NAME, `delete pod ${p.metadata.name}`, err);
        }
      }
      const terminating = ownedPods(this.client, ds).some((p) => isTerminating(p));
      if (current.length === 0 && !terminating) {
        try {
          createPodFromTemplate(this.client, ds, template, {
            generateName: `${name}-`,
            labels: { [HASH_LABEL]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
            spec: { nodeName: this.nodeName },
            manager: MANAGER,
          });
        } catch (err) {
          logError(NAME, `create pod for ${key}`, err);
        }
      }
    }
    this.writeStatus(ds, hash);
  }

  private writeStatus(ds: KubeObject, hash: string): void {
    const latest = this.client.get(GVR.daemonSets, ds.metadata.namespace, ds.metadata.name ?? '');
    if (!latest || latest.metadata.uid !== ds.metadata.uid) return;
    const pods = ownedPods(this.client, latest).filter(isPodActive);
    const ready = pods.filter(isPodReady).length;
    const status: Record<string, unknown> = {
      observedGeneration: latest.metadata.generation ?? 1,
      desiredNumberScheduled: 1,
      currentNumberScheduled: Math.min(1, pods.length),
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, 1 - ready),
      updatedNumberScheduled: pods.filter((p) => p.metadata.labels?.[HASH_LABEL] === hash).length,
    };
    for (const k of ['numberAvailable', 'numberUnavailable', 'updatedNumberScheduled']) if (status[k] === 0) delete status[k];
    if (!jsonEqual(latest.status, status)) {
      const next = clone(latest);
      next.status = status;
      this.client.update(GVR.daemonSets, latest.metadata.namespace, next, { subresource: 'status', fieldManager: MANAGER });
    }
  }
}
