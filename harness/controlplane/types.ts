// Shared vocabulary of the embedded control plane. Every module under controlplane/ codes against
// these types, so the HTTP layer, storage, patching, CRD schemas, auth and controllers can be
// built and tested separately and meet here.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

/** Any stored Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Identifies a resource type: `group` is "" for core. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** JSONPath relative to the object, e.g. ".status.phase". */
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
  /** Computed cell for built-in columns kubectl derives (READY "1/1", pod STATUS, DATA counts); wins over jsonPath. */
  compute?: (obj: KubeObject, now: Date) => unknown;
}

/** One served resource type (built-in or CRD-backed), as discovery and the REST layer see it. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, e.g. "deployments". */
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources served, e.g. ["status", "scale"]; "token" etc. for virtual ones. */
  subresources: string[];
  /** Extra field-selector labels besides metadata.name / metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  printerColumns?: PrinterColumn[];
  /** Create-only virtual kinds (TokenReview, SubjectAccessReview, ...): never stored. */
  virtual?: boolean;
  /** Storage version for CRDs; the version clients see is rewritten on read. */
  storageVersion?: string;
  /** Strategic-merge-patch is not allowed on CRs (415). */
  custom?: boolean;
  /** The CRD version's openAPIV3Schema (CRD-backed types), served in /openapi/v3 for `kubectl explain`. */
  openAPIV3Schema?: unknown;
}

/** The caller, after authentication (and impersonation). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  version?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export interface AuthorizationDecision {
  allowed: boolean;
  /** e.g. `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`. */
  reason: string;
}

/** Field-level error for 422 Invalid and 400 strict-decoding Status causes. */
export interface StatusCause {
  type: string; // FieldValueInvalid | FieldValueRequired | FieldValueNotSupported | FieldManagerConflict | ...
  message: string;
  field?: string;
}

/** A Kubernetes metav1.Status error, thrown anywhere and rendered by the HTTP layer. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number },
  ) {
    super(message);
  }

  toStatus(): KubeObject {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  /** `<group>/<resource>` of the object's type. */
  key: string;
  object: KubeObject;
  /** Cluster-wide revision of this write. */
  rv: number;
}

/**
 * In-process access to the API server's objects with full API semantics (defaulting, validation,
 * finalizers, generation, managedFields, admission like namespace lifecycle) but no authorization:
 * what kube-controller-manager's privileged client would do. Controllers use this.
 */
export interface InternalClient {
  get(gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined;
  list(gvr: GroupVersionResource, namespace?: string, labelSelector?: string): KubeObject[];
  /**
   * Like get/list but without the copy: the stored, deep-frozen objects. For readers that never
   * mutate what they read (mutating throws). Optional so minimal clients can leave it out; use
   * peekObject/peekObjects, which fall back to get/list.
   */
  peek?(gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined;
  peekList?(gvr: GroupVersionResource, namespace?: string, labelSelector?: string): KubeObject[];
  create(gvr: GroupVersionResource, namespace: string | undefined, obj: KubeObject, opts?: { fieldManager?: string }): KubeObject;
  /**
   * Full update of the main resource or of `subresource` ("status", "finalize"). With
   * `readOnlyResult` the result may be the stored, frozen object (no copy) for callers that only read it.
   */
  update(gvr: GroupVersionResource, namespace: string | undefined, obj: KubeObject, opts?: { subresource?: string; fieldManager?: string; readOnlyResult?: boolean }): KubeObject;
  delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    opts?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; preconditions?: { uid?: string; resourceVersion?: string }; gracePeriodSeconds?: number },
  ): KubeObject | undefined;
  /** Every store write, after it is committed, in revision order. Returns an unsubscribe function. */
  onEvent(listener: (event: StoreEvent) => void): () => void;
  /** All resource types currently served. */
  resourceTypes(): ResourceType[];
}

