// Resource coordinates and small object helpers shared by the controllers.
import type { GroupVersionResource, InternalClient, KubeObject, OwnerReference, ResourceType } from '../types.ts';
import { clone } from '../storage/store.ts';

// The store's JSON clone (plain objects/arrays in JS; structuredClone only for anything else).
export { clone };

export const GVR = {
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  services: { group: '', version: 'v1', resource: 'services' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  pvcs: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments' },
  replicaSets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  statefulSets: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  daemonSets: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  controllerRevisions: { group: 'apps', version: 'v1', resource: 'controllerrevisions' },
  jobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  crds: { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' },
} satisfies Record<string, GroupVersionResource>;

/** `<group>/<resource>`, the key StoreEvent uses. */
export function keyOf(gvr: { group: string; resource: string }): string {
  return `${gvr.group}/${gvr.resource}`;
}

export function nsName(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function splitNsName(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  const ns = key.slice(0, i);
  return [ns || undefined, key.slice(i + 1)];
}

export function isTerminating(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp);
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

export function withoutFinalizer(obj: KubeObject, finalizer: string): KubeObject {
  const copy = clone(obj);
  copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return copy;
}

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerRef(obj)?.uid === owner.metadata.uid;
}

export function ownerRefTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}


/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
}

/**
 * Returns `conditions` with `next` set, keeping the old lastTransitionTime when the status did not
 * change (so rewriting the same condition is a no-op and does not wake watchers).
 */
export function setCondition(conditions: Condition[] | undefined, next: Condition, now: string, opts: { updateTime?: boolean } = {}): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const sameStatus = old?.status === next.status;
  // Rewriting an unchanged condition keeps every old timestamp, so it is not a write at all.
  if (old && sameStatus && old.reason === next.reason && old.message === next.message) return list;
  const merged: Condition = {
    ...next,
    lastTransitionTime: sameStatus && old?.lastTransitionTime ? old.lastTransitionTime : now,
  };
  if (opts.updateTime) {
    const unchanged = old && sameStatus && old.reason === next.reason && old.message === next.message;
    merged.lastUpdateTime = unchanged && old.lastUpdateTime ? old.lastUpdateTime : now;
  }
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export function getCondition(obj: KubeObject, type: string): Condition | undefined {
  const status = obj.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

/** Kubernetes timestamps have second precision (RFC 3339, `Z`). */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function findType(client: InternalClient, key: string): ResourceType | undefined {
  return client.resourceTypes().find((t) => keyOf(t) === key);
}

/** Stored (non-virtual) types that support list and delete, one entry per group/resource. */
export function storedTypes(client: InternalClient): ResourceType[] {
  const seen = new Map<string, ResourceType>();
  for (const t of client.resourceTypes()) {
    if (t.virtual || !t.verbs.includes('list') || !t.verbs.includes('delete')) continue;
    const k = keyOf(t);
    const prev = seen.get(k);
    // Prefer the storage version for CRDs, otherwise the first (preferred) version listed.
    if (!prev || (t.storageVersion && t.storageVersion === t.version && prev.version !== t.version)) seen.set(k, t);
  }
  return [...seen.values()];
}

/** Writes status through the status subresource only when it changed. Returns the stored object. */
export function updateStatusIfChanged(client: InternalClient, gvr: GroupVersionResource, obj: KubeObject, status: unknown, manager: string): KubeObject {
  if (jsonEqual(obj.status, status)) return obj;
  const next = clone(obj);
  next.status = status;
  return client.update(gvr, obj.metadata.namespace, next, { subresource: 'status', fieldManager: manager });
}
