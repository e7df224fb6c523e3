// Minimal OpenAPI v3 (GET /openapi/v3 and /openapi/v3/<gv>) that satisfies kubectl:
// - `apply` validation looks for a PATCH operation carrying the kind's x-kubernetes-group-version-kind
//   (an object) and a `fieldValidation` query parameter, then leaves validation to the server;
// - `explain` finds components.schemas by x-kubernetes-group-version-kind (an array).
// No PUT operations on purpose: kubectl's client-side apply derives strategic-merge metadata from
// the PUT request body schema when present; without it, it uses its compiled-in types.

import { createHash } from 'node:crypto';
import type { KubeObject, ResourceType } from '../types.ts';
import { groupTypes, type DiscoveryDocument } from './grouping.ts';

/** "api/v1" for core, "apis/<group>/<version>" otherwise (the keys of the /openapi/v3 root). */
export function openapiGroupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The schema name kube-apiserver uses (io.k8s.api.core.v1.Pod, com.example.v1.Widget for CRDs). */
export function openapiSchemaName(rt: ResourceType): string {
  if (rt.custom) return [...rt.group.split('.').reverse(), rt.version, rt.kind].join('.');
  if (rt.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${rt.version}.${rt.kind}`;
  if (rt.group === 'metrics.k8s.io') return `io.k8s.metrics.pkg.apis.metrics.${rt.version}.${rt.kind}`;
  return `io.k8s.api.${rt.group === '' ? 'core' : rt.group.split('.')[0]}.${rt.version}.${rt.kind}`;
}

const queryParam = (name: string, type: 'string' | 'boolean' = 'string', description = '') => ({
  name,
  in: 'query',
  ...(description ? { description } : {}),
  schema: { type, uniqueItems: true },
});

const WRITE_PARAMS = [
  queryParam('dryRun', 'string', 'When present, indicates that modifications should not be persisted.'),
  queryParam('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  queryParam('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.'),
];

function operation(rt: ResourceType, action: string, id: string, params: unknown[]): Record<string, unknown> {
  return {
    tags: [rt.group ? `${rt.group.split('.')[0]}_${rt.version}` : `core_${rt.version}`],
    operationId: id,
    parameters: params,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: rt.group, version: rt.version, kind: rt.kind },
  };
}

function pathsFor(rt: ResourceType): Record<string, Record<string, unknown>> {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const collection = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.resource}` : `${base}/${rt.resource}`;
  const id = `${rt.kind}${rt.group ? rt.group.split('.')[0] : 'Core'}${rt.version}`;
  const has = (v: string) => rt.verbs.includes(v);
  const nsParam = { name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } };
  const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } };
  const out: Record<string, Record<string, unknown>> = {};

  const coll: Record<string, unknown> = {};
  if (has('list')) coll.get = operation(rt, 'list', `list${id}`, []);
  if (has('create')) coll.post = operation(rt, 'post', `create${id}`, WRITE_PARAMS);
  if (has('deletecollection')) coll.delete = operation(rt, 'deletecollection', `deletecollection${id}`, []);
  if (Object.keys(coll).length) out[collection] = { ...coll, ...(rt.namespaced ? { parameters: [nsParam] } : {}) };

  const item: Record<string, unknown> = {};
  if (has('get')) item.get = operation(rt, 'get', `read${id}`, []);
  if (has('patch')) item.patch = operation(rt, 'patch', `patch${id}`, [...WRITE_PARAMS, queryParam('force', 'boolean')]);
  if (has('delete')) item.delete = operation(rt, 'delete', `delete${id}`, []);
  if (Object.keys(item).length) out[`${collection}/{name}`] = { ...item, parameters: rt.namespaced ? [nameParam, nsParam] : [nameParam] };
  return out;
}