/** The stored object, read-only (no copy when the client supports it). */
export function peekObject(client: InternalClient, gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined {
  return client.peek ? client.peek(gvr, namespace, name) : client.get(gvr, namespace, name);
}

/** The stored objects, read-only (no copies when the client supports it). */
export function peekObjects(client: InternalClient, gvr: GroupVersionResource, namespace?: string, labelSelector?: string): KubeObject[] {
  return client.peekList ? client.peekList(gvr, namespace, labelSelector) : client.list(gvr, namespace, labelSelector);
}

/** A controller of the embedded control plane (namespace lifecycle, GC, kwok-style stages, ...). */
export interface Controller {
  readonly name: string;
  start(client: InternalClient): void;
  stop(): void;
}

// ---------------------------------------------------------------------------------------------
// Seams between the HTTP layer (server/), the registry (registry/ + storage/) and the modules it
// calls (patch/, crd/, protobuf/, auth/, controllers/). Each module's index.ts implements its part.
// ---------------------------------------------------------------------------------------------

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** What the registry needs to know of one API request. */
export interface RequestContext {
  user: UserInfo;
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
  /** Warnings to send back as `Warning: 299 - "..."` headers. */
  warnings: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

export type WatchSendType = WatchEventType | 'BOOKMARK' | 'ERROR';

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: string[];
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/**
 * The registry: every resource operation with Kubernetes semantics, authorization excluded (the
 * server authorizes before calling). Throws ApiError for every failure.
 */
export interface Registry extends InternalClient {
  /** Resolves a served type by group/version/plural (built-ins and established CRDs). */
  resolve(group: string, version: string, resource: string): ResourceType | undefined;
  getObject(rt: ResourceType, namespace: string | undefined, name: string, ctx: RequestContext, subresource?: string): KubeObject;
  listObjects(rt: ResourceType, namespace: string | undefined, opts: ListOptions, ctx: RequestContext): ListResult;
  /**
   * Starts a watch. `send` gets every event (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR) in order.
   * Throws ApiError(410 Expired) before starting when `resourceVersion` is too old. Returns stop().
   */
  watchObjects(rt: ResourceType, namespace: string | undefined, opts: WatchOptions, ctx: RequestContext, send: (type: WatchSendType, object: KubeObject) => void): () => void;
  createObject(rt: ResourceType, namespace: string | undefined, body: KubeObject, ctx: RequestContext, subresource?: string, name?: string): KubeObject;
  /** PUT. Returns `created: true` when an update created the object (allowed for some kinds). */
  updateObject(rt: ResourceType, namespace: string | undefined, name: string, body: KubeObject, ctx: RequestContext, subresource?: string): { object: KubeObject; created: boolean };
  patchObject(rt: ResourceType, namespace: string | undefined, name: string, type: PatchType, patch: unknown, ctx: RequestContext, opts: { subresource?: string; force?: boolean }): { object: KubeObject; created: boolean };
  /** Returns the deleted object (200) or the object still pending finalization (200, with deletionTimestamp). */
  deleteObject(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: RequestContext): KubeObject;
  deleteCollection(rt: ResourceType, namespace: string | undefined, list: ListOptions, opts: DeleteOptions, ctx: RequestContext): ListResult;
  /** Called whenever the set of served types changes (CRD established or removed). */
  onTypesChanged(listener: () => void): () => void;
}

/** Turns request headers into a user; undefined means no credentials (anonymous). Throws ApiError(401). */
export interface Authenticator {
  authenticate(headers: Record<string, string | string[] | undefined>): UserInfo | undefined;
}

export interface Authorizer {
  authorize(user: UserInfo, attrs: ResourceAttributes | NonResourceAttributes): AuthorizationDecision;
}

/**
 * A create-only endpoint that is not stored: TokenReview, SelfSubjectReview, the SAR family,
 * `serviceaccounts/token`. Key: `<group>/<resource>` or `<group>/<resource>/<subresource>`, with
 * the core group written as "core": e.g. "authentication.k8s.io/tokenreviews",
 * "core/serviceaccounts/token".
 */
export interface VirtualCreateHandler {
  key: string;
  create(body: KubeObject, ctx: RequestContext & { namespace?: string; name?: string; user: UserInfo }): KubeObject;
}

/** A non-resource HTTP route served beside the API (e.g. OIDC discovery, JWKS). */
export interface ExtraRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(): { status: number; contentType: string; body: string };
}

/** Seeded fault injection (off by default): errors, latency and watch cuts per verb/resource. */
export interface FaultInjector {
  /** Decides, before a request is served, whether to delay it and/or fail it (429/500/503). */
  beforeRequest(attrs: { verb: string; group: string; resource: string; subresource?: string; namespace?: string; user: UserInfo }): { delayMs: number; error?: ApiError };
  /** For a watch being opened: after how many ms to cut the stream, or undefined to leave it. */
  watchCutAfterMs(attrs: { group: string; resource: string; namespace?: string }): number | undefined;
}
