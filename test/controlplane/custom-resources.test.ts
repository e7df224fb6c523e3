// CRDs and custom resources: establishment and discovery at once, schema defaulting/pruning per
// fieldValidation, 422 validation, status and scale subresources, CRD deletion via its finalizer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { api } from './helpers.ts';

let cp: ControlPlane;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const GADGETS = '/apis/example.com/v1/namespaces/default/gadgets';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList', shortNames: ['gd'] },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1, default: 3 }, replicas: { type: 'integer' }, color: { type: 'string', enum: ['red', 'blue'] } } },
            status: { type: 'object', properties: { phase: { type: 'string' }, replicas: { type: 'integer' } } },
          },
        },
      },
    }],
  },
};

function gadget(name: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name }, spec };
}

beforeAll(async () => {
  cp = await startControlPlane({ controllers: [] });
});
afterAll(async () => cp?.stop());

describe('custom resources', () => {
  it('establishes a CRD and serves it in discovery at once', async () => {
    const created = await api(cp, 'POST', CRDS, { body: crd });
    expect(created.status).toBe(201);
    const conditions = Object.fromEntries(created.body.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status]));
    expect(conditions).toMatchObject({ NamesAccepted: 'True', Established: 'True' });
    expect(created.body.status.storedVersions).toEqual(['v1']);
    expect(created.body.status.acceptedNames.kind).toBe('Gadget');
    expect(created.body.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io');
    const discovery = await api(cp, 'GET', '/apis/example.com/v1');
    expect(discovery.body.resources.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['gadgets', 'gadgets/status', 'gadgets/scale']));
    const badCrd = await api(cp, 'POST', CRDS, { body: { ...crd, metadata: { name: 'wrong.example.com' } } });
    expect(badCrd.status).toBe(422);
  });

  it('defaults, prunes per fieldValidation, and validates', async () => {
    const strict = await api(cp, 'POST', `${GADGETS}?fieldValidation=Strict`, { body: gadget('g0', { size: 2, bogus: 1 }) });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.bogus"');
    const warn = await api(cp, 'POST', `${GADGETS}?fieldValidation=Warn`, { body: gadget('g1', { bogus: 1 }) });
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field \\"spec.bogus\\"');
    expect(warn.body.spec).toEqual({ size: 3 });
    const ignore = await api(cp, 'POST', `${GADGETS}?fieldValidation=Ignore`, { body: gadget('g2', { bogus: 1, size: 5 }) });
    expect(ignore.headers.warning).toBeUndefined();
    expect(ignore.body.spec).toEqual({ size: 5 });
    const invalid = await api(cp, 'POST', GADGETS, { body: gadget('g3', { size: 0, color: 'green' }) });
    expect(invalid.status).toBe(422);
    expect(invalid.body.reason).toBe('Invalid');
    expect(invalid.body.message).toMatch(/^Gadget\.example\.com "g3" is invalid: /);
    expect(invalid.body.details.causes.map((c: { field: string }) => c.field)).toEqual(expect.arrayContaining(['spec.size', 'spec.color']));
  });

  it('splits status, bumps generation on spec changes and serves scale', async () => {
    const g = (await api(cp, 'POST', GADGETS, { body: { ...gadget('s1', { replicas: 1 }), status: { phase: 'Ignored' } } })).body;
    expect(g.status).toBeUndefined();
    const st = await api(cp, 'PATCH', `${GADGETS}/s1/status`, { body: { status: { phase: 'Ready', replicas: 1 }, spec: { size: 9 } }, contentType: 'application/merge-patch+json' });
    expect(st.body.status.phase).toBe('Ready');
    expect(st.body.spec.size).toBe(3);
    expect(st.body.metadata.generation).toBe(1);
    const spec = await api(cp, 'PATCH', `${GADGETS}/s1`, { body: { spec: { size: 4 }, status: { phase: 'Nope' } }, contentType: 'application/merge-patch+json' });
    expect(spec.body.metadata.generation).toBe(2);
    expect(spec.body.status.phase).toBe('Ready');
    const scale = await api(cp, 'PUT', `${GADGETS}/s1/scale`, { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 's1' }, spec: { replicas: 4 } } });
    expect(scale.body).toMatchObject({ kind: 'Scale', spec: { replicas: 4 }, status: { replicas: 1 } });
    expect((await api(cp, 'GET', `${GADGETS}/s1`)).body.spec.replicas).toBe(4);
    const table = await api(cp, 'GET', GADGETS, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.body.kind).toBe('Table');
    expect(table.body.columnDefinitions.map((c: { name: string }) => c.name)).toContain('Size');
  });

  it('keeps a deleted CRD until its cleanup finalizer goes, then stops serving the type', async () => {
    const del = await api(cp, 'DELETE', `${CRDS}/gadgets.example.com`);
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    expect((await api(cp, 'GET', `${GADGETS}/s1`)).status).toBe(200);
    const current = (await api(cp, 'GET', `${CRDS}/gadgets.example.com`)).body;
    const done = await api(cp, 'PUT', `${CRDS}/gadgets.example.com`, { body: { ...current, metadata: { ...current.metadata, finalizers: [] } } });
    expect(done.status).toBe(200);
    expect((await api(cp, 'GET', `${CRDS}/gadgets.example.com`)).status).toBe(404);
    expect((await api(cp, 'GET', GADGETS)).status).toBe(404);
    expect((await api(cp, 'GET', '/apis/example.com/v1')).status).toBe(404);
  });
});
