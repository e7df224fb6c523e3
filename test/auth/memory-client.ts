// A minimal in-memory InternalClient for unit tests of the auth modules (no API semantics beyond
// uid/resourceVersion/creationTimestamp, AlreadyExists and events).
import { randomUUID } from 'node:crypto';
import { ApiError, type GroupVersionResource, type InternalClient, type KubeObject, type StoreEvent } from '../../harness/controlplane/types.ts';

export class MemoryClient implements InternalClient {
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private rv = 0;

  private key(gvr: GroupVersionResource, ns: string | undefined, name: string) {
    return `${gvr.group || 'core'}/${gvr.resource}|${ns ?? ''}|${name}`;
  }

  private emit(type: StoreEvent['type'], gvr: GroupVersionResource, object: KubeObject) {
    for (const l of this.listeners) l({ type, key: `${gvr.group || 'core'}/${gvr.resource}`, object: structuredClone(object), rv: this.rv });
  }

  get(gvr: GroupVersionResource, ns: string | undefined, name: string) {
    const o = this.objects.get(this.key(gvr, ns, name));
    return o && structuredClone(o);
  }

  list(gvr: GroupVersionResource, ns?: string) {
    const prefix = `${gvr.group || 'core'}/${gvr.resource}|`;
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (ns === undefined || o.metadata.namespace === ns))
      .map(([, o]) => structuredClone(o));
  }

  create(gvr: GroupVersionResource, ns: string | undefined, obj: KubeObject) {
    const name = obj.metadata.name!;
    const k = this.key(gvr, ns, name);
    if (this.objects.has(k)) throw new ApiError(409, 'AlreadyExists', `${gvr.resource} "${name}" already exists`);
    this.rv++;
    const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, namespace: ns, uid: randomUUID(), resourceVersion: String(this.rv), creationTimestamp: new Date().toISOString() } });
    this.objects.set(k, stored);
    this.emit('ADDED', gvr, stored);
    return structuredClone(stored);
  }

  update(gvr: GroupVersionResource, ns: string | undefined, obj: KubeObject) {
    const k = this.key(gvr, ns, obj.metadata.name!);
    const old = this.objects.get(k);
    if (!old) throw new ApiError(404, 'NotFound', `${gvr.resource} "${obj.metadata.name}" not found`);
    this.rv++;
    const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, uid: old.metadata.uid, resourceVersion: String(this.rv) } });
    this.objects.set(k, stored);
    this.emit('MODIFIED', gvr, stored);
    return structuredClone(stored);
  }

  delete(gvr: GroupVersionResource, ns: string | undefined, name: string) {
    const k = this.key(gvr, ns, name);
    const old = this.objects.get(k);
    if (!old) return undefined;
    this.objects.delete(k);
    this.rv++;
    this.emit('DELETED', gvr, old);
    return old;
  }

  onEvent(listener: (e: StoreEvent) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  resourceTypes() {
    return [];
  }
}

/** Waits for queued controller work (they batch to setImmediate). */
export const settle = async (rounds = 6) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};
