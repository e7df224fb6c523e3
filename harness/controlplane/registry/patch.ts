// PATCH in its four flavours. The algorithms live in the patch module (H4); this file decides
// which one runs, handles create-on-apply and the subresource views, then commits like an update.
import type { KubeObject, PatchType, RequestContext, ResourceType } from '../types.ts';
import { ApiError } from '../types.ts';
import { clone } from '../storage/store.ts';
import type { RegistryCore } from './core.ts';
import { badRequest, notFound, unsupportedMediaType } from './errors.ts';
import { apiVersionOf, commitUpdate, createObject, toScale, updateScale } from './write.ts';

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${(err as Error)?.message ?? String(err)}`);
}

function runPatch(core: RegistryCore, type: PatchType, live: KubeObject, patch: unknown): KubeObject {
  try {
    switch (type) {
      case 'json':
        if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
        return core.patch.applyJsonPatch(clone(live), patch);
      case 'merge':
        if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
        return core.patch.applyMergePatch(clone(live), patch);
      case 'strategic':
        if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
        return core.patch.applyStrategicMergePatch(clone(live), patch, live.kind);
      default:
        throw unsupportedMediaType(`unsupported patch type`);
    }
  } catch (err) {
    throw asApiError(err);
  }
}

export function patchObject(
  core: RegistryCore,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  type: PatchType,
  patch: unknown,
  ctx: RequestContext,
  opts: { subresource?: string; force?: boolean },
): { object: KubeObject; created: boolean } {
  if (type === 'strategic' && rt.custom) {
    throw unsupportedMediaType(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  }
  if (type === 'apply' && !ctx.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml requests must have a fieldManager');
  if (type === 'apply' && (!patch || typeof patch !== 'object' || Array.isArray(patch))) throw badRequest('error decoding YAML: the apply configuration must be an object');
  const ns = rt.namespaced ? namespace : undefined;
  const existing = core.get(rt, ns, name);
  const { subresource } = opts;
  if (subresource && !['status', 'scale', 'finalize'].includes(subresource)) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

  if (!existing) {
    if (type !== 'apply' || subresource) throw notFound(rt, name);
    const applied = clone(patch) as KubeObject;
    if (applied.metadata?.name && applied.metadata.name !== name) throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    let created: KubeObject;
    try {
      created = core.patch.serverSideApply({ live: undefined, applied: { ...applied, metadata: { ...(applied.metadata ?? {}), name } }, manager: ctx.fieldManager!, force: !!opts.force, listTypeAt: core.listTypeFor(rt) });
    } catch (err) {
      throw asApiError(err);
    }
    const managedFields = created.metadata?.managedFields;
    const body = { ...created, metadata: { ...created.metadata, name, managedFields: undefined } };
    return { object: createObject(core, rt, namespace, body, ctx, { managedFields }), created: true };
  }

  if (subresource === 'scale') {
    const scale = toScale(core, rt, existing);
    const patched = type === 'apply' ? core.patch.serverSideApply({ live: scale, applied: patch as KubeObject, manager: ctx.fieldManager!, force: !!opts.force, subresource }) : runPatch(core, type, scale, patch);
    return { object: updateScale(core, rt, namespace, name, patched, ctx), created: false };
  }

  const live = core.present(rt, existing);
  let candidate: KubeObject;
  let managedFieldsDone = false;
  if (type === 'apply') {
    let applied = clone(patch) as KubeObject;
    // With a status subresource, the main resource's applier never owns status and /status's only status.
    if (subresource === 'status') applied = { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: applied.metadata?.name, namespace: applied.metadata?.namespace }, status: (applied as { status?: unknown }).status } as KubeObject;
    else if (rt.subresources.includes('status')) delete (applied as { status?: unknown }).status;
    if (applied.apiVersion && applied.apiVersion !== apiVersionOf(rt)) throw badRequest(`the API version in the data (${applied.apiVersion}) does not match the expected API version (${apiVersionOf(rt)})`);
    try {
      candidate = core.patch.serverSideApply({ live: clone(live), applied, manager: ctx.fieldManager!, force: !!opts.force, subresource, listTypeAt: core.listTypeFor(rt) });
    } catch (err) {
      throw asApiError(err);
    }
    managedFieldsDone = true;
  } else candidate = runPatch(core, type, live, patch);
  if (!candidate || typeof candidate !== 'object' || !candidate.metadata) throw badRequest('the patch produced an object without metadata');
  if (candidate.metadata.name !== undefined && candidate.metadata.name !== name) throw badRequest(`the name of the object (${String(candidate.metadata.name)}) does not match the name on the URL (${name})`);
  if (subresource === 'status') {
    const onlyStatus = { ...clone(existing), status: (candidate as { status?: unknown }).status } as KubeObject;
    onlyStatus.metadata = { ...onlyStatus.metadata, resourceVersion: candidate.metadata.resourceVersion, managedFields: managedFieldsDone ? candidate.metadata.managedFields : existing.metadata.managedFields };
    candidate = onlyStatus;
  } else if (subresource === 'finalize') {
    const finalizers = (candidate as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? [];
    candidate = { ...clone(existing), spec: { ...((existing as { spec?: object }).spec ?? {}), finalizers } } as KubeObject;
  } else if (rt.subresources.includes('status')) {
    const status = (existing as { status?: unknown }).status;
    candidate = { ...candidate, status } as KubeObject;
    if (status === undefined) delete (candidate as { status?: unknown }).status;
  }
  return { object: commitUpdate(core, rt, existing, candidate, ctx, { subresource, managedFieldsDone }), created: false };
}
