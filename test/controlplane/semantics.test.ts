// API semantics over HTTPS: optimistic concurrency, generateName, finalizers, status split,
// generation, pagination, watch replay/410/bookmarks/initial events/timeouts, dryRun, deletecollection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { api, openWatch, until } from './helpers.ts';

let cp: ControlPlane;
const NS = 'sem';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments`;

function deployment(name: string, replicas = 1) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  };
}

beforeAll(async () => {
  cp = await startControlPlane({ controllers: [], bookmarkIntervalMs: 200 });
  const r = await api(cp, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
  expect(r.status).toBe(201);
});
afterAll(async () => cp?.stop());

describe('create/update semantics', () => {
  it('rejects a stale update with 409 Conflict and accepts an unconditional one', async () => {
    const created = await api(cp, 'POST', CM, { body: { metadata: { name: 'occ' }, data: { a: '1' } } });
    expect(created.status).toBe(201);
    const rv = created.body.metadata.resourceVersion;
    const first = await api(cp, 'PUT', `${CM}/occ`, { body: { ...created.body, data: { a: '2' } } });
    expect(first.status).toBe(200);
    expect(Number(first.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    const stale = await api(cp, 'PUT', `${CM}/occ`, { body: { ...created.body, data: { a: '3' } } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(stale.body.message).toBe('Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again');
    const { resourceVersion: _drop, ...meta } = created.body.metadata;
    const unconditional = await api(cp, 'PUT', `${CM}/occ`, { body: { ...created.body, metadata: meta, data: { a: '4' } } });
    expect(unconditional.status).toBe(200);
    expect(unconditional.body.data.a).toBe('4');
    const stalePatch = await api(cp, 'PATCH', `${CM}/occ`, { body: { metadata: { resourceVersion: rv }, data: { a: '5' } }, contentType: 'application/merge-patch+json' });
    expect(stalePatch.status).toBe(409);
  });

  it('AlreadyExists and create with resourceVersion', async () => {
    const again = await api(cp, 'POST', CM, { body: { metadata: { name: 'occ' } } });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');
    expect(again.body.message).toBe('configmaps "occ" already exists');
    const dep = await api(cp, 'POST', DEPLOY, { body: deployment('d0') });
    const dup = await api(cp, 'POST', DEPLOY, { body: deployment('d0') });
    expect(dep.status).toBe(201);
    expect(dup.body.message).toBe('deployments.apps "d0" already exists');
    const withRv = await api(cp, 'POST', CM, { body: { metadata: { name: 'rv', resourceVersion: '5' } } });
    expect(withRv.status).toBe(400);
    expect(withRv.body.reason).toBe('BadRequest');
  });

  it('generateName appends 5 characters from the kube alphabet', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await api(cp, 'POST', CM, { body: { metadata: { generateName: 'gen-' } } });
      expect(r.status).toBe(201);
      expect(r.body.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      names.add(r.body.metadata.name);
    }
    expect(names.size).toBe(5);
    const long = await api(cp, 'POST', CM, { body: { metadata: { generateName: `${'a'.repeat(70)}-` } } });
    expect(long.body.metadata.name).toHaveLength(63);
  });

  it('validates names (422 with causes) and the namespace lifecycle', async () => {
    const bad = await api(cp, 'POST', CM, { body: { metadata: { name: 'Bad_Name' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.details.causes[0].field).toBe('metadata.name');
    const missingNs = await api(cp, 'POST', '/api/v1/namespaces/nope/configmaps', { body: { metadata: { name: 'x' } } });
    expect(missingNs.status).toBe(404);
    expect(missingNs.body.message).toBe('namespaces "nope" not found');
    const protectedNs = await api(cp, 'DELETE', '/api/v1/namespaces/kube-system');
    expect(protectedNs.status).toBe(403);
  });

  it('blocks creation in a terminating namespace', async () => {
    await api(cp, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'doomed' } } });
    const del = await api(cp, 'DELETE', '/api/v1/namespaces/doomed');
    expect(del.status).toBe(200);
    expect(del.body.status.phase).toBe('Terminating');
    const r = await api(cp, 'POST', '/api/v1/namespaces/doomed/configmaps', { body: { metadata: { name: 'x' } } });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('unable to create new content in namespace doomed because it is being terminated');
    const fin = await api(cp, 'PUT', '/api/v1/namespaces/doomed/finalize', { body: { ...del.body, spec: { finalizers: [] } } });
    expect(fin.status).toBe(200);
    expect((await api(cp, 'GET', '/api/v1/namespaces/doomed')).status).toBe(404);
  });

  it('splits status from spec and bumps generation only on spec changes', async () => {
    const d = (await api(cp, 'POST', DEPLOY, { body: { ...deployment('d1'), status: { replicas: 9 } } })).body;
    expect(d.metadata.generation).toBe(1);
    expect(d.status).toBeUndefined();
    const st = await api(cp, 'PUT', `${DEPLOY}/d1/status`, { body: { ...d, spec: { ...d.spec, replicas: 5 }, status: { replicas: 1 } } });
    expect(st.status).toBe(200);
    expect(st.body.status.replicas).toBe(1);
    expect(st.body.spec.replicas).toBe(1);
    expect(st.body.metadata.generation).toBe(1);
    const main = await api(cp, 'PUT', `${DEPLOY}/d1`, { body: { ...st.body, spec: { ...st.body.spec, replicas: 3 }, status: { replicas: 7 } } });
    expect(main.body.spec.replicas).toBe(3);
    expect(main.body.status.replicas).toBe(1);
    expect(main.body.metadata.generation).toBe(2);
    const label = await api(cp, 'PATCH', `${DEPLOY}/d1`, { body: { metadata: { labels: { x: 'y' } } }, contentType: 'application/merge-patch+json' });
    expect(label.body.metadata.generation).toBe(2);
    const scale = await api(cp, 'GET', `${DEPLOY}/d1/scale`);
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 } });
    const scaled = await api(cp, 'PATCH', `${DEPLOY}/d1/scale`, { body: { spec: { replicas: 6 } }, contentType: 'application/merge-patch+json' });
    expect(scaled.body.spec.replicas).toBe(6);
    expect((await api(cp, 'GET', `${DEPLOY}/d1`)).body.spec.replicas).toBe(6);
  });

  it('applies built-in defaults: Secret stringData into data, replicas, job counts', async () => {
    const secret = await api(cp, 'POST', `/api/v1/namespaces/${NS}/secrets`, { body: { metadata: { name: 's1' }, stringData: { token: 'fake-value' }, data: { other: 'eA==' } } });
    expect(secret.body.data).toEqual({ other: 'eA==', token: Buffer.from('fake-value').toString('base64') });
    expect(secret.body.stringData).toBeUndefined();
    expect(secret.body.type).toBe('Opaque');
    const d = deployment('d-default');
    delete (d.spec as { replicas?: number }).replicas;
    expect((await api(cp, 'POST', DEPLOY, { body: d })).body.spec.replicas).toBe(1);
  });

  it('a no-op update keeps the resourceVersion', async () => {
    const c = (await api(cp, 'POST', CM, { body: { metadata: { name: 'noop' }, data: { a: 'b' } } })).body;
    const u = await api(cp, 'PUT', `${CM}/noop`, { body: c });
    expect(u.body.metadata.resourceVersion).toBe(c.metadata.resourceVersion);
  });
});

describe('deletion', () => {
  it('keeps an object with finalizers until they are removed', async () => {
    await api(cp, 'POST', CM, { body: { metadata: { name: 'fin', finalizers: ['example.com/hold'] } } });
    const del = await api(cp, 'DELETE', `${CM}/fin`);
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    const still = await api(cp, 'GET', `${CM}/fin`);
    expect(still.status).toBe(200);
    const add = await api(cp, 'PATCH', `${CM}/fin`, { body: { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }, contentType: 'application/merge-patch+json' });
    expect(add.status).toBe(422);
    const clear = await api(cp, 'PATCH', `${CM}/fin`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    expect(clear.status).toBe(200);
    expect((await api(cp, 'GET', `${CM}/fin`)).status).toBe(404);
  });

  it('honours preconditions and propagation policies', async () => {
    const c = (await api(cp, 'POST', CM, { body: { metadata: { name: 'pre' } } })).body;
    const wrong = await api(cp, 'DELETE', `${CM}/pre`, { body: { preconditions: { uid: 'not-the-uid' } } });
    expect(wrong.status).toBe(409);
    expect(wrong.body.message).toContain('Precondition failed: UID in precondition: not-the-uid');
    const fg = await api(cp, 'DELETE', `${CM}/pre`, { body: { propagationPolicy: 'Foreground', preconditions: { uid: c.metadata.uid } } });
    expect(fg.status).toBe(200);
    expect(fg.body.metadata.finalizers).toEqual(['foregroundDeletion']);
    const badPolicy = await api(cp, 'DELETE', `${CM}/pre`, { body: { propagationPolicy: 'Sideways' } });
    expect(badPolicy.status).toBe(422);
  });

  it('deletes unbound pods at once and bound pods gracefully', async () => {
    const pod = (name: string, nodeName?: string) => ({ metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'i' }] } });
    await api(cp, 'POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('p1') });
    await api(cp, 'DELETE', `/api/v1/namespaces/${NS}/pods/p1`);
    expect((await api(cp, 'GET', `/api/v1/namespaces/${NS}/pods/p1`)).status).toBe(404);
    await api(cp, 'POST', `/api/v1/namespaces/${NS}/pods`, { body: pod('p2', 'node-1') });
    const graceful = await api(cp, 'DELETE', `/api/v1/namespaces/${NS}/pods/p2`);
    expect(graceful.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await api(cp, 'GET', `/api/v1/namespaces/${NS}/pods/p2`)).status).toBe(200);
    await api(cp, 'DELETE', `/api/v1/namespaces/${NS}/pods/p2?gracePeriodSeconds=0`);
    expect((await api(cp, 'GET', `/api/v1/namespaces/${NS}/pods/p2`)).status).toBe(404);
  });

  it('serves pod logs (empty) and metrics.k8s.io from stored pods', async () => {
    await api(cp, 'POST', `/api/v1/namespaces/${NS}/pods`, { body: { metadata: { name: 'm1', labels: { app: 'm' } }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'i' }] } } });
    await api(cp, 'PATCH', `/api/v1/namespaces/${NS}/pods/m1/status`, { body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' });
    const log = await api(cp, 'GET', `/api/v1/namespaces/${NS}/pods/m1/log`);
    expect(log.status).toBe(200);
    expect(log.text).toBe('');
    expect((await api(cp, 'GET', `/api/v1/namespaces/${NS}/pods/none/log`)).status).toBe(404);
    const metrics = await api(cp, 'GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?labelSelector=app%3Dm`);
    expect(metrics.status).toBe(200);
    expect(metrics.body.items.map((m: { metadata: { name: string } }) => m.metadata.name)).toEqual(['m1']);
    expect((await api(cp, 'POST', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`, { body: {} })).status).toBe(405);
  });

  it('dryRun validates but stores nothing; deletecollection removes by selector', async () => {
    const dry = await api(cp, 'POST', `${CM}?dryRun=All`, { body: { metadata: { name: 'dry' } } });
    expect(dry.status).toBe(201);
    expect((await api(cp, 'GET', `${CM}/dry`)).status).toBe(404);
    const dryBad = await api(cp, 'POST', `${CM}?dryRun=All`, { body: { metadata: { name: 'Dry!' } } });
    expect(dryBad.status).toBe(422);
    for (const n of ['dc1', 'dc2', 'dc3']) await api(cp, 'POST', CM, { body: { metadata: { name: n, labels: { batch: n === 'dc3' ? 'keep' : 'drop' } } } });
    const dc = await api(cp, 'DELETE', `${CM}?labelSelector=batch%3Ddrop`);
    expect(dc.status).toBe(200);
    expect(dc.body.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual(['dc1', 'dc2']);
    const left = await api(cp, 'GET', `${CM}?labelSelector=batch`);
    expect(left.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['dc3']);
  });
});

describe('lists and selectors', () => {
  it('paginates with limit/continue and remainingItemCount', async () => {
    await api(cp, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'pages' } } });
    for (let i = 0; i < 7; i++) await api(cp, 'POST', '/api/v1/namespaces/pages/configmaps', { body: { metadata: { name: `p${i}` } } });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await api(cp, 'GET', `/api/v1/namespaces/pages/configmaps?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      if (r.body.metadata.continue) expect(r.body.metadata.remainingItemCount).toBe(7 - seen.length);
      token = r.body.metadata.continue;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    const bad = await api(cp, 'GET', '/api/v1/namespaces/pages/configmaps?limit=3&continue=garbage');
    expect(bad.status).toBe(400);
  });

  it('filters by label and field selectors', async () => {
    const r = await api(cp, 'GET', `/api/v1/namespaces/pages/configmaps?fieldSelector=metadata.name%3Dp3`);
    expect(r.body.items).toHaveLength(1);
    const notIn = await api(cp, 'GET', `${CM}?labelSelector=${encodeURIComponent('batch notin (drop),batch')}`);
    expect(notIn.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['dc3']);
    const badField = await api(cp, 'GET', `${CM}?fieldSelector=spec.foo%3Dx`);
    expect(badField.status).toBe(400);
    expect(badField.body.message).toBe('field label not supported: spec.foo');
  });
});

