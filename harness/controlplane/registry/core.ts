// Shared state of the registry: the store, the type table, the sibling modules, and the helpers
// every operation uses (version rewriting, namespace lifecycle checks, managedFields, commits).
import type { KubeObject, RequestContext, ResourceType } from '../types.ts';
import { ApiError } from '../types.ts';
import { Store, clone } from '../storage/store.ts';
import { TypeTable, storageKey } from './type-table.ts';
import type { CompiledCrdSchema, CrdModule, ListTypeLookup, PatchModule } from './modules.ts';
import { forbidden, notFound } from './errors.ts';
import { nowTimestamp } from './meta.ts';

export const NAMESPACES = { group: '', resource: 'namespaces' } as const;
export const CRDS = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' } as const;

/** Admission run on every create/update that came through the API (not the InternalClient). */
export type AdmissionHook = (rt: ResourceType, obj: KubeObject, ctx: RequestContext, operation: 'create' | 'update') => void;

/** Contexts of InternalClient calls: privileged, so API admission (e.g. RBAC escalation) is skipped. */
export const INTERNAL_CONTEXTS = new WeakSet<RequestContext>();

export class RegistryCore {
  readonly admission: AdmissionHook[] = [];
  readonly patch: PatchModule;
  readonly crd: CrdModule;
  private readonly schemaCache = new Map<string, CompiledCrdSchema>();

  constructor(
    readonly store: Store,
    readonly types: TypeTable,
    modules: { patch: PatchModule; crd: CrdModule },
  ) {
    this.patch = modules.patch;
    this.crd = modules.crd;
  }

  get(rt: Pick<ResourceType, 'group' | 'resource'>, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(storageKey(rt), namespace, name);
  }

  mustGet(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(rt, rt.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(rt, name);
    return obj;
  }

  /** What a client of `rt`'s version sees: the stored object with that apiVersion (conversion None). */
  present(rt: ResourceType, obj: KubeObject): KubeObject {
    const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
    if (obj.apiVersion === apiVersion && obj.kind === rt.kind) return obj;
    return { ...obj, apiVersion, kind: rt.kind };
  }

  /** NamespaceLifecycle admission: the namespace must exist and must not be terminating. */
  checkNamespaceForCreate(namespace: string): void {
    const ns = this.get(NAMESPACES, undefined, namespace);
    if (!ns) throw notFound(NAMESPACES, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: 'namespaces',
        causes: [{ type: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  /** The CRD serving a custom resource type (looked up by `<plural>.<group>`). */
  crdFor(rt: ResourceType): KubeObject | undefined {
    return rt.custom ? this.get(CRDS, undefined, `${rt.resource}.${rt.group}`) : undefined;
  }

  schemaFor(rt: ResourceType): CompiledCrdSchema | undefined {
    const crd = this.crdFor(rt);
    if (!crd) return undefined;
    const cacheKey = `${crd.metadata.uid}/${crd.metadata.resourceVersion}/${rt.version}`;
    let schema = this.schemaCache.get(cacheKey);
    if (!schema) {
      schema = this.crd.compileCrdSchema(clone(crd), rt.version);
      this.schemaCache.set(cacheKey, schema);
    }
    return schema;
  }

  /** CRD list semantics for apply/managedFields of a custom resource (built-ins: the patch module knows). */
  listTypeFor(rt: ResourceType): ListTypeLookup | undefined {
    const crd = this.crdFor(rt);
    const lookup = this.crd.listTypeAt;
    if (!crd || !lookup) return undefined;
    const frozen = crd;
    return (path) => lookup(frozen, rt.version, path);
  }

  /** Records an `Update` managedFields entry for a non-apply write (delegated to the patch module). */
  stampManagedFields(rt: ResourceType, before: KubeObject | undefined, after: KubeObject, ctx: RequestContext, subresource?: string): KubeObject {
    if (!ctx.fieldManager) return after;
    const result = this.patch.updateManagedFields({ before, after, manager: ctx.fieldManager, operation: 'Update', subresource, listTypeAt: this.listTypeFor(rt) });
    if (Array.isArray(result)) return { ...after, metadata: { ...after.metadata, managedFields: result } };
    if (result && typeof result === 'object' && 'metadata' in (result as object)) return result as KubeObject;
    return after;
  }

  admit(rt: ResourceType, obj: KubeObject, ctx: RequestContext, operation: 'create' | 'update'): void {
    if (INTERNAL_CONTEXTS.has(ctx)) return;
    for (const hook of this.admission) hook(rt, obj, ctx, operation);
  }

  /** Writes unless dry-run; a dry-run result keeps the previous resourceVersion (like the real server). */
  commit(rt: ResourceType, obj: KubeObject, ctx: { dryRun: boolean }): KubeObject {
    if (ctx.dryRun) return obj;
    return this.store.put(storageKey(rt), obj);
  }

  remove(rt: ResourceType, obj: KubeObject, ctx: { dryRun: boolean }): KubeObject {
    if (ctx.dryRun) return obj;
    return this.store.remove(storageKey(rt), obj.metadata.namespace, obj.metadata.name!) ?? obj;
  }

  protectedNamespace(rt: ResourceType, name: string): ApiError {
    return forbidden(rt, name, 'this namespace may not be deleted');
  }

  now(): string {
    return nowTimestamp();
  }
}
