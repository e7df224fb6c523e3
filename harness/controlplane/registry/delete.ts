// DELETE and deletecollection: preconditions, finalizers (object stays with deletionTimestamp),
// propagation policies as finalizers, namespace termination, graceful deletion of bound pods.
import type { DeleteOptions, KubeObject, ListOptions, RequestContext, ResourceType } from '../types.ts';
import type { RegistryCore } from './core.ts';
import { CRDS } from './core.ts';
import { conflict } from './errors.ts';
import { isKind, syncCrdTypes } from './kinds.ts';
import { listObjects } from './read.ts';

const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function deleteObject(core: RegistryCore, rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: RequestContext): KubeObject {
  const existing = core.mustGet(rt, namespace, name);
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== existing.metadata.uid) {
    throw conflict(rt, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
    throw conflict(rt, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
  }
  if (isKind(rt, '', 'namespaces')) return deleteNamespace(core, rt, existing, ctx);

  const finalizers = [...(existing.metadata.finalizers ?? [])];
  if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
  // Only a first deletion may add propagation finalizers; afterwards the set can only shrink.
  const effectiveFinalizers = existing.metadata.deletionTimestamp ? existing.metadata.finalizers ?? [] : finalizers;

  if (isKind(rt, '', 'pods')) {
    const bound = !!(existing as { spec?: { nodeName?: string } }).spec?.nodeName;
    const grace = opts.gracePeriodSeconds ?? (existing as { spec?: { terminationGracePeriodSeconds?: number } }).spec?.terminationGracePeriodSeconds ?? 30;
    if (bound && grace > 0) {
      // Graceful deletion: the kubelet (a controller stage) finishes it with gracePeriodSeconds 0.
      if (existing.metadata.deletionTimestamp && (existing.metadata.deletionGracePeriodSeconds ?? 0) <= grace) return core.present(rt, existing);
      const deadline = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const next = { ...existing, metadata: { ...existing.metadata, deletionTimestamp: deadline, deletionGracePeriodSeconds: grace, finalizers: effectiveFinalizers.length ? effectiveFinalizers : undefined } };
      if (!next.metadata.finalizers) delete next.metadata.finalizers;
      return core.present(rt, core.commit(rt, next, ctx));
    }
  }

  if (effectiveFinalizers.length) {
    if (existing.metadata.deletionTimestamp && effectiveFinalizers.length === (existing.metadata.finalizers ?? []).length) return core.present(rt, existing);
    const next = {
      ...existing,
      metadata: { ...existing.metadata, finalizers: effectiveFinalizers, deletionTimestamp: existing.metadata.deletionTimestamp ?? core.now(), deletionGracePeriodSeconds: existing.metadata.deletionGracePeriodSeconds ?? 0 },
    };
    if (isKind(rt, CRDS.group, CRDS.resource)) {
      const status = (next as { status?: { conditions?: Array<Record<string, unknown>> } }).status ?? {};
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'Terminating');
      conditions.push({ type: 'Terminating', status: 'True', lastTransitionTime: core.now(), reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' });
      (next as { status?: unknown }).status = { ...status, conditions };
    }
    return core.present(rt, core.commit(rt, next, ctx));
  }
  const removed = core.remove(rt, existing, ctx);
  if (!ctx.dryRun && isKind(rt, CRDS.group, CRDS.resource)) syncCrdTypes(core, removed, true);
  return core.present(rt, removed);
}

/** Namespaces: Terminating phase + deletionTimestamp; the namespace controller empties and finalizes it. */
function deleteNamespace(core: RegistryCore, rt: ResourceType, existing: KubeObject, ctx: RequestContext): KubeObject {
  const name = existing.metadata.name!;
  if (UNDELETABLE_NAMESPACES.has(name)) throw core.protectedNamespace(rt, name);
  if (existing.metadata.deletionTimestamp) return core.present(rt, existing);
  const specFinalizers = (existing as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? [];
  if (!specFinalizers.length && !existing.metadata.finalizers?.length) return core.present(rt, core.remove(rt, existing, ctx));
  const next = {
    ...existing,
    metadata: { ...existing.metadata, deletionTimestamp: core.now(), deletionGracePeriodSeconds: 0 },
    status: { ...((existing as { status?: object }).status ?? {}), phase: 'Terminating' },
  };
  return core.present(rt, core.commit(rt, next, ctx));
}

export function deleteCollection(core: RegistryCore, rt: ResourceType, namespace: string | undefined, list: ListOptions, opts: DeleteOptions, ctx: RequestContext) {
  const matched = listObjects(core, rt, namespace, { ...list, limit: undefined, continue: undefined });
  const items: KubeObject[] = [];
  for (const obj of matched.items) {
    if (isKind(rt, '', 'namespaces') && UNDELETABLE_NAMESPACES.has(obj.metadata.name!)) continue;
    items.push(deleteObject(core, rt, obj.metadata.namespace, obj.metadata.name!, { ...opts, preconditions: undefined }, ctx));
  }
  return { items, resourceVersion: String(core.store.currentRv()) };
}
