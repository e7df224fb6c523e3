// The object store: one cluster-wide resourceVersion (like etcd's revision), objects per
// `<group>/<resource>` keyed by `ns/name`, and a bounded ring of committed events for watch replay.
// Stored objects are deep-frozen so no caller can mutate committed state by accident.
import type { KubeObject, StoreEvent } from '../types.ts';

export interface CommittedEvent extends StoreEvent {
  /** The object before this write (MODIFIED/DELETED), so watchers with selectors can tell in/out. */
  prev?: KubeObject;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A deep copy of a JSON-like value. Plain objects and arrays are copied in JS (several times faster
 * than structuredClone for API objects); anything else (Date, Buffer, ...) goes to structuredClone.
 * With `shareFrozen`, frozen (stored, immutable) subtrees are shared instead of copied.
 */
function copy<T>(value: T, shareFrozen: boolean): T {
  if (value === null || typeof value !== 'object' || (shareFrozen && Object.isFrozen(value))) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], shareFrozen);
    return out as T;
  }
  if (!isPlain(value)) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = copy((value as Record<string, unknown>)[k], shareFrozen);
  return out as T;
}

export function clone<T>(value: T): T {
  return copy(value, false);
}

/** clone(), except that frozen (stored, immutable) subtrees are shared instead of copied. */
export function cloneUnfrozen<T>(value: T): T {
  return copy(value, true);
}

/**
 * A deep-frozen copy that shares every already-frozen subtree: frozen values here only ever come
 * from deepFreeze (stored objects), so they are immutable all the way down and safe to share.
 */
function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = frozenCopy(value[i]);
    return Object.freeze(out) as T;
  }
  if (!isPlain(value)) return deepFreeze(structuredClone(value));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = frozenCopy((value as Record<string, unknown>)[k]);
  return Object.freeze(out) as T;
}

/** A frozen copy of `object` carrying resourceVersion `rv` (unchanged frozen parts are shared). */
function stamped(object: KubeObject, rv: number): KubeObject {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(object)) {
    const v = (object as unknown as Record<string, unknown>)[k];
    out[k] = k === 'metadata' ? frozenCopy({ ...(v as object), resourceVersion: String(rv) }) : frozenCopy(v);
  }
  return Object.freeze(out) as unknown as KubeObject;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  private revision = 0;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private ring: CommittedEvent[] = [];
  /** Events before this index of `ring` are dropped (spliced away in batches, not per write). */
  private ringHead = 0;
  /** Every event with rv <= compactedThrough has been dropped from the ring. */
  private compactedThrough = 0;
  private readonly listeners = new Set<(event: CommittedEvent) => void>();
  private readonly pending: CommittedEvent[] = [];
  private dispatching = false;

  constructor(private readonly capacity = 10_000) {}

  currentRv(): number {
    return this.revision;
  }

  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(key)?.get(objectKey(namespace, name));
  }

  /** Objects of one type, optionally in one namespace, sorted by `ns/name` (stable for pagination). */
  list(key: string, namespace?: string): Array<{ sortKey: string; object: KubeObject }> {
    const bucket = this.buckets.get(key);
    if (!bucket) return [];
    const out: Array<{ sortKey: string; object: KubeObject }> = [];
    for (const [k, object] of bucket) {
      if (namespace !== undefined && object.metadata.namespace !== namespace) continue;
      out.push({ sortKey: k, object });
    }
    out.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    return out;
  }

  count(key: string): number {
    return this.buckets.get(key)?.size ?? 0;
  }

  /** Writes (creates or replaces) an object, stamping the next resourceVersion. */
  put(key: string, object: KubeObject): KubeObject {
    const bucket = this.bucketFor(key);
    const k = objectKey(object.metadata.namespace, object.metadata.name!);
    const prev = bucket.get(k);
    const rv = ++this.revision;
    const withRv = stamped(object, rv);
    bucket.set(k, withRv);
    this.commit({ type: prev ? 'MODIFIED' : 'ADDED', key, object: withRv, rv, prev });
    return withRv;
  }

  /** Removes an object; the DELETED event carries the object with a fresh resourceVersion. */
  remove(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.buckets.get(key);
    const k = objectKey(namespace, name);
    const prev = bucket?.get(k);
    if (!bucket || !prev) return undefined;
    bucket.delete(k);
    const rv = ++this.revision;
    const object = stamped(prev, rv);
    this.commit({ type: 'DELETED', key, object, rv, prev });
    return object;
  }

  /** Drops a whole type (its CRD is gone); no events, as the CRs were deleted one by one before. */
  dropType(key: string): void {
    this.buckets.delete(key);
  }

  /** Committed events with rv > sinceRv, optionally of one type; 'expired' when history is gone. */
  eventsSince(sinceRv: number, key?: string): CommittedEvent[] | 'expired' {
    if (sinceRv < this.compactedThrough) return 'expired';
    const out: CommittedEvent[] = [];
    for (let i = this.ringHead; i < this.ring.length; i++) {
      const e = this.ring[i];
      if (e.rv > sinceRv && (key === undefined || e.key === key)) out.push(e);
    }
    return out;
  }

  /** The oldest resourceVersion a watch or continue token may still start from. */
  oldestValidRv(): number {
    return this.compactedThrough;
  }

  /** Forgets all buffered history (test hook for 410 handling, like an etcd compaction). */
  compact(): void {
    this.compactedThrough = this.revision;
    this.ring = [];
    this.ringHead = 0;
  }

  subscribe(listener: (event: CommittedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private bucketFor(key: string): Map<string, KubeObject> {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private commit(event: CommittedEvent): void {
    this.ring.push(event);
    const live = this.ring.length - this.ringHead;
    if (live > this.capacity) {
      this.ringHead += live - this.capacity;
      this.compactedThrough = this.ring[this.ringHead - 1].rv;
      // Splicing one event off a full ring per write is O(capacity); batch it.
      if (this.ringHead >= Math.max(1024, this.capacity >> 2)) {
        this.ring.splice(0, this.ringHead);
        this.ringHead = 0;
      }
    }
    // Listeners may write (controllers); queue so every listener sees events in revision order.
    this.pending.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let e = this.pending.shift(); e; e = this.pending.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(e);
          } catch {
            // A failing listener must not break the write that already committed.
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
