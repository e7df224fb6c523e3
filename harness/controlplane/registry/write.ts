// Create, update (main resource, status, finalize) and the shared commit path used by patches:
// optimistic concurrency, status split, generation, finalizer rules, managedFields, dry-run.
import type { KubeObject, RequestContext, ResourceType } from '../types.ts';
import { ApiError } from '../types.ts';
import { clone, cloneUnfrozen } from '../storage/store.ts';
import type { RegistryCore } from './core.ts';
import { CRDS } from './core.ts';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './errors.ts';
import { generateName, newUid, sameSpec, sameStored, shareUnchanged, validateMetadata, validateName } from './meta.ts';
import { isKind, prepareCreate, prepareUpdate, syncCrdTypes } from './kinds.ts';

const GENERATE_NAME_ATTEMPTS = 8;
/** Kinds that a PUT on a missing name creates (AllowCreateOnUpdate in kube's strategies). */
const CREATE_ON_UPDATE = new Set(['coordination.k8s.io/leases', '/events', 'events.k8s.io/events', '/endpoints']);

export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** Checks the body's envelope (object, kind, apiVersion, metadata) and returns a working copy. */
export function checkBody(rt: ResourceType, body: unknown, expectKind = rt.kind, expectApiVersion = apiVersionOf(rt), shareFrozen = false): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request was not a ${expectKind} object`);
  return checkEnvelope(rt, (shareFrozen ? cloneUnfrozen(body) : clone(body)) as KubeObject, expectKind, expectApiVersion);
}

/**
 * checkBody without the deep copy: a new top level (and metadata when it was missing) over the
 * caller's nested values, for callers that only read it or hand it on to checkBody.
 */
function checkShallow(rt: ResourceType, body: unknown): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request was not a ${rt.kind} object`);
  return checkEnvelope(rt, { ...(body as KubeObject) }, rt.kind, apiVersionOf(rt));
}

function checkEnvelope(rt: ResourceType, obj: KubeObject, expectKind: string, expectApiVersion: string): KubeObject {
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== expectApiVersion) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expectApiVersion})`);
  }
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== expectKind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${expectKind})`);
  }
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
  for (const f of ['name', 'generateName', 'namespace', 'resourceVersion', 'uid'] as const) {
    const v = obj.metadata[f];
    if (v !== undefined && v !== null && typeof v !== 'string') throw badRequest(`json: cannot unmarshal ${typeof v} into Go struct field ObjectMeta.metadata.${f} of type string`);
  }
  obj.apiVersion = expectApiVersion;
  obj.kind = expectKind;
  return obj;
}

function hasStatus(rt: ResourceType): boolean {
  return rt.subresources.includes('status');
}

