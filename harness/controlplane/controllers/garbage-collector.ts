// Garbage collector by ownerReferences, as kube-controller-manager's: dependents whose owners are
// all gone are deleted; `foregroundDeletion` owners wait for their blocking dependents;
// `orphan` owners release their dependents first.
import { peekObject, peekObjects, type Controller, type GroupVersionResource, type OwnerReference, type InternalClient, type KubeObject, type StoreEvent } from '../types.ts';
import { type Clock, WorkQueue, logError, safeListener } from './runtime.ts';
import { clone, hasFinalizer, isTerminating, storedTypes, withoutFinalizer } from './resources.ts';

const NAME = 'garbage-collector';
const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

interface Node {
  uid: string;
  gvr: GroupVersionResource;
  namespace?: string;
  name: string;
  /** Owner uids this object points at. */
  owners: string[];
  /** Being deleted with `foregroundDeletion`: its dependents must go first. */
  waiting: boolean;
  /** Has deletionTimestamp. */
  terminating: boolean;
}

export class GarbageCollector implements Controller {
  readonly name = NAME;
  private client!: InternalClient;
  private unsubscribe?: () => void;
  private readonly nodes = new Map<string, Node>();
  /** owner uid -> dependent uids (owners may not exist: dangling references). */
  private readonly dependents = new Map<string, Set<string>>();
  private gvrByKey = new Map<string, GroupVersionResource>();
  private dependentQueue!: WorkQueue;
  private ownerQueue!: WorkQueue;

  constructor(private readonly clock: Clock) {}

  start(client: InternalClient): void {
    this.client = client;
    this.dependentQueue = new WorkQueue(`${NAME}/dependents`, this.clock, (uid) => this.reconcileDependent(uid));
    this.ownerQueue = new WorkQueue(`${NAME}/owners`, this.clock, (uid) => this.reconcileOwner(uid));
    this.refreshTypes();
    // Seed the graph, then follow events; both are synchronous so nothing falls in between.
    for (const [key, gvr] of this.gvrByKey) {
      let items: KubeObject[] = [];
      try {
        items = peekObjects(client, gvr);
      } catch (err) {
        logError(NAME, `list ${key}`, err);
      }
      for (const obj of items) this.observe(key, obj);
    }
    for (const node of [...this.nodes.values()]) {
      const obj = this.fetch(node.uid);
      if (obj) this.enqueueIfInteresting(obj);
    }
    this.unsubscribe = client.onEvent(safeListener(NAME, (e: StoreEvent) => this.onEvent(e)));
  }

  stop(): void {
    this.unsubscribe?.();
    this.dependentQueue?.stop();
    this.ownerQueue?.stop();
  }

  private refreshTypes(): void {
    this.gvrByKey = new Map(storedTypes(this.client).map((t) => [`${t.group}/${t.resource}`, { group: t.group, version: t.version, resource: t.resource }]));
  }

  private gvrFor(key: string): GroupVersionResource | undefined {
    if (!this.gvrByKey.has(key)) this.refreshTypes();
    return this.gvrByKey.get(key);
  }

  private onEvent(e: StoreEvent): void {
    const uid = e.object.metadata.uid;
    if (!uid) return;
    if (e.type === 'DELETED') {
      const node = this.nodes.get(uid);
      this.forget(uid);
      // Dependents of the removed object may now be orphans with no live owner.
      for (const dep of this.dependents.get(uid) ?? []) this.dependentQueue.add(dep);
      // Owners waiting in foreground deletion may be unblocked.
      for (const owner of node?.owners ?? []) if (this.nodes.has(owner)) this.ownerQueue.add(owner);
      return;
    }
    if (!this.gvrFor(e.key)) return;
    const wasWaiting = this.nodes.get(uid)?.waiting;
    this.observe(e.key, e.object);
    this.enqueueIfInteresting(e.object);
    // An owner that starts waiting for its dependents wakes them (they must be deleted first).
    if (!wasWaiting && this.nodes.get(uid)?.waiting) for (const dep of this.dependents.get(uid) ?? []) this.dependentQueue.add(dep);
  }

