// What the patch algorithms need to know of an object's shape: how each list merges (SSA
// `x-kubernetes-list-type` / strategic-merge `patchMergeKey`+`patchStrategy`) and which objects are
// atomic. Built-in kinds use a small table written from the public Kubernetes API definitions
// (k8s.io/api struct tags); custom resources use the CRD schema through `listTypeAt`.
//
// Paths are field names from the object root, list items skipped: a container's env list is
// ['spec', 'template', 'spec', 'containers', 'env'] in a Deployment.

export type ListType = 'atomic' | 'set' | 'map';

export interface ListInfo {
  /** Server-side apply list type. */
  type: ListType;
  /** `x-kubernetes-list-map-keys` for type map. */
  keys?: string[];
  /** Key values assumed when an item omits them (kube defaults `protocol` to TCP). */
  keyDefaults?: Record<string, unknown>;
  /** Strategic merge: the merge key of a list of objects (patchStrategy merge). */
  smpMergeKey?: string;
  /** Strategic merge: a list of primitives merged as a union (patchStrategy merge), e.g. finalizers. */
  smpMergePrimitives?: boolean;
}

/** Supplied for custom resources (from the CRD's structural schema). */
export type ListTypeLookup = (path: string[]) => { type: ListType; keys?: string[]; keyDefaults?: Record<string, unknown> } | undefined;

export interface ObjectSchema {
  /** How the list at `path` merges; undefined means unknown (atomic for apply, replace for SMP). */
  list(path: string[]): ListInfo | undefined;
  /** True when the object at `path` is replaced as a whole (`structType`/`mapType` atomic). */
  atomicObject(path: string[]): boolean;
}

const byName = (): ListInfo => ({ type: 'map', keys: ['name'], smpMergeKey: 'name' });
const TCP = { protocol: 'TCP' };

/** Lists inside a container (containers, initContainers, ephemeralContainers). */
const CONTAINER_LISTS: Record<string, ListInfo> = {
  env: byName(),
  ports: { type: 'map', keys: ['containerPort', 'protocol'], keyDefaults: TCP, smpMergeKey: 'containerPort' },
  volumeMounts: { type: 'map', keys: ['mountPath'], smpMergeKey: 'mountPath' },
  volumeDevices: { type: 'map', keys: ['devicePath'], smpMergeKey: 'devicePath' },
  'resources.claims': { type: 'map', keys: ['name'] },
};

/** Lists directly inside a PodSpec. */
const POD_SPEC_LISTS: Record<string, ListInfo> = {
  containers: byName(),
  initContainers: byName(),
  ephemeralContainers: byName(),
  volumes: byName(),
  imagePullSecrets: byName(),
  hostAliases: { type: 'map', keys: ['ip'], smpMergeKey: 'ip' },
  topologySpreadConstraints: { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'], smpMergeKey: 'topologyKey' },
  schedulingGates: byName(),
  resourceClaims: byName(),
};

const CONTAINER_FIELDS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Where a PodSpec sits in each workload kind. */
const POD_SPEC_ROOTS: Record<string, string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Other lists of built-in kinds, by kind then dotted path. */
const KIND_LISTS: Record<string, Record<string, ListInfo>> = {
  Service: {
    'spec.ports': { type: 'map', keys: ['port', 'protocol'], keyDefaults: TCP, smpMergeKey: 'port' },
  },
  ServiceAccount: { secrets: byName() },
  Node: {
    'status.addresses': { type: 'map', keys: ['type'], smpMergeKey: 'type' },
  },
  Pod: {
    'status.podIPs': { type: 'map', keys: ['ip'], smpMergeKey: 'ip' },
  },
};

/** Atomic objects (LabelSelector is `structType=atomic`; Service and node selectors `mapType=atomic`). */
const KIND_ATOMIC_OBJECTS: Record<string, string[]> = {
  Deployment: ['spec.selector'],
  ReplicaSet: ['spec.selector'],
  StatefulSet: ['spec.selector'],
  DaemonSet: ['spec.selector'],
  Job: ['spec.selector'],
  CronJob: ['spec.jobTemplate.spec.selector'],
  PodDisruptionBudget: ['spec.selector'],
  Service: ['spec.selector'],
};

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/** ObjectMeta lists, wherever an ObjectMeta appears (the object's own or a pod template's). */
function metadataList(path: string[]): ListInfo | undefined {
  const n = path.length;
  if (n < 2 || path[n - 2] !== 'metadata') return undefined;
  if (path[n - 1] === 'finalizers') return { type: 'set', smpMergePrimitives: true };
  if (path[n - 1] === 'ownerReferences') return { type: 'map', keys: ['uid'], smpMergeKey: 'uid' };
  return undefined;
}

function podSpecList(kind: string, path: string[]): ListInfo | undefined {
  const root = POD_SPEC_ROOTS[kind];
  if (!root || !startsWith(path, root)) return undefined;
  const rel = path.slice(root.length);
  if (rel.length === 1) return POD_SPEC_LISTS[rel[0]];
  if (rel.length >= 2 && CONTAINER_FIELDS.has(rel[0])) return CONTAINER_LISTS[rel.slice(1).join('.')];
  return undefined;
}

/** The schema of a built-in kind, or of a custom resource when `listTypeAt` is given. */
export function schemaFor(kind: string, listTypeAt?: ListTypeLookup): ObjectSchema {
  return {
    list(path) {
      const meta = metadataList(path);
      if (meta) return meta;
      if (listTypeAt) {
        const custom = listTypeAt(path);
        return custom ? { type: custom.type, keys: custom.keys, keyDefaults: custom.keyDefaults } : undefined;
      }
      const pod = podSpecList(kind, path);
      if (pod) return pod;
      const dotted = path.join('.');
      const own = KIND_LISTS[kind]?.[dotted];
      if (own) return own;
      // Built-in status conditions are lists keyed by type (patchMergeKey=type, listMapKey=type).
      if (dotted === 'status.conditions') return { type: 'map', keys: ['type'], smpMergeKey: 'type' };
      return undefined;
    },
    atomicObject(path) {
      if (listTypeAt) return false;
      const dotted = path.join('.');
      if (KIND_ATOMIC_OBJECTS[kind]?.includes(dotted)) return true;
      const root = POD_SPEC_ROOTS[kind];
      return !!root && dotted === [...root, 'nodeSelector'].join('.');
    },
  };
}

/** The key of a map-list item: its key fields (with defaults), or undefined when a key is missing. */
export function mapItemKey(item: unknown, info: ListInfo): Record<string, unknown> | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const rec = item as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of info.keys ?? []) {
    const v = rec[k] ?? info.keyDefaults?.[k];
    if (v === undefined || v === null) return undefined;
    out[k] = v;
  }
  return out;
}