export function createObject(
  core: RegistryCore,
  rt: ResourceType,
  namespace: string | undefined,
  body: unknown,
  ctx: RequestContext,
  opts: { managedFields?: KubeObject['metadata']['managedFields'] } = {},
): KubeObject {
  let obj = checkBody(rt, body);
  const meta = obj.metadata;
  if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (rt.namespaced) {
    if (!namespace) throw badRequest('the namespace of the object is required');
    if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = namespace;
  } else delete meta.namespace;
  if (!meta.name && !meta.generateName) {
    throw invalid(rt, '', [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  }
  const usesGenerateName = !meta.name;
  if (usesGenerateName) meta.name = generateName(meta.generateName!);
  const causes = [...validateName(rt, meta.name!), ...validateMetadata(obj)];
  if (causes.length) throw invalid(rt, meta.name!, causes);
  if (rt.namespaced) core.checkNamespaceForCreate(namespace!);
  if (hasStatus(rt) && !isKind(rt, CRDS.group, CRDS.resource)) delete (obj as { status?: unknown }).status;
  obj.metadata = {
    ...meta,
    uid: newUid(),
    creationTimestamp: core.now(),
    generation: 1,
    deletionTimestamp: undefined,
    deletionGracePeriodSeconds: undefined,
    managedFields: undefined,
  };
  for (const k of Object.keys(obj.metadata) as Array<keyof typeof obj.metadata>) if (obj.metadata[k] === undefined) delete obj.metadata[k];
  obj = prepareCreate(core, rt, obj, ctx);
  core.admit(rt, obj, ctx, 'create');
  for (let attempt = 0; core.get(rt, obj.metadata.namespace, obj.metadata.name!); attempt++) {
    if (!usesGenerateName || attempt >= GENERATE_NAME_ATTEMPTS) throw alreadyExists(rt, obj.metadata.name!);
    obj.metadata.name = generateName(obj.metadata.generateName!);
  }
  obj = opts.managedFields ? { ...obj, metadata: { ...obj.metadata, managedFields: opts.managedFields } } : core.stampManagedFields(rt, undefined, obj, ctx);
  const stored = core.commit(rt, obj, ctx);
  if (!ctx.dryRun && isKind(rt, CRDS.group, CRDS.resource)) syncCrdTypes(core, stored, false);
  return core.present(rt, stored);
}

/** Builds the candidate of a PUT: which parts of the body count depends on the subresource. */
function candidateFor(rt: ResourceType, existing: KubeObject, body: KubeObject, subresource?: string): KubeObject {
  // No copies here: commitUpdate's checkBody makes the one working copy of the candidate.
  const prev = existing as KubeObject & { status?: unknown; spec?: Record<string, unknown> };
  if (subresource === 'status') {
    // ResetObjectMetaForStatus: only .status (and managedFields bookkeeping) change.
    return { ...prev, status: (body as { status?: unknown }).status };
  }
  if (subresource === 'finalize') {
    const finalizers = ((body as { spec?: { finalizers?: unknown } }).spec?.finalizers ?? []) as string[];
    return { ...prev, spec: { ...(prev.spec ?? {}), finalizers } };
  }
  const next = { ...body } as KubeObject & { status?: unknown };
  if (hasStatus(rt)) {
    if (prev.status === undefined) delete next.status;
    else next.status = prev.status;
  }
  return next;
}

/** shareUnchanged below the top level and metadata (both stay fresh objects the caller may edit). */
function shareFields(next: KubeObject, existing: KubeObject): KubeObject {
  const n = next as unknown as Record<string, unknown>;
  const e = existing as unknown as Record<string, unknown>;
  for (const k of Object.keys(n)) if (k !== 'metadata' && Object.prototype.hasOwnProperty.call(e, k)) n[k] = shareUnchanged(n[k], e[k]);
  const nm = next.metadata as Record<string, unknown>;
  const em = existing.metadata as Record<string, unknown>;
  for (const k of Object.keys(nm)) if (Object.prototype.hasOwnProperty.call(em, k)) nm[k] = shareUnchanged(nm[k], em[k]);
  return next;
}

/**
 * The shared tail of update and patch: immutable metadata, finalizer rules, generation, kind
 * rules, managedFields, no-op detection, commit, and removal once the last finalizer is gone.
 */
export function commitUpdate(
  core: RegistryCore,
  rt: ResourceType,
  existing: KubeObject,
  candidate: KubeObject,
  ctx: RequestContext,
  opts: { subresource?: string; managedFieldsDone?: boolean },
): KubeObject {
  const name = existing.metadata.name!;
  const rvGiven = candidate.metadata?.resourceVersion;
  if (rvGiven && rvGiven !== existing.metadata.resourceVersion) throw conflict(rt, name);
  // A status write of a built-in kind changes nothing inside the rest of the object (prepareUpdate
  // only replaces top-level fields there), so the stored object's frozen parts need no copy.
  const shareFrozen = opts.subresource === 'status' && !rt.custom;
  let next = checkBody(rt, candidate, rt.kind, candidate.apiVersion ?? apiVersionOf(rt), shareFrozen);
  next.apiVersion = apiVersionOf(rt);
  const prevMeta = existing.metadata;
  next.metadata = {
    ...next.metadata,
    name: prevMeta.name,
    namespace: prevMeta.namespace,
    uid: prevMeta.uid,
    creationTimestamp: prevMeta.creationTimestamp,
    deletionTimestamp: prevMeta.deletionTimestamp,
    deletionGracePeriodSeconds: prevMeta.deletionGracePeriodSeconds,
    generation: prevMeta.generation,
    resourceVersion: prevMeta.resourceVersion,
  };
  if (!opts.managedFieldsDone && next.metadata.managedFields === undefined && prevMeta.managedFields) next.metadata.managedFields = prevMeta.managedFields;
  for (const k of Object.keys(next.metadata) as Array<keyof typeof next.metadata>) if (next.metadata[k] === undefined) delete next.metadata[k];
  const causes = validateMetadata(next);
  if (causes.length) throw invalid(rt, name, causes);
  if (prevMeta.deletionTimestamp) {
    const added = (next.metadata.finalizers ?? []).filter((f) => !(prevMeta.finalizers ?? []).includes(f));
    if (added.length) {
      throw invalid(rt, name, [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]);
    }
  }
  next = prepareUpdate(core, rt, existing, next, ctx, opts.subresource);
  core.admit(rt, next, ctx, 'update');
  // From here on nothing edits inside `next`'s values; share what did not change with `existing`.
  next = shareFields(next, existing);
  if (!sameSpec(next, existing, hasStatus(rt))) next.metadata.generation = (prevMeta.generation ?? 1) + 1;
  if (!opts.managedFieldsDone) next = core.stampManagedFields(rt, existing, next, ctx, opts.subresource);
  // An apply that only changes ownership is a real write, so managedFields count (an empty list = none).
  if (sameStored(next, existing)) return core.present(rt, existing); // no-op: no new resourceVersion, no event
  const finalizersDone = !next.metadata.finalizers?.length && !(isKind(rt, '', 'namespaces') && ((next as { spec?: { finalizers?: string[] } }).spec?.finalizers?.length ?? 0) > 0);
  if (prevMeta.deletionTimestamp && finalizersDone) {
    const removed = core.remove(rt, { ...next, metadata: { ...next.metadata } }, ctx);
    if (!ctx.dryRun && isKind(rt, CRDS.group, CRDS.resource)) syncCrdTypes(core, removed, true);
    return core.present(rt, removed);
  }
  const stored = core.commit(rt, next, ctx);
  if (!ctx.dryRun && isKind(rt, CRDS.group, CRDS.resource) && opts.subresource !== 'status') syncCrdTypes(core, stored, false);
  return core.present(rt, stored);
}

export function updateObject(
  core: RegistryCore,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  body: unknown,
  ctx: RequestContext,
  subresource?: string,
): { object: KubeObject; created: boolean } {
  if (subresource === 'scale') return { object: updateScale(core, rt, namespace, name, body, ctx), created: false };
  const obj = checkShallow(rt, body);
  if (obj.metadata.name && obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  if (rt.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const existing = core.get(rt, rt.namespaced ? namespace : undefined, name);
  if (!existing) {
    if (!subresource && CREATE_ON_UPDATE.has(`${rt.group}/${rt.resource}`)) {
      const created = createObject(core, rt, namespace, { ...obj, metadata: { ...obj.metadata, name, resourceVersion: undefined } }, ctx);
      return { object: created, created: true };
    }
    throw notFound(rt, name);
  }
  if (subresource && !['status', 'finalize'].includes(subresource)) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const candidate = candidateFor(rt, existing, obj, subresource);
  candidate.metadata = { ...candidate.metadata, resourceVersion: obj.metadata.resourceVersion };
  return { object: commitUpdate(core, rt, existing, candidate, ctx, { subresource }), created: false };
}

interface ScalePaths {
  spec: string[];
  status: string[];
  selector?: string[];
}

function scalePaths(core: RegistryCore, rt: ResourceType): ScalePaths {
  const crd = core.crdFor(rt);
  if (crd) {
    const version = ((crd.spec as { versions: Array<{ name: string; subresources?: { scale?: Record<string, string> } }> }).versions ?? []).find((v) => v.name === rt.version);
    const scale = version?.subresources?.scale ?? {};
    const split = (p?: string) => (p ? p.replace(/^\./, '').split('.') : undefined);
    return { spec: split(scale.specReplicasPath) ?? ['spec', 'replicas'], status: split(scale.statusReplicasPath) ?? ['status', 'replicas'], selector: split(scale.labelSelectorPath) };
  }
  return { spec: ['spec', 'replicas'], status: ['status', 'replicas'], selector: ['spec', 'selector'] };
}

function dig(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function selectorString(sel: unknown): string | undefined {
  if (typeof sel === 'string') return sel;
  const labels = (sel as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  return labels ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

/** The autoscaling/v1 Scale view of an object with a scale subresource. */
export function toScale(core: RegistryCore, rt: ResourceType, obj: KubeObject): KubeObject {
  const paths = scalePaths(core, rt);
  const selector = paths.selector ? selectorString(dig(obj, paths.selector)) : undefined;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: (dig(obj, paths.spec) as number | undefined) ?? 0 },
    status: { replicas: (dig(obj, paths.status) as number | undefined) ?? 0, ...(selector ? { selector } : {}) },
  };
}

export function updateScale(core: RegistryCore, rt: ResourceType, namespace: string | undefined, name: string, body: unknown, ctx: RequestContext): KubeObject {
  const scale = checkBody(rt, body, 'Scale', 'autoscaling/v1');
  const replicas = (scale as { spec?: { replicas?: unknown } }).spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
      name,
      group: 'autoscaling',
      kind: 'Scale',
      causes: [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }],
    });
  }
  const existing = core.mustGet(rt, namespace, name);
  if (scale.metadata.resourceVersion && scale.metadata.resourceVersion !== existing.metadata.resourceVersion) throw conflict(rt, name);
  const next = clone(existing) as unknown as Record<string, unknown>;
  const path = scalePaths(core, rt).spec;
  let cursor = next;
  for (const k of path.slice(0, -1)) cursor = (cursor[k] ??= {}) as Record<string, unknown>;
  cursor[path[path.length - 1]] = replicas;
  const updated = commitUpdate(core, rt, existing, next as unknown as KubeObject, ctx, { subresource: 'scale' });
  return toScale(core, rt, updated);
}
