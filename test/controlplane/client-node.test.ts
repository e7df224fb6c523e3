// @kubernetes/client-node 1.4 against the embedded API server: CRUD, every patch type, errors,
// Watch, and an informer that survives a dropped watch and a 410 (forced through debug hooks).
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { until } from './helpers.ts';

let cp: ControlPlane;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
const namespace = 'cn';

function status(err: unknown): { code?: number; body?: { reason?: string; message?: string } } {
  const e = err as { code?: number; body?: string };
  return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return status(err);
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  cp = await startControlPlane({ controllers: [] });
  kc = new k8s.KubeConfig();
  kc.loadFromString(cp.kubeconfig());
  core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});
afterAll(async () => cp?.stop());

describe('client-node CRUD', () => {
  it('creates, reads, lists, replaces and deletes a ConfigMap', async () => {
    const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'c1', labels: { app: 'x' } }, data: { a: '1' } } });
    expect(created.metadata?.uid).toBeTruthy();
    const read = await core.readNamespacedConfigMap({ namespace, name: 'c1' });
    expect(read.data).toEqual({ a: '1' });
    const list = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=x' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['c1']);
    expect(list.metadata?.resourceVersion).toBeTruthy();
    const replaced = await core.replaceNamespacedConfigMap({ namespace, name: 'c1', body: { ...read, data: { a: '2' } } });
    expect(replaced.data).toEqual({ a: '2' });
    const stale = await failure(core.replaceNamespacedConfigMap({ namespace, name: 'c1', body: { ...read, data: { a: '3' } } }));
    expect(stale.code).toBe(409);
    expect(stale.body?.reason).toBe('Conflict');
    await core.deleteNamespacedConfigMap({ namespace, name: 'c1' });
    const gone = await failure(core.readNamespacedConfigMap({ namespace, name: 'c1' }));
    expect(gone.code).toBe(404);
    expect(gone.body?.message).toBe('configmaps "c1" not found');
  });

  it('applies every patch type', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'p1' }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ namespace, name: 'p1', body: [{ op: 'add', path: '/data/json', value: 'j' }] });
    await core.patchNamespacedConfigMap({ namespace, name: 'p1', body: { data: { merge: 'm' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.patchNamespacedConfigMap({ namespace, name: 'p1', body: { data: { smp: 's' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    const applied = await core.patchNamespacedConfigMap(
      { namespace, name: 'p1', fieldManager: 'tester', force: true, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p1', namespace }, data: { ssa: 'a' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    expect(applied.data).toMatchObject({ a: '1', json: 'j', merge: 'm', smp: 's', ssa: 'a' });
    expect(applied.metadata?.managedFields?.some((m) => m.manager === 'tester' && m.operation === 'Apply')).toBe(true);
    const createdByApply = await core.patchNamespacedConfigMap(
      { namespace, name: 'p2', fieldManager: 'tester', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p2', namespace }, data: { k: 'v' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    expect(createdByApply.metadata?.uid).toBeTruthy();
    const noManager = await failure(
      core.patchNamespacedConfigMap({ namespace, name: 'p2', body: { data: { k: 'w' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply)),
    );
    expect(noManager.code).toBe(400);
  });

  it('generic KubernetesObjectApi resolves kinds through legacy discovery', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const created = await objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace }, data: { g: '1' } });
    expect(created.metadata?.name).toBe('generic');
    const read = await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } });
    expect((read as k8s.V1ConfigMap).data).toEqual({ g: '1' });
  });
});

describe('client-node watch and informer', () => {
  it('Watch streams ADDED/MODIFIED/DELETED', async () => {
    const events: string[] = [];
    const list = await core.listNamespacedConfigMap({ namespace });
    const watch = new k8s.Watch(kc);
    const ac = await watch.watch(`/api/v1/namespaces/${namespace}/configmaps`, { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true }, (type, obj) => events.push(`${type}:${obj.metadata?.name}`), () => undefined);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'w1' } } });
    await core.patchNamespacedConfigMap({ namespace, name: 'w1', body: { data: { x: 'y' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ namespace, name: 'w1' });
    await until('three events', () => events.length >= 3);
    expect(events).toEqual(['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
    ac.abort();
  });

  it('an informer survives a dropped watch and a 410 re-list', async () => {
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace, labelSelector: 'inf=yes' }), 'inf=yes');
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    let errors = 0;
    informer.on('error', () => errors++);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'i1', labels: { inf: 'yes' } } } });
    await informer.start();
    await until('initial add', () => seen.includes('add:i1'));
    const lists = () => cp.requestLog.filter((r) => r.method === 'GET' && r.path.startsWith(path) && !r.path.includes('watch=true')).length;
    const watches = () => cp.requestLog.filter((r) => r.path.startsWith(path) && r.path.includes('watch=true') && r.path.includes('inf%3Dyes')).length;
    const listsBefore = lists();
    // 1. The server drops every watch: the informer re-watches from its last resourceVersion.
    const watchesBefore = watches();
    expect(cp.debug.dropWatches()).toBeGreaterThanOrEqual(1);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'i2', labels: { inf: 'yes' } } } });
    await until('add after drop', () => seen.includes('add:i2'), 15_000);
    await until('re-watch', () => watches() > watchesBefore);
    expect(lists()).toBe(listsBefore);
    // 2. Writes the informer does not see move the revision on; history is compacted and the watch
    //    dropped, so re-watching from its old resourceVersion gets 410 Expired and it re-lists.
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'unrelated' } } });
    cp.debug.compact();
    cp.debug.dropWatches();
    await until('re-list after 410', () => lists() > listsBefore, 15_000);
    await core.deleteNamespacedConfigMap({ namespace, name: 'i1' });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'i3', labels: { inf: 'yes' } } } });
    await until('state after 410', () => informer.list(namespace).map((o) => o.metadata?.name).sort().join(',') === 'i2,i3', 15_000);
    expect(seen).toEqual(expect.arrayContaining(['add:i1', 'add:i2', 'add:i3', 'delete:i1']));
    expect(errors).toBe(0);
    await informer.stop();
  });
});
