// Volume binding, as a default StorageClass provisioner would do it: every pending
// PersistentVolumeClaim is bound at once to a synthetic volume of the requested size.
import type { KubeObject, StoreEvent } from '../types.ts';
import { GVR, clone, keyOf, nsName, splitNsName } from './resources.ts';
import { type Clock, QueuedController } from './runtime.ts';

const NAME = 'volume-binder';

export class VolumeBinder extends QueuedController {
  constructor(clock: Clock) {
    super(NAME, clock, GVR.pvcs);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.pvcs) && e.type !== 'DELETED') this.queue.add(nsName(e.object));
  }

  protected reconcile(key: string): void {
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