describe('watch', () => {
  it('replays from a resourceVersion, then streams live events', async () => {
    const a = (await api(cp, 'POST', CM, { body: { metadata: { name: 'w-a' } } })).body;
    await api(cp, 'POST', CM, { body: { metadata: { name: 'w-b' } } });
    const w = openWatch(cp, `${CM}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
    await w.headersReceived;
    expect(w.status).toBe(200);
    await api(cp, 'DELETE', `${CM}/w-a`);
    await until('two events', () => w.events.length >= 2);
    expect(w.events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual(['ADDED:w-b', 'DELETED:w-a']);
    w.stop();
  });

  it('sends synthetic ADDED for resourceVersion unset, and honours label selectors with transitions', async () => {
    const w = openWatch(cp, `${CM}?watch=true&labelSelector=tier%3Dfront`);
    await w.headersReceived;
    await api(cp, 'POST', CM, { body: { metadata: { name: 'w-sel', labels: { tier: 'back' } } } });
    await api(cp, 'PATCH', `${CM}/w-sel`, { body: { metadata: { labels: { tier: 'front' } } }, contentType: 'application/merge-patch+json' });
    await api(cp, 'PATCH', `${CM}/w-sel`, { body: { metadata: { labels: { tier: 'back' } } }, contentType: 'application/merge-patch+json' });
    await until('transition events', () => w.events.length >= 2);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    w.stop();
  });

  it('answers a compacted resourceVersion with 200 + ERROR 410 Expired', async () => {
    const before = (await api(cp, 'GET', CM)).body.metadata.resourceVersion;
    await api(cp, 'POST', CM, { body: { metadata: { name: 'w-old' } } });
    cp.debug.compact();
    const w = openWatch(cp, `${CM}?watch=true&resourceVersion=${before}`);
    await until('stream end', () => w.ended);
    expect(w.status).toBe(200);
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('sends periodic bookmarks and the initial-events-end bookmark', async () => {
    const w = openWatch(cp, `${CM}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
    await until('bookmarks', () => w.events.filter((e) => e.type === 'BOOKMARK').length >= 2, 5000);
    const firstBookmark = w.events.findIndex((e) => e.type === 'BOOKMARK');
    expect(w.events.slice(0, firstBookmark).every((e) => e.type === 'ADDED')).toBe(true);
    expect(firstBookmark).toBeGreaterThan(0);
    expect(w.events[firstBookmark].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(w.events[firstBookmark].object.kind).toBe('ConfigMap');
    const later = w.events.filter((e) => e.type === 'BOOKMARK')[1];
    expect(later.object.metadata.annotations).toBeUndefined();
    w.stop();
    const bad = await api(cp, 'GET', `${CM}?watch=true&sendInitialEvents=true`);
    expect(bad.status).toBe(422);
  });

  it('closes after timeoutSeconds and can be dropped by the server', async () => {
    const started = Date.now();
    const w = openWatch(cp, `${CM}?watch=true&resourceVersion=0&timeoutSeconds=1`);
    await until('timeout close', () => w.ended, 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const w2 = openWatch(cp, `${CM}?watch=true&resourceVersion=0`);
    await w2.headersReceived;
    expect(cp.debug.dropWatches()).toBeGreaterThanOrEqual(1);
    await until('dropped', () => w2.ended, 5000);
  });

  it('serves Table events when asked', async () => {
    const w = openWatch(cp, `${CM}?watch=true&fieldSelector=metadata.name%3Docc`, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    await until('table event', () => w.events.length >= 1);
    expect(w.events[0].object.kind).toBe('Table');
    expect(w.events[0].object.rows[0].cells[0]).toBe('occ');
    w.stop();
  });
});
