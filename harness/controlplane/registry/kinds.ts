// Kind-specific rules layered on the generic registry: namespaces, services (cluster IPs), pods,
// CRDs (validation, status, type registration) and custom resources (schema default/prune/validate).
import type { KubeObject, RequestContext, ResourceType, StatusCause } from '../types.ts';
import { ApiError } from '../types.ts';
import type { RegistryCore } from './core.ts';
import { CRDS } from './core.ts';
import { checkBuiltinFields } from './builtin-fields.ts';
import { badRequest, invalid } from './errors.ts';
import { storageKey } from './type-table.ts';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const SERVICE_CIDR_BASE = (10 << 24) | (96 << 16); // 10.96.0.0/12

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export function isKind(rt: ResourceType, group: string, resource: string): boolean {
  return rt.group === group && rt.resource === resource;
}

function ipToNumber(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number);
  return (((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
}

function ipToString(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * ClusterIPs in use per registry, kept current from the store's events (built once), so a create
 * does not scan every Service; allocation still returns the lowest free address from .10 up.
 */
interface IpPool {
  used: Set<string>;
  /** No free address below this offset. */
  lowest: number;
}
const pools = new WeakMap<RegistryCore, IpPool>();
const SERVICE_OFFSET_MIN = 10;
const clusterIpOf = (o: unknown): string | undefined => {
  const ip = (o as Obj | undefined)?.spec?.clusterIP;
  return typeof ip === 'string' ? ip : undefined;
};

function ipPool(core: RegistryCore): IpPool {
  let pool = pools.get(core);
  if (pool) return pool;
  const p: IpPool = { used: new Set(), lowest: SERVICE_OFFSET_MIN };
  for (const { object } of core.store.list('/services')) {
    const ip = clusterIpOf(object);
    if (ip) p.used.add(ip);
  }
  core.store.subscribe((e) => {
    if (e.key !== '/services') return;
    const before = clusterIpOf(e.prev);
    const after = e.type === 'DELETED' ? undefined : clusterIpOf(e.object);
    if (before && before !== after) {
      p.used.delete(before);
      const offset = (ipToNumber(before) - SERVICE_CIDR_BASE) >>> 0;
      if (offset >= SERVICE_OFFSET_MIN && offset < p.lowest) p.lowest = offset;
    }
    if (after) p.used.add(after);
  });
  pools.set(core, p);
  return p;
}

function allocateClusterIp(core: RegistryCore): string {
  const pool = ipPool(core);
  // .1 is the kubernetes service; allocate sequentially from .10 across the /12.
  for (let offset = pool.lowest; offset < 1 << 20; offset++) {
    const ip = ipToString((SERVICE_CIDR_BASE + offset) >>> 0);
    if (!pool.used.has(ip)) {
      // Reserved now: a second create inside the same event dispatch must not get it too (an
      // address of a create that then fails stays reserved until a Service with it is deleted).
      pool.used.add(ip);
      pool.lowest = offset + 1;
      return ip;
    }
  }
  throw new ApiError(500, 'InternalError', 'Internal error occurred: range is full');
}

function defaultService(core: RegistryCore, obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports as Array<Record<string, unknown>>) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  }
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = allocateClusterIp(core);
  spec.clusterIPs ??= [spec.clusterIP];
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  obj.status = { loadBalancer: {} };
}

const REPLICATED = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets']);

/** Built-in defaulting kube-apiserver applies on every write (the parts clients rely on). */
function applyBuiltinDefaults(rt: ResourceType, obj: Obj): void {
  const key = `${rt.group}/${rt.resource}`;
  if (key === '/secrets') {
    // stringData is write-only: merged into data as base64, as the API server does.
    const stringData = (obj as { stringData?: Record<string, unknown> }).stringData;
    if (stringData && typeof stringData === 'object') {
      const data = { ...(((obj as { data?: Record<string, string> }).data) ?? {}) };
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      (obj as { data?: Record<string, string> }).data = data;
    }
    delete (obj as { stringData?: unknown }).stringData;
    (obj as { type?: string }).type ??= 'Opaque';
  } else if (REPLICATED.has(key)) {
    const spec = (obj.spec ??= {});
    spec.replicas ??= 1;
  } else if (key === 'batch/jobs') {
    const spec = (obj.spec ??= {});
    spec.parallelism ??= 1;
    spec.completions ??= 1;
    spec.backoffLimit ??= 6;
  }
}

/** Runs a CR through its CRD's structural schema: defaults, pruning (per fieldValidation), validation. */
export function applyCustomResourceSchema(core: RegistryCore, rt: ResourceType, obj: KubeObject, ctx: RequestContext): KubeObject {
  const schema = core.schemaFor(rt);
  if (!schema) return obj;
  let out = obj;
  const defaulted = schema.default(out);
  if (defaulted && typeof defaulted === 'object') out = defaulted;
  const removed = schema.prune(out).map((p) => p.replace(/^\./, ''));
  if (removed.length) {
    if (ctx.fieldValidation === 'Strict') {
      throw badRequest(`strict decoding error: ${removed.map((p) => `unknown field "${p}"`).join(', ')}`);
    }
    if (ctx.fieldValidation === 'Warn') for (const p of removed) ctx.warnings.push(`unknown field "${p}"`);
  }
  const causes = schema.validate(out);
  if (causes.length) throw invalid(rt, out.metadata.name ?? '', causes);
  return out;
}

function crdSpec(crd: KubeObject): { group: string; names: Record<string, unknown>; versions: Array<{ name: string; storage?: boolean }> } {
  return (crd.spec ?? {}) as never;
}

function validateCrdObject(core: RegistryCore, rt: ResourceType, crd: KubeObject): void {
  const spec = crdSpec(crd);
  const causes: StatusCause[] = [];
  const plural = spec.names?.plural;
  if (typeof spec.group !== 'string' || typeof plural !== 'string' || !Array.isArray(spec.versions)) {
    causes.push({ type: 'FieldValueRequired', field: 'spec', message: 'Required value: group, names.plural and versions are required' });
  } else if (crd.metadata.name !== `${plural}.${spec.group}`) {
    causes.push({ type: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(crd.metadata.name)}: must be spec.names.plural+"."+spec.group` });
  }
  if (!causes.length) causes.push(...core.crd.validateCrd(crd));
  if (causes.length) throw invalid(rt, crd.metadata.name ?? '', causes);
}

function crdStatus(crd: KubeObject, previous?: Record<string, unknown>): Record<string, unknown> {
  const spec = crdSpec(crd);
  const names = spec.names as { kind: string; plural: string; listKind?: string; singular?: string };
  const now = crd.metadata.creationTimestamp;
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name;
  const stored = new Set<string>([...((previous?.storedVersions as string[] | undefined) ?? []), ...(storage ? [storage] : [])]);
  const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: { ...names, listKind: names.listKind ?? `${names.kind}List`, singular: names.singular ?? names.kind.toLowerCase() },
    storedVersions: [...stored],
  };
}

export function prepareCreate(core: RegistryCore, rt: ResourceType, input: KubeObject, ctx: RequestContext): KubeObject {
  let obj = input as Obj;
  checkBuiltinFields(rt, obj, ctx);
  applyBuiltinDefaults(rt, obj);
  if (isKind(rt, '', 'namespaces')) {
    obj.spec = { ...(obj.spec ?? {}), finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
  } else if (isKind(rt, '', 'services')) defaultService(core, obj);
  else if (isKind(rt, '', 'pods')) obj.status = { phase: 'Pending', ...(obj.status ?? {}) };
  else if (isKind(rt, CRDS.group, CRDS.resource)) {
    validateCrdObject(core, rt, obj);
    obj.status = crdStatus(obj);
    const finalizers = obj.metadata.finalizers ?? [];
    if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) obj.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
  } else if (rt.custom) obj = applyCustomResourceSchema(core, rt, obj, ctx) as Obj;
  return obj;
}

export function prepareUpdate(core: RegistryCore, rt: ResourceType, old: KubeObject, input: KubeObject, ctx: RequestContext, subresource?: string): KubeObject {
  let obj = input as Obj;
  const prev = old as Obj;
  checkBuiltinFields(rt, obj, ctx);
  if (!subresource) applyBuiltinDefaults(rt, obj);
  if (isKind(rt, '', 'namespaces') && subresource !== 'finalize') {
    obj.spec = { ...(obj.spec ?? {}), finalizers: prev.spec?.finalizers ?? [] };
    if (subresource !== 'status') obj.status = prev.status;
  } else if (isKind(rt, '', 'services') && subresource !== 'status') {
    const spec = (obj.spec ??= {});
    if (prev.spec?.clusterIP && (spec.clusterIP === undefined || spec.clusterIP === '')) spec.clusterIP = prev.spec.clusterIP;
    if (prev.spec?.clusterIPs && spec.clusterIPs === undefined) spec.clusterIPs = prev.spec.clusterIPs;
    if (prev.spec?.clusterIP && spec.clusterIP !== prev.spec.clusterIP) {
      throw invalid(rt, obj.metadata.name!, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: ${JSON.stringify(spec.clusterIP)}: may not change once set` }]);
    }
    defaultService(core, obj);
    obj.status = prev.status;
  } else if (isKind(rt, CRDS.group, CRDS.resource) && subresource !== 'status') {
    validateCrdObject(core, rt, obj);
    obj.status = { ...crdStatus(obj, prev.status), ...(prev.metadata.deletionTimestamp ? { conditions: prev.status?.conditions } : {}) };
  } else if (rt.custom) obj = applyCustomResourceSchema(core, rt, obj, ctx) as Obj;
  return obj;
}

/** Keeps the served types in step with CRDs: registered while the CRD exists, dropped when it is gone. */
export function syncCrdTypes(core: RegistryCore, crd: KubeObject, gone: boolean): void {
  const spec = crdSpec(crd);
  const plural = spec.names?.plural as string | undefined;
  if (!plural || typeof spec.group !== 'string') return;
  if (gone) {
    core.types.replace(spec.group, plural, []);
    core.store.dropType(storageKey({ group: spec.group, resource: plural }));
    return;
  }
  core.types.replace(spec.group, plural, core.crd.crdResourceTypes(crd));
}
