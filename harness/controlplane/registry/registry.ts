// The Registry (types.ts): every resource operation with Kubernetes semantics, authorization
// excluded. It is also the InternalClient controllers use (same semantics, system identity).
import type {
  DeleteOptions, GroupVersionResource, KubeObject, ListOptions, ListResult, PatchType, Registry,
  RequestContext, ResourceType, StoreEvent, WatchOptions, WatchSendType,
} from '../types.ts';
import { ApiError } from '../types.ts';
import { Store, clone } from '../storage/store.ts';
import { INTERNAL_CONTEXTS, RegistryCore, type AdmissionHook } from './core.ts';
import { TypeTable } from './type-table.ts';
import type { CrdModule, PatchModule } from './modules.ts';
import { methodNotAllowed, resourceNotFound } from './errors.ts';
import { createObject, updateObject } from './write.ts';
import { patchObject } from './patch.ts';
import { deleteCollection, deleteObject } from './delete.ts';
import { getObject, listObjects, watchObjects } from './read.ts';

export interface RegistryOptions {
  builtins: ResourceType[];
  patch: PatchModule;
  crd: CrdModule;
  /** Size of the watch replay buffer (events). */
  eventBuffer?: number;
  bookmarkIntervalMs?: number;
}

export type { AdmissionHook };

const SYSTEM_CONTEXT = (fieldManager?: string): RequestContext => {
  const ctx: RequestContext = {
    fieldManager,
    user: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
    dryRun: false,
    fieldValidation: 'Ignore',
    warnings: [],
  };
  INTERNAL_CONTEXTS.add(ctx);
  return ctx;
};

