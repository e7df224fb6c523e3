// Malformed and invalid requests: each must get the right 4xx Status (code AND reason) and the
// server must stay healthy afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { api, type ApiRequest } from './helpers.ts';

interface Case extends ApiRequest {
  name: string;
  method: string;
  path: string;
  code: number;
  reason: string;
}

const NS = 'bad';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const WIDGETS = `/apis/example.com/v1/namespaces/${NS}/widgets`;

function cases(): Case[] {
  const out: Case[] = [];
  const add = (c: Case) => out.push(c);

  // Broken JSON bodies on create, update and patch.
  const brokenJson = ['{', '{"metadata":', 'nul', '[1,2', '{"metadata":}', '{"a":1}}', "{'a':1}", '{"a":1,}', '{"a" 1}', 'undefined', '{"a":tru}', '{"a":"\\x"}', '\u0000', '{"a":[}', '{{}}'];
  brokenJson.forEach((raw, i) => {
    add({ name: `create broken json #${i}`, method: 'POST', path: CM, raw, code: 400, reason: 'BadRequest' });
    add({ name: `update broken json #${i}`, method: 'PUT', path: `${CM}/base`, raw, code: 400, reason: 'BadRequest' });
    add({ name: `merge patch broken json #${i}`, method: 'PATCH', path: `${CM}/base`, raw, contentType: MERGE, code: 400, reason: 'BadRequest' });
  });
  // Well-formed JSON that is not an object.
  for (const raw of ['[]', '1', '"x"', 'null', 'true', '[{"metadata":{"name":"a"}}]']) {
    add({ name: `create non-object ${raw}`, method: 'POST', path: CM, raw, code: 400, reason: 'BadRequest' });
  }
  // Envelope mismatches.
  for (const [apiVersion, kind] of [['v2', 'ConfigMap'], ['apps/v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'Pod'], ['batch/v1', 'Job'], ['x/y/z', 'ConfigMap']]) {
    add({ name: `create ${apiVersion} ${kind} at configmaps`, method: 'POST', path: CM, body: { apiVersion, kind, metadata: { name: 'env' } }, code: 400, reason: 'BadRequest' });
  }
  for (const metadata of ['str', 5, [], true]) add({ name: `metadata ${JSON.stringify(metadata)}`, method: 'POST', path: CM, body: { metadata }, code: 400, reason: 'BadRequest' });
  for (const name of [5, true, { a: 1 }, ['a']]) add({ name: `non-string name ${JSON.stringify(name)}`, method: 'POST', path: CM, body: { metadata: { name } }, code: 400, reason: 'BadRequest' });
  add({ name: 'create with resourceVersion', method: 'POST', path: CM, body: { metadata: { name: 'x', resourceVersion: '1' } }, code: 400, reason: 'BadRequest' });
  add({ name: 'create with other namespace', method: 'POST', path: CM, body: { metadata: { name: 'x', namespace: 'default' } }, code: 400, reason: 'BadRequest' });

  // Invalid names (DNS-1123 subdomain for configmaps, label for namespaces and services).
  const badSubdomains = ['Upper', 'under_score', '-lead', 'trail-', 'trail.', '.lead', 'sp ace', 'a..b', 'ü', 'a/b', 'a%b', 'x'.repeat(254), 'a*', 'a:b', 'A.b.c', '@', 'a@b', 'a,b'];
  for (const n of badSubdomains) add({ name: `configmap name ${n.slice(0, 20)}`, method: 'POST', path: CM, body: { metadata: { name: n } }, code: 422, reason: 'Invalid' });
  for (const n of ['a.b', 'x'.repeat(64), 'Upper', 'under_score', '-a', 'a-', '1.2']) {
    add({ name: `namespace name ${n.slice(0, 20)}`, method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: n } }, code: 422, reason: 'Invalid' });
    add({ name: `service name ${n.slice(0, 20)}`, method: 'POST', path: `/api/v1/namespaces/${NS}/services`, body: { metadata: { name: n }, spec: { ports: [{ port: 80 }] } }, code: 422, reason: 'Invalid' });
  }
  add({ name: 'no name, no generateName', method: 'POST', path: CM, body: { metadata: {} }, code: 422, reason: 'Invalid' });
  add({ name: 'empty body object', method: 'POST', path: CM, body: {}, code: 422, reason: 'Invalid' });
  // Invalid labels, annotations, finalizers.
  const badLabels: Array<Record<string, unknown>> = [
    { 'bad key': 'v' }, { '-a': 'v' }, { 'a/b/c': 'v' }, { k: 'bad value' }, { k: 'x'.repeat(64) }, { k: '-v' }, { ['p'.repeat(64)]: 'v' }, { 'UPPER.example.com_/x': 'v' },
    { k: 5 }, { k: true }, { '': 'v' }, { 'a/': 'v' },
  ];
  badLabels.forEach((labels, i) => add({ name: `bad labels #${i}`, method: 'POST', path: CM, body: { metadata: { name: `l${i}`, labels } }, code: 422, reason: 'Invalid' }));
  for (const annotations of [{ 'bad key': 'v' }, { k: 5 }]) add({ name: `bad annotations ${JSON.stringify(annotations)}`, method: 'POST', path: CM, body: { metadata: { name: 'an', annotations } }, code: 422, reason: 'Invalid' });
  for (const finalizers of [['bad finalizer'], [5], ['a/b/c']]) add({ name: `bad finalizers ${JSON.stringify(finalizers)}`, method: 'POST', path: CM, body: { metadata: { name: 'fz', finalizers } }, code: 422, reason: 'Invalid' });

  // Unknown groups, versions, resources, subresources; missing namespaces and objects.
  const unknownPaths = [
    '/api/v1/foos', '/api/v2/pods', '/apis/nope/v1/things', '/apis/apps/v9/deployments', '/apis/apps/v1/pods', `/api/v1/namespaces/${NS}/foos`,
    '/apis/example.com/v1/gadgets', '/api/v1/namespaces/x/y/z/w/v', '/apis/apps/v1beta9', '/apis/nope', '/nonsense', '/api/v1/namespaces/bad/configmaps/base/nope',
    '/openapi/v2', '/openapi/v3/apis/nope/v1', `/api/v1/namespaces/${NS}/configmaps/base/status`, '/apis/batch/v2/jobs', '/apis/apps/v1/namespaces/bad/deployments/x/y', '/healthz/nope/deeper',
  ];
  for (const p of unknownPaths) add({ name: `GET ${p}`, method: 'GET', path: p, code: 404, reason: 'NotFound' });
  for (const n of ['missing', 'a', 'b', 'zz', 'base2']) {
    add({ name: `get missing ${n}`, method: 'GET', path: `${CM}/${n}`, code: 404, reason: 'NotFound' });
    add({ name: `delete missing ${n}`, method: 'DELETE', path: `${CM}/${n}`, code: 404, reason: 'NotFound' });
    add({ name: `merge-patch missing ${n}`, method: 'PATCH', path: `${CM}/${n}`, body: { data: {} }, contentType: MERGE, code: 404, reason: 'NotFound' });
    add({ name: `update missing ${n}`, method: 'PUT', path: `${CM}/${n}`, body: { metadata: { name: n } }, code: 404, reason: 'NotFound' });
  }
  for (const ns of ['nope', 'gone', 'x1']) add({ name: `create in missing ns ${ns}`, method: 'POST', path: `/api/v1/namespaces/${ns}/configmaps`, body: { metadata: { name: 'a' } }, code: 404, reason: 'NotFound' });

  for (const p of ['/api/v1/namespaces/%E0%A4%A/configmaps', '/api/v1/namespaces/bad/configmaps/%ZZ', '/apis/%/v1/x']) {
    add({ name: `bad escape ${p}`, method: 'GET', path: p, code: 400, reason: 'BadRequest' });
  }

  // Selectors.
  const badLabelSelectors = ['a in', 'a in (', 'a notin ()', '!', '=b', 'a=b!', 'a=b=c', 'a in (b', '(a)', 'a b', 'a,,b', 'a=(b)', 'bad key=v', 'a=b c', '!a=b', 'a!=!b', 'k=' + 'v'.repeat(64), '-a=b', 'a in b', 'a notin b'];
  for (const s of badLabelSelectors) add({ name: `labelSelector ${s.slice(0, 20)}`, method: 'GET', path: `${CM}?labelSelector=${encodeURIComponent(s)}`, code: 400, reason: 'BadRequest' });
  const badFieldSelectors = ['spec.foo=x', 'data.a=b', 'status.phase=Running', 'metadata.labels=x', 'metadata.uid=1', 'nope', 'a', '=x', 'metadata.name', 'kind=ConfigMap'];
  for (const s of badFieldSelectors) add({ name: `fieldSelector ${s}`, method: 'GET', path: `${CM}?fieldSelector=${encodeURIComponent(s)}`, code: 400, reason: 'BadRequest' });
  add({ name: 'watch with bad selector', method: 'GET', path: `${CM}?watch=true&labelSelector=${encodeURIComponent('a in (')}`, code: 400, reason: 'BadRequest' });

  // Query parameters.
  for (const q of ['limit=abc', 'limit=1.5', 'limit=-1', 'continue=garbage', 'continue=eyJ2IjoxfQ', 'resourceVersion=abc', 'resourceVersion=-1', 'timeoutSeconds=x&watch=true', 'allowWatchBookmarks=maybe&watch=true', 'watch=true&resourceVersion=x']) {
    add({ name: `list ?${q}`, method: 'GET', path: `${CM}?${q}`, code: 400, reason: 'BadRequest' });
  }
  for (const q of ['dryRun=Some', 'dryRun=all', 'fieldValidation=Maybe', 'fieldValidation=strict', `fieldManager=${'m'.repeat(129)}`]) {
    add({ name: `create ?${q.slice(0, 30)}`, method: 'POST', path: `${CM}?${q}`, body: { metadata: { name: 'qp' } }, code: 400, reason: 'BadRequest' });
  }
  add({ name: 'watch sendInitialEvents without NotOlderThan', method: 'GET', path: `${CM}?watch=true&sendInitialEvents=true`, code: 422, reason: 'Invalid' });
  add({ name: 'watch sendInitialEvents without bookmarks', method: 'GET', path: `${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`, code: 422, reason: 'Invalid' });
  add({ name: 'bad includeObject', method: 'GET', path: CM, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io', code: 400, reason: 'BadRequest', headers: {} });
  out[out.length - 1].path = `${CM}?includeObject=Everything`;

  // Patches.
  for (const body of [{ op: 'add' }, 'str', 5, { data: {} }]) add({ name: `json patch not an array ${JSON.stringify(body)}`, method: 'PATCH', path: `${CM}/base`, body, contentType: JSON_PATCH, code: 400, reason: 'BadRequest' });
  for (const raw of ['[', '[{]', 'nope']) add({ name: `json patch broken ${raw}`, method: 'PATCH', path: `${CM}/base`, raw, contentType: JSON_PATCH, code: 400, reason: 'BadRequest' });
  for (const ops of [[{ op: 'remove', path: '/data/absent' }], [{ op: 'test', path: '/data/a', value: 'nope' }], [{ op: 'replace', path: '/nope/deeper', value: 1 }]]) {
    add({ name: `json patch failing ${JSON.stringify(ops)}`, method: 'PATCH', path: `${CM}/base`, body: ops, contentType: JSON_PATCH, code: 422, reason: 'Invalid' });
  }
  for (const body of [[], [1], 'str']) add({ name: `merge patch non-object ${JSON.stringify(body)}`, method: 'PATCH', path: `${CM}/base`, body, contentType: MERGE, code: 400, reason: 'BadRequest' });
  for (const body of [[], 'str']) add({ name: `strategic patch non-object ${JSON.stringify(body)}`, method: 'PATCH', path: `${CM}/base`, body, contentType: 'application/strategic-merge-patch+json', code: 400, reason: 'BadRequest' });
  add({ name: 'merge patch stale resourceVersion', method: 'PATCH', path: `${CM}/base`, body: { metadata: { resourceVersion: '1' } }, contentType: MERGE, code: 409, reason: 'Conflict' });
  add({ name: 'merge patch renames', method: 'PATCH', path: `${CM}/base`, body: { metadata: { name: 'other' } }, contentType: MERGE, code: 400, reason: 'BadRequest' });
  add({ name: 'merge patch bad label', method: 'PATCH', path: `${CM}/base`, body: { metadata: { labels: { 'bad key': 'v' } } }, contentType: MERGE, code: 422, reason: 'Invalid' });
  add({ name: 'apply without fieldManager', method: 'PATCH', path: `${CM}/base`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'base' } }, contentType: 'application/apply-patch+yaml', code: 400, reason: 'BadRequest' });
  add({ name: 'apply broken yaml', method: 'PATCH', path: `${CM}/base?fieldManager=t`, raw: 'a: [', contentType: 'application/apply-patch+yaml', code: 400, reason: 'BadRequest' });
  add({ name: 'apply yaml list', method: 'PATCH', path: `${CM}/base?fieldManager=t`, raw: '- a\n- b\n', contentType: 'application/apply-patch+yaml', code: 400, reason: 'BadRequest' });
  add({ name: 'force on merge patch', method: 'PATCH', path: `${CM}/base?force=true`, body: {}, contentType: MERGE, code: 400, reason: 'BadRequest' });
  for (const ct of ['application/json', 'text/plain', 'application/xml', 'application/apply-patch+cbor', 'application/cbor', '']) {
    add({ name: `patch content type "${ct}"`, method: 'PATCH', path: `${CM}/base`, body: {}, contentType: ct || 'application/x-empty', code: 415, reason: 'UnsupportedMediaType' });
  }
  add({ name: 'strategic patch on a custom resource', method: 'PATCH', path: `${WIDGETS}/w1`, body: { spec: {} }, contentType: 'application/strategic-merge-patch+json', code: 415, reason: 'UnsupportedMediaType' });

  // Media types and sizes on create.
  for (const ct of ['application/cbor', 'text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data', 'application/x-www-form-urlencoded']) {
    add({ name: `create as ${ct}`, method: 'POST', path: CM, raw: '{"metadata":{"name":"ct"}}', contentType: ct, code: 415, reason: 'UnsupportedMediaType' });
  }
  add({ name: 'oversized create', method: 'POST', path: CM, raw: JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3.5 * 1024 * 1024) } }), code: 413, reason: 'RequestEntityTooLarge' });
  add({ name: 'oversized update', method: 'PUT', path: `${CM}/base`, raw: 'x'.repeat(4 * 1024 * 1024), code: 413, reason: 'RequestEntityTooLarge' });
  const truncated = [Buffer.from('k8s'), Buffer.from('k8s\0'), Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a]), Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x10, 0x0a]), Buffer.from('not protobuf at all'), Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff])];
  truncated.forEach((raw, i) => add({ name: `truncated protobuf #${i}`, method: 'POST', path: CM, raw, contentType: 'application/vnd.kubernetes.protobuf', code: 400, reason: 'BadRequest' }));
  // Missing bodies.
  add({ name: 'create without body', method: 'POST', path: CM, code: 400, reason: 'BadRequest', contentType: 'application/json' });
  add({ name: 'update without body', method: 'PUT', path: `${CM}/base`, code: 400, reason: 'BadRequest', contentType: 'application/json' });
  add({ name: 'patch without body', method: 'PATCH', path: `${CM}/base`, code: 400, reason: 'BadRequest', contentType: MERGE });

  // Wrong methods.
  add({ name: 'PUT on a collection', method: 'PUT', path: CM, body: { metadata: { name: 'x' } }, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'PATCH on a collection', method: 'PATCH', path: CM, body: {}, contentType: MERGE, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'POST to a named object', method: 'POST', path: `${CM}/base`, body: { metadata: { name: 'base' } }, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'deletecollection of namespaces', method: 'DELETE', path: '/api/v1/namespaces', code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'OPTIONS on a resource', method: 'OPTIONS', path: CM, code: 405, reason: 'MethodNotAllowed' });
  add({ name: 'GET a review kind', method: 'GET', path: '/apis/authentication.k8s.io/v1/tokenreviews', code: 405, reason: 'MethodNotAllowed' });

  // Updates that do not match the URL.
  add({ name: 'update renames', method: 'PUT', path: `${CM}/base`, body: { metadata: { name: 'other' } }, code: 400, reason: 'BadRequest' });
  add({ name: 'update moves namespace', method: 'PUT', path: `${CM}/base`, body: { metadata: { name: 'base', namespace: 'default' } }, code: 400, reason: 'BadRequest' });
  add({ name: 'update stale', method: 'PUT', path: `${CM}/base`, body: { metadata: { name: 'base', resourceVersion: '1' } }, code: 409, reason: 'Conflict' });
  add({ name: 'create duplicate', method: 'POST', path: CM, body: { metadata: { name: 'base' } }, code: 409, reason: 'AlreadyExists' });
  add({ name: 'delete with wrong uid', method: 'DELETE', path: `${CM}/base`, body: { preconditions: { uid: 'x' } }, code: 409, reason: 'Conflict' });
  add({ name: 'delete with wrong rv', method: 'DELETE', path: `${CM}/base`, body: { preconditions: { resourceVersion: '1' } }, code: 409, reason: 'Conflict' });
  add({ name: 'delete bad policy', method: 'DELETE', path: `${CM}/base`, body: { propagationPolicy: 'Now' }, code: 422, reason: 'Invalid' });
  add({ name: 'delete broken body', method: 'DELETE', path: `${CM}/base`, raw: '{', code: 400, reason: 'BadRequest' });
  add({ name: 'delete protected namespace default', method: 'DELETE', path: '/api/v1/namespaces/default', code: 403, reason: 'Forbidden' });
  add({ name: 'delete protected namespace kube-public', method: 'DELETE', path: '/api/v1/namespaces/kube-public', code: 403, reason: 'Forbidden' });
  add({ name: 'scale to negative', method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/d1/scale`, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd1' }, spec: { replicas: -1 } }, code: 422, reason: 'Invalid' });
  add({ name: 'scale with wrong kind', method: 'PUT', path: `/apis/apps/v1/namespaces/${NS}/deployments/d1/scale`, body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' } }, code: 400, reason: 'BadRequest' });

  // Credentials.
  for (const token of ['wrong', 'x'.repeat(40), 'Bearer', 'a b', '0', 'admin', '%%%', 'e30.e30.e30', 'eyJhbGciOiJub25lIn0.e30.', 'x.y']) {
    add({ name: `bad token ${token.slice(0, 10)}`, method: 'GET', path: CM, token, code: 401, reason: 'Unauthorized' });
  }
  return out;
}

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane({ controllers: [] });
  expect((await api(cp, 'POST', '/api/v1/namespaces', { body: { metadata: { name: NS } } })).status).toBe(201);
  expect((await api(cp, 'POST', CM, { body: { metadata: { name: 'base' }, data: { a: 'b' } } })).status).toBe(201);
  const deployment = { metadata: { name: 'd1' }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  expect((await api(cp, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, { body: deployment })).status).toBe(201);
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
  expect((await api(cp, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status).toBe(201);
  expect((await api(cp, 'POST', WIDGETS, { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: {} } })).status).toBe(201);
});
afterAll(async () => cp?.stop());

describe('malformed requests', () => {
  const all = cases();
  it(`has at least 200 cases (${all.length})`, () => {
    expect(all.length).toBeGreaterThanOrEqual(200);
  });

  it('answers every malformed request with the right Status and stays up', async () => {
    const failures: string[] = [];
    for (const c of all) {
      const r = await api(cp, c.method, c.path, c);
      const reason = r.body?.reason;
      if (r.status !== c.code || reason !== c.reason || r.body?.kind !== 'Status') {
        failures.push(`${c.name}: got ${r.status} ${reason} (${r.body?.message ?? r.text.slice(0, 80)}), want ${c.code} ${c.reason}`);
      }
    }
    expect(failures).toEqual([]);
    const health = await api(cp, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.text).toBe('ok');
    const base = await api(cp, 'GET', `${CM}/base`);
    expect(base.body.data).toEqual({ a: 'b' });
  });
});
