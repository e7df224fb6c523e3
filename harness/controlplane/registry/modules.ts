// The seams to the modules the engine calls but does not own (catalog, patch, crd, protobuf,
// printers, discovery, metrics): the registry and the HTTP layer depend on these shapes only.
import type { InternalClient, Json, KubeObject, ResourceType, StatusCause } from '../types.ts';

export interface CompiledCrdSchema {
  default(obj: KubeObject): KubeObject | void;
  prune(obj: KubeObject): string[];
  validate(obj: KubeObject): StatusCause[];
}

/** List semantics at a field path (CRD `x-kubernetes-list-type`), for apply and managedFields. */
export type ListTypeLookup = (path: string[]) => { type: 'atomic' | 'set' | 'map'; keys?: string[] } | undefined;

export interface PatchModule {
  applyJsonPatch(obj: KubeObject, ops: unknown): KubeObject;
  applyMergePatch(obj: KubeObject, patch: unknown): KubeObject;
  applyStrategicMergePatch(obj: KubeObject, patch: unknown, kind: string): KubeObject;
  serverSideApply(args: { live: KubeObject | undefined; applied: KubeObject; manager: string; force: boolean; subresource?: string; listTypeAt?: ListTypeLookup }): KubeObject;
  updateManagedFields(args: { before: KubeObject | undefined; after: KubeObject; manager: string; operation: 'Update'; subresource?: string; listTypeAt?: ListTypeLookup }): unknown;
}

export interface CrdModule {
  validateCrd(crd: KubeObject): StatusCause[];
  crdResourceTypes(crd: KubeObject): ResourceType[];
  compileCrdSchema(crd: KubeObject, version: string): CompiledCrdSchema;
  listTypeAt?(crd: KubeObject, version: string, path: string[]): { type: 'atomic' | 'set' | 'map'; keys?: string[] } | undefined;
}

export interface ProtobufModule {
  decodeProtobuf(body: Buffer): KubeObject;
  /** Whether an object of this apiVersion/kind has a protobuf form (built-in kinds, lists, Status). */
  canEncode(obj: { apiVersion?: unknown; kind?: unknown }): boolean;
  encodeProtobuf(obj: KubeObject): Uint8Array;
  /** One length-prefixed watch frame. */
  encodeWatchEvent(type: string, obj: KubeObject): Uint8Array;
  PROTOBUF_CONTENT_TYPE: string;
  PROTOBUF_WATCH_CONTENT_TYPE: string;
}

export interface PrintersModule {
  toTable(rt: ResourceType, objects: KubeObject[], opts: { includeObject?: 'None' | 'Metadata' | 'Object'; listResourceVersion?: string; continue?: string; remainingItemCount?: number }): KubeObject;
}

export interface DiscoveryModule {
  versionInfo(v: string): Json | object;
  legacyApi(): Json | object;
  legacyApis(types: ResourceType[]): Json | object;
  apiResourceList(types: ResourceType[], group: string, version: string): Json | object | undefined;
  aggregatedDiscovery(types: ResourceType[], kind: 'api' | 'apis'): Json | object;
  AGGREGATED_DISCOVERY_CONTENT_TYPE: string;
  openapiV3Root(types: ResourceType[], crds: KubeObject[], gitVersion?: string): Json | object;
  openapiV3GroupVersion(types: ResourceType[], crds: KubeObject[], gvPath: string, gitVersion?: string): Json | object | undefined;
  apiGroup?(types: ResourceType[], group: string): Json | object | undefined;
  acceptsAggregatedDiscovery?(accept: string | undefined): boolean;
}

export interface CatalogModule {
  builtinResourceTypes(): ResourceType[];
}

export interface MetricsModule {
  serveMetrics(client: InternalClient, req: { resource: string; namespace?: string; name?: string; labelSelector?: string }, opts?: Record<string, unknown>): KubeObject;
}

/** Every sibling module the engine calls, wired statically in ../index.ts. */
export interface EngineModules {
  catalog: CatalogModule;
  patch: PatchModule;
  crd: CrdModule;
  protobuf: ProtobufModule;
  printers: PrintersModule;
  discovery: DiscoveryModule;
  metrics: MetricsModule;
}