/** present() may wrap a stored object in a fresh envelope (other version); readers get it frozen too. */
const frozenView = (obj: KubeObject): KubeObject => (Object.isFrozen(obj) ? obj : Object.freeze(obj));

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class ObjectRegistry implements Registry {
  readonly store: Store;
  readonly core: RegistryCore;
  private readonly bookmarkIntervalMs: number;

  constructor(opts: RegistryOptions) {
    this.store = new Store(opts.eventBuffer ?? 10_000);
    this.core = new RegistryCore(this.store, new TypeTable(opts.builtins), { patch: opts.patch, crd: opts.crd });
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 5_000;
    for (const name of DEFAULT_NAMESPACES) {
      this.create({ group: '', version: 'v1', resource: 'namespaces' }, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    // The API server's own Service, first address of the service CIDR, as on a real cluster.
    this.create({ group: '', version: 'v1', resource: 'services' }, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
    });
  }

  /** Adds an admission check for API writes (e.g. RBAC escalation prevention from the auth module). */
  addAdmission(hook: AdmissionHook): void {
    this.core.admission.push(hook);
  }

  // ---- Registry -------------------------------------------------------------------------------

  resolve(group: string, version: string, resource: string): ResourceType | undefined {
    return this.core.types.resolve(group, version, resource);
  }

  resourceTypes(): ResourceType[] {
    return this.core.types.all();
  }

  onTypesChanged(listener: () => void): () => void {
    return this.core.types.onChange(listener);
  }

  private stored(rt: ResourceType): void {
    if (rt.virtual) throw methodNotAllowed();
  }

  getObject(rt: ResourceType, namespace: string | undefined, name: string, _ctx: RequestContext, subresource?: string): KubeObject {
    this.stored(rt);
    return getObject(this.core, rt, namespace, name, subresource);
  }

  listObjects(rt: ResourceType, namespace: string | undefined, opts: ListOptions, _ctx: RequestContext): ListResult {
    this.stored(rt);
    return listObjects(this.core, rt, namespace, opts);
  }

  watchObjects(rt: ResourceType, namespace: string | undefined, opts: WatchOptions, _ctx: RequestContext, send: (type: WatchSendType, object: KubeObject) => void): () => void {
    this.stored(rt);
    return watchObjects(this.core, rt, namespace, opts, send, { bookmarkIntervalMs: this.bookmarkIntervalMs });
  }

  createObject(rt: ResourceType, namespace: string | undefined, body: KubeObject, ctx: RequestContext, subresource?: string, _name?: string): KubeObject {
    this.stored(rt);
    if (subresource) throw resourceNotFound();
    return createObject(this.core, rt, namespace, body, ctx);
  }

  updateObject(rt: ResourceType, namespace: string | undefined, name: string, body: KubeObject, ctx: RequestContext, subresource?: string) {
    this.stored(rt);
    return updateObject(this.core, rt, namespace, name, body, ctx, subresource);
  }

  patchObject(rt: ResourceType, namespace: string | undefined, name: string, type: PatchType, patch: unknown, ctx: RequestContext, opts: { subresource?: string; force?: boolean }) {
    this.stored(rt);
    return patchObject(this.core, rt, namespace, name, type, patch, ctx, opts);
  }

  deleteObject(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: RequestContext): KubeObject {
    this.stored(rt);
    return deleteObject(this.core, rt, namespace, name, opts, ctx);
  }

  deleteCollection(rt: ResourceType, namespace: string | undefined, list: ListOptions, opts: DeleteOptions, ctx: RequestContext): ListResult {
    this.stored(rt);
    return deleteCollection(this.core, rt, namespace, list, opts, ctx);
  }

  // ---- InternalClient -------------------------------------------------------------------------

  private typeOf(gvr: GroupVersionResource): ResourceType {
    const rt = this.core.types.resolveGvr(gvr) ?? this.core.types.anyVersion(gvr.group, gvr.resource);
    if (!rt) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${gvr.resource}${gvr.group ? `.${gvr.group}` : ''})`);
    return rt;
  }

  get(gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.peek(gvr, namespace, name);
    return obj ? clone(obj) : undefined;
  }

  list(gvr: GroupVersionResource, namespace?: string, labelSelector?: string): KubeObject[] {
    return clone(this.peekList(gvr, namespace, labelSelector));
  }

  peek(gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const rt = this.core.types.resolveGvr(gvr) ?? this.core.types.anyVersion(gvr.group, gvr.resource);
    if (!rt) return undefined;
    const obj = this.core.get(rt, rt.namespaced ? namespace : undefined, name);
    return obj ? frozenView(this.core.present(rt, obj)) : undefined;
  }

  peekList(gvr: GroupVersionResource, namespace?: string, labelSelector?: string): KubeObject[] {
    const rt = this.core.types.resolveGvr(gvr) ?? this.core.types.anyVersion(gvr.group, gvr.resource);
    if (!rt) return [];
    return listObjects(this.core, rt, namespace, { labelSelector }).items.map(frozenView);
  }

  create(gvr: GroupVersionResource, namespace: string | undefined, obj: KubeObject, opts?: { fieldManager?: string }): KubeObject {
    return clone(createObject(this.core, this.typeOf(gvr), namespace, obj, SYSTEM_CONTEXT(opts?.fieldManager)));
  }

  update(gvr: GroupVersionResource, namespace: string | undefined, obj: KubeObject, opts?: { subresource?: string; fieldManager?: string; readOnlyResult?: boolean }): KubeObject {
    const rt = this.typeOf(gvr);
    const ctx = SYSTEM_CONTEXT(opts?.fieldManager);
    const out = updateObject(this.core, rt, namespace ?? obj.metadata.namespace, obj.metadata.name ?? '', obj, ctx, opts?.subresource).object;
    return opts?.readOnlyResult ? frozenView(out) : clone(out);
  }

  delete(gvr: GroupVersionResource, namespace: string | undefined, name: string, opts?: DeleteOptions): KubeObject | undefined {
    const rt = this.typeOf(gvr);
    if (!this.core.get(rt, rt.namespaced ? namespace : undefined, name)) return undefined;
    return clone(deleteObject(this.core, rt, namespace, name, opts ?? {}, SYSTEM_CONTEXT()));
  }

  onEvent(listener: (event: StoreEvent) => void): () => void {
    // The committed event itself (a StoreEvent plus `prev`): no copy per listener per write.
    return this.store.subscribe(listener);
  }
}