const TYPE_META_PROPERTIES = {
  apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
  kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
  metadata: { type: 'object', description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
};

const openObject = (description: string) => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

/**
 * Top-level fields of built-in kinds, so `kubectl explain <kind>.<field>` resolves them. Nested
 * fields stay open (the server, not kubectl, validates built-ins here).
 */
const TOP_LEVEL_FIELDS: Record<string, Record<string, unknown>> = {
  ConfigMap: { data: openObject('Data contains the configuration data.'), binaryData: openObject('BinaryData contains the binary data.'), immutable: { type: 'boolean', description: 'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.' } },
  Secret: { data: openObject('Data contains the secret data (base64).'), stringData: openObject('stringData allows specifying non-binary secret data in string form.'), type: { type: 'string', description: 'Used to facilitate programmatic handling of secret data.' }, immutable: { type: 'boolean', description: 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated.' } },
  ServiceAccount: { secrets: { type: 'array', items: openObject('ObjectReference'), description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.' }, imagePullSecrets: { type: 'array', items: openObject('LocalObjectReference'), description: 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images.' }, automountServiceAccountToken: { type: 'boolean', description: 'Whether pods running as this service account should have an API token automatically mounted.' } },
  Role: { rules: { type: 'array', items: openObject('PolicyRule'), description: 'Rules holds all the PolicyRules for this Role.' } },
  ClusterRole: { rules: { type: 'array', items: openObject('PolicyRule'), description: 'Rules holds all the PolicyRules for this ClusterRole.' }, aggregationRule: openObject('AggregationRule is an optional field that describes how to build the Rules for this ClusterRole.') },
  RoleBinding: { roleRef: openObject('RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'), subjects: { type: 'array', items: openObject('Subject'), description: 'Subjects holds references to the objects the role applies to.' } },
  Event: { involvedObject: openObject('The object that this event is about.'), reason: { type: 'string', description: 'A short, machine understandable string that gives the reason for the transition into the object\'s current status.' }, message: { type: 'string', description: 'A human-readable description of the status of this operation.' }, type: { type: 'string', description: 'Type of this event (Normal, Warning).' } },
  Endpoints: { subsets: { type: 'array', items: openObject('EndpointSubset'), description: 'The set of all endpoints is the union of all subsets.' } },
  ClusterRoleBinding: { roleRef: openObject('RoleRef can only reference a ClusterRole in the global namespace.'), subjects: { type: 'array', items: openObject('Subject'), description: 'Subjects holds references to the objects the role applies to.' } },
};

function builtinProperties(rt: ResourceType): Record<string, unknown> {
  const own = TOP_LEVEL_FIELDS[rt.kind] ?? {
    spec: openObject(`Spec defines the desired state of the ${rt.kind}.`),
    ...(rt.subresources.includes('status') ? { status: openObject(`Status is the most recently observed status of the ${rt.kind}.`) } : {}),
  };
  return { ...TYPE_META_PROPERTIES, ...own };
}

function schemaFor(rt: ResourceType): Record<string, unknown> {
  const gvk = [{ group: rt.group, version: rt.version, kind: rt.kind }];
  const given = rt.openAPIV3Schema;
  if (given && typeof given === 'object' && !Array.isArray(given)) {
    const schema = given as Record<string, unknown>;
    const properties = { ...TYPE_META_PROPERTIES, ...((schema.properties as Record<string, unknown> | undefined) ?? {}) };
    return { ...schema, type: schema.type ?? 'object', properties, 'x-kubernetes-group-version-kind': gvk };
  }
  return {
    description: `${rt.kind} (${rt.group || 'core'}/${rt.version}).`,
    type: 'object',
    properties: rt.custom ? TYPE_META_PROPERTIES : builtinProperties(rt),
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': gvk,
  };
}

/**
 * The CRD's openAPIV3Schema for a CRD-backed type that does not carry one itself, so `kubectl
 * explain` shows real fields. `crds` are the stored CustomResourceDefinition objects.
 */
function withCrdSchemas(types: ResourceType[], crds: KubeObject[]): ResourceType[] {
  if (crds.length === 0) return types;
  return types.map((rt) => {
    if (!rt.custom || rt.openAPIV3Schema !== undefined) return rt;
    const crd = crds.find((c) => {
      const spec = (c.spec ?? {}) as { group?: string; names?: { plural?: string } };
      return spec.group === rt.group && spec.names?.plural === rt.resource;
    });
    const versions = ((crd?.spec ?? {}) as { versions?: Array<{ name?: string; schema?: { openAPIV3Schema?: unknown } }> }).versions ?? [];
    const schema = versions.find((v) => v.name === rt.version)?.schema?.openAPIV3Schema;
    return schema === undefined ? rt : { ...rt, openAPIV3Schema: schema };
  });
}

/**
 * GET /openapi/v3/<gvPath> (e.g. "api/v1", "apis/apps/v1"); undefined when not served.
 * Called as (types, gvPath) or (types, crds, gvPath), optionally followed by the gitVersion.
 */
export function openapiV3GroupVersion(types: ResourceType[], gvPath: string, kubernetesGitVersion?: string): DiscoveryDocument | undefined;
export function openapiV3GroupVersion(types: ResourceType[], crds: KubeObject[], gvPath: string, kubernetesGitVersion?: string): DiscoveryDocument | undefined;
export function openapiV3GroupVersion(types: ResourceType[], a: string | KubeObject[], b?: string, c?: string): DiscoveryDocument | undefined {
  const [crds, gvPath, gitVersion] = Array.isArray(a) ? [a, b ?? '', c] : [[], a, b];
  return buildGroupVersion(withCrdSchemas(types, crds), gvPath, gitVersion ?? 'v1.33.0');
}

function buildGroupVersion(types: ResourceType[], gvPath: string, kubernetesGitVersion: string): DiscoveryDocument | undefined {
  const path = gvPath.split('?')[0].replace(/^\/+|\/+$/g, '').replace(/^openapi\/v3\//, '');
  const served = types
    .filter((t) => openapiGroupVersionPath(t.group, t.version) === path)
    .sort((x, y) => (x.resource < y.resource ? -1 : x.resource > y.resource ? 1 : 0));
  if (served.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const rt of served) {
    Object.assign(paths, pathsFor(rt));
    schemas[openapiSchemaName(rt)] = schemaFor(rt);
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: kubernetesGitVersion }, paths, components: { schemas } };
}

/**
 * GET /openapi/v3: every served group-version, each URL carrying a hash of that document, which
 * changes with its content (kubectl caches the documents by URL). Called as (types) or (types, crds).
 */
export function openapiV3Root(types: ResourceType[], crdsOrGitVersion?: KubeObject[] | string, kubernetesGitVersion?: string): DiscoveryDocument {
  const crds = Array.isArray(crdsOrGitVersion) ? crdsOrGitVersion : [];
  const gitVersion = (typeof crdsOrGitVersion === 'string' ? crdsOrGitVersion : kubernetesGitVersion) ?? 'v1.33.0';
  const enriched = withCrdSchemas(types, crds);
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of groupTypes(enriched)) {
    for (const v of g.versions) {
      const path = openapiGroupVersionPath(g.group, v.version);
      const doc = buildGroupVersion(v.types, path, gitVersion);
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    }
  }
  return { paths };
}