  private observe(key: string, obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    const gvr = this.gvrFor(key);
    if (!uid || !gvr) return;
    const owners = (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
    const prev = this.nodes.get(uid);
    for (const o of prev?.owners ?? []) if (!owners.includes(o)) this.dependents.get(o)?.delete(uid);
    for (const o of owners) {
      let set = this.dependents.get(o);
      if (!set) this.dependents.set(o, (set = new Set()));
      set.add(uid);
    }
    const terminating = isTerminating(obj);
    this.nodes.set(uid, { uid, gvr, namespace: obj.metadata.namespace, name: obj.metadata.name ?? '', owners, terminating, waiting: terminating && hasFinalizer(obj, FOREGROUND) });
  }

  private forget(uid: string): void {
    const node = this.nodes.get(uid);
    if (!node) return;
    for (const o of node.owners) {
      const set = this.dependents.get(o);
      set?.delete(uid);
      if (set && set.size === 0 && !this.nodes.has(o)) this.dependents.delete(o);
    }
    this.nodes.delete(uid);
  }

  /** Cheap check on every event, from the graph alone (no reads). */
  private enqueueIfInteresting(obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    if (isTerminating(obj) && (hasFinalizer(obj, FOREGROUND) || hasFinalizer(obj, ORPHAN))) this.ownerQueue.add(uid);
    const node = this.nodes.get(uid);
    if (node && (obj.metadata.ownerReferences ?? []).some((r) => this.ownerState(node, r) !== 'solid')) this.dependentQueue.add(uid);
  }

  private fetch(uid: string): KubeObject | undefined {
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    const obj = peekObject(this.client, node.gvr, node.namespace, node.name);
    return obj && obj.metadata.uid === uid ? obj : undefined;
  }

  /** An owner reference is dangling when no object with that uid exists where it may live. */
  private ownerState(dependent: Node, ref: OwnerReference): 'solid' | 'dangling' | 'waiting' {
    const ownerUid = ref.uid;
    const owner = this.nodes.get(ownerUid);
    // Like the real GC, an owner whose kind cannot be resolved is left alone rather than presumed gone.
    if (!owner) return this.kindKnown(ref) ? 'dangling' : 'solid';
    // Namespaced owners must share the dependent's namespace; a cluster-scoped dependent cannot have one.
    if (owner.namespace && owner.namespace !== dependent.namespace) return 'dangling';
    return owner.waiting ? 'waiting' : 'solid';
  }

  private kindKnown(ref: OwnerReference): boolean {
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    return this.client.resourceTypes().some((t) => t.group === group && t.kind === ref.kind);
  }

  private reconcileDependent(uid: string): void {
    const node = this.nodes.get(uid);
    const obj = this.fetch(uid);
    if (!node || !obj) return;
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = refs.map((r) => ({ ref: r, state: this.ownerState(node, r) }));
    const solid = states.filter((s) => s.state === 'solid');
    const gone = states.filter((s) => s.state !== 'solid');
    if (gone.length === 0) return;
    if (solid.length > 0) {
      // Still owned by someone alive: only drop the references to owners that are gone or going.
      const next = clone(obj);
      next.metadata.ownerReferences = solid.map((s) => s.ref);
      this.client.update(node.gvr, node.namespace, next, { fieldManager: 'garbage-collector' });
      return;
    }
    if (isTerminating(obj)) return;
    const waiting = states.some((s) => s.state === 'waiting');
    const hasOwnDependents = (this.dependents.get(uid)?.size ?? 0) > 0;
    this.client.delete(node.gvr, node.namespace, node.name, {
      propagationPolicy: waiting && hasOwnDependents ? 'Foreground' : 'Background',
      preconditions: { uid },
    });
  }

  private reconcileOwner(uid: string): void {
    const obj = this.fetch(uid);
    const node = this.nodes.get(uid);
    if (!obj || !node || !isTerminating(obj)) return;
    const deps = [...(this.dependents.get(uid) ?? [])].map((d) => ({ node: this.nodes.get(d), obj: this.fetch(d) }));
    if (hasFinalizer(obj, ORPHAN)) {
      for (const d of deps) {
        if (!d.node || !d.obj) continue;
        const next = clone(d.obj);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        this.client.update(d.node.gvr, d.node.namespace, next, { fieldManager: 'garbage-collector' });
      }
      this.removeFinalizer(node, ORPHAN);
      return;
    }
    if (!hasFinalizer(obj, FOREGROUND)) return;
    for (const d of deps) if (d.node && d.obj) this.dependentQueue.add(d.node.uid);
    const blocking = deps.filter((d) => d.obj && (d.obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) this.removeFinalizer(node, FOREGROUND);
  }

  private removeFinalizer(node: Node, finalizer: string): void {
    const latest = peekObject(this.client, node.gvr, node.namespace, node.name);
    if (!latest || latest.metadata.uid !== node.uid || !hasFinalizer(latest, finalizer)) return;
    this.client.update(node.gvr, node.namespace, withoutFinalizer(latest, finalizer), { fieldManager: 'garbage-collector' });
  }
}
