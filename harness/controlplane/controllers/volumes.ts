// Volume binding, as a default StorageClass provisioner would do it: every pending
// PersistentVolumeClaim is bound at once to a synthetic volume of the requested size.
import type { Controller, InternalClient, KubeObject, StoreEvent } from '../types.ts';
import { GVR, clone, keyOf, nsName, splitNsName } from './resources.ts';
import { type Clock, WorkQueue, safeListener } from './runtime.ts';

const NAME = 'volume-binder';

export class VolumeBinder implements Controller {
  readonly name = NAME;
  private client!: InternalClient;
  private queue!: WorkQueue;
  private unsubscribe?: () => void;

  constructor(private readonly clock: Clock) {}

  start(client: InternalClient): void {
    this.client = client;
    this.queue = new WorkQueue(NAME, this.clock, (key) => this.reconcile(key));
    this.unsubscribe = client.onEvent(safeListener(NAME, (e: StoreEvent) => {
      if (e.key === keyOf(GVR.pvcs) && e.type !== 'DELETED') this.queue.add(nsName(e.object));
    }));
    for (const pvc of client.list(GVR.pvcs)) this.queue.add(nsName(pvc));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  private reconcile(key: string): void {
    const [ns, name] = splitNsName(key);
    let pvc = this.client.get(GVR.pvcs, ns, name);
    if (!pvc || pvc.metadata.deletionTimestamp) return;
    const spec = (pvc.spec ?? {}) as { volumeName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } };
    if (!spec.volumeName) {
      const next = clone(pvc);
      next.spec = { ...spec, volumeName: `pvc-${pvc.metadata.uid}` };
      next.metadata.annotations = { ...(pvc.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
      pvc = this.client.update(GVR.pvcs, ns, next, { fieldManager: 'persistent-volume-binder' });
    }
    const status = (pvc.status ?? {}) as { phase?: string };
    if (status.phase === 'Bound') return;
    const next: KubeObject = clone(pvc);
    next.status = { phase: 'Bound', accessModes: spec.accessModes ?? ['ReadWriteOnce'], capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' } };
    this.client.update(GVR.pvcs, ns, next, { subresource: 'status', fieldManager: 'persistent-volume-binder' });
  }
}
