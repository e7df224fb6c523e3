// /openapi/v3 documents: what kubectl apply's validation and kubectl explain look for.
import { describe, expect, it } from 'vitest';
import { builtinResourceTypes } from '../../harness/controlplane/catalog/index.ts';
import { openapiV3GroupVersion, openapiV3Root } from '../../harness/controlplane/discovery/index.ts';
import type { KubeObject, ResourceType } from '../../harness/controlplane/types.ts';

const builtins = builtinResourceTypes();

type Doc = { openapi: string; info: { version: string }; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Record<string, any>> } };

const widgetSchema = {
  type: 'object',
  properties: { spec: { type: 'object', properties: { size: { type: 'integer', description: 'How big.' } } }, status: { type: 'object' } },
};

function widgetType(extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', listKind: 'WidgetList', singular: 'widget',
    namespaced: true, verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status'], custom: true, ...extra,
  };
}

const widgetCrd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', names: { plural: 'widgets', kind: 'Widget' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: widgetSchema } }] },
};

/** kubectl's check (queryparams_v3.go): some PATCH op with this GVK declares the fieldValidation query parameter. */
function supportsFieldValidation(doc: Doc, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(doc.paths)) {
    const op = item.patch;
    if (!op) continue;
    const ext = op['x-kubernetes-group-version-kind'];
    if (ext?.group !== gvk.group || ext?.version !== gvk.version || ext?.kind !== gvk.kind) continue;
    return (op.parameters as Array<{ name: string; in: string }>).some((p) => p.name === 'fieldValidation' && p.in === 'query');
  }
  return false;
}

describe('OpenAPI v3', () => {
  it('the root lists every served group-version with a hashed serverRelativeURL', () => {
    const root = openapiV3Root(builtins) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(root.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/apiextensions.k8s.io/v1', 'apis/rbac.authorization.k8s.io/v1']));
    expect(root.paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    expect(root.paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
  });

  it('each stored kind has a PATCH operation with a GVK object and the fieldValidation parameter', () => {
    const core = openapiV3GroupVersion(builtins, 'api/v1') as Doc;
    expect(core.openapi).toBe('3.0.0');
    const cm = core.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    expect(cm.patch['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'ConfigMap' });
    expect(cm.put).toBeUndefined();
    expect(core.paths['/api/v1/namespaces/{name}'].patch['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'Namespace' });
    for (const rt of builtins.filter((t) => t.verbs.includes('patch'))) {
      const path = rt.group ? `apis/${rt.group}/${rt.version}` : `api/${rt.version}`;
      const doc = openapiV3GroupVersion(builtins, path) as Doc;
      expect(supportsFieldValidation(doc, rt), `${path} ${rt.kind}`).toBe(true);
    }
    // Create-only and read-only kinds have no PATCH operation.
    const authz = openapiV3GroupVersion(builtins, 'apis/authorization.k8s.io/v1') as Doc;
    expect(Object.values(authz.paths).some((p) => p.patch)).toBe(false);
    expect(authz.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'].post).toBeDefined();
  });

  it('components.schemas carry x-kubernetes-group-version-kind as an array', () => {
    const apps = openapiV3GroupVersion(builtins, 'apis/apps/v1') as Doc;
    expect(apps.components.schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    const crds = openapiV3GroupVersion(builtins, '/openapi/v3/apis/apiextensions.k8s.io/v1?hash=abc') as Doc;
    expect(crds.components.schemas['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition']).toBeDefined();
  });

  it('unknown group-versions are undefined', () => {
    expect(openapiV3GroupVersion(builtins, 'apis/example.com/v1')).toBeUndefined();
    expect(openapiV3GroupVersion(builtins, 'api/v2')).toBeUndefined();
  });

  it('a CRD type gets its schema (from the type or from the stored CRD) under its reversed-group name', () => {
    for (const doc of [
      openapiV3GroupVersion([...builtins, widgetType({ openAPIV3Schema: widgetSchema })], 'apis/example.com/v1') as Doc,
      openapiV3GroupVersion([...builtins, widgetType()], [widgetCrd], 'apis/example.com/v1') as Doc,
    ]) {
      const schema = doc.components.schemas['com.example.v1.Widget'];
      expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
      expect(schema.properties.spec.properties.size).toEqual({ type: 'integer', description: 'How big.' });
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
      expect(supportsFieldValidation(doc, { group: 'example.com', version: 'v1', kind: 'Widget' })).toBe(true);
    }
  });

  it('the hash of a group-version changes when its content changes, and only then', () => {
    type Root = { paths: Record<string, { serverRelativeURL: string }> };
    const before = openapiV3Root(builtins) as Root;
    const again = openapiV3Root(builtinResourceTypes()) as Root;
    expect(again).toEqual(before);
    const withCrd = openapiV3Root([...builtins, widgetType()], [widgetCrd]) as Root;
    expect(before.paths['apis/example.com/v1']).toBeUndefined();
    expect(withCrd.paths['apis/example.com/v1'].serverRelativeURL).toMatch(/\?hash=[0-9A-F]{128}$/);
    expect(withCrd.paths['api/v1']).toEqual(before.paths['api/v1']);
    // A schema change in the CRD changes that group-version's hash.
    const changedCrd = structuredClone(widgetCrd);
    (changedCrd.spec as any).versions[0].schema.openAPIV3Schema.properties.spec.properties.colour = { type: 'string' };
    const changed = openapiV3Root([...builtins, widgetType()], [changedCrd]) as Root;
    expect(changed.paths['apis/example.com/v1'].serverRelativeURL).not.toBe(withCrd.paths['apis/example.com/v1'].serverRelativeURL);
  });
});
