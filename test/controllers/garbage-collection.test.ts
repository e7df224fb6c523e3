// Owner-reference garbage collection, driven through kubectl (cascade flags) and client-node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, expectStatus, setFinalizers, startEnv, waitFor } from './helpers.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => env?.stop());

async function configMap(ns: string, name: string, owners: Array<{ name: string; uid: string; blockOwnerDeletion?: boolean }> = []) {
  return env.core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name, ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', ...o })) }, data: { k: 'v' } },
  });
}

async function exists(ns: string, name: string): Promise<boolean> {
  return (await expectStatus(env.core.readNamespacedConfigMap({ name, namespace: ns }))) === 200;
}

async function createDeployment(name: string, replicas: number) {
  await env.kubectl(['create', 'deployment', name, `--image=nginx`, `--replicas=${replicas}`]);
  await env.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=30s']);
}

describe('garbage collector', () => {
  it('background: dependents go once all of their owners are gone', async () => {
    const a = await configMap('default', 'owner-a');
    const b = await configMap('default', 'owner-b');
    await configMap('default', 'only-a', [{ name: 'owner-a', uid: a.metadata!.uid! }]);
    await configMap('default', 'both', [{ name: 'owner-a', uid: a.metadata!.uid! }, { name: 'owner-b', uid: b.metadata!.uid! }]);
    await env.kubectl(['delete', 'configmap', 'owner-a']);
    await waitFor('only-a collected', async () => !(await exists('default', 'only-a')));
    // Still owned by owner-b: kept, with the dangling reference dropped.
    await new Promise((r) => setTimeout(r, 300));
    expect(await exists('default', 'both')).toBe(true);
    const both = await env.core.readNamespacedConfigMap({ name: 'both', namespace: 'default' });
    expect(both.metadata?.ownerReferences?.map((r) => r.name)).toEqual(['owner-b']);
    await env.kubectl(['delete', 'configmap', 'owner-b']);
    await waitFor('both collected', async () => !(await exists('default', 'both')));
  });

  it('kubectl delete deployment cascades to ReplicaSets and pods', async () => {
    await createDeployment('bg', 2);
    expect((await env.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=bg' })).items).toHaveLength(2);
    await env.kubectl(['delete', 'deployment', 'bg']);
    await waitFor('replicasets and pods gone', async () => {
      const rs = (await env.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=bg' })).items;
      const pods = (await env.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=bg' })).items;
      return rs.length === 0 && pods.length === 0;
    });
  });

  it('foreground: the owner waits for blocking dependents (held by a finalizer here)', async () => {
    await createDeployment('fg', 1);
    const [pod] = (await env.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=fg' })).items;
    await setFinalizers(env, 'v1', 'Pod', 'default', pod.metadata!.name!, ['example.com/hold']);
    await env.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false']);
    const held = await waitFor('pod terminating', async () => {
      const p = await env.core.readNamespacedPod({ name: pod.metadata!.name!, namespace: 'default' });
      return p.metadata?.deletionTimestamp ? p : undefined;
    });
    expect(held.metadata?.finalizers).toEqual(['example.com/hold']);
    await new Promise((r) => setTimeout(r, 300));
    const d = await env.apps.readNamespacedDeployment({ name: 'fg', namespace: 'default' });
    expect(d.metadata?.deletionTimestamp).toBeTruthy();
    expect(d.metadata?.finalizers).toContain('foregroundDeletion');
    const [rs] = (await env.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=fg' })).items;
    expect(rs.metadata?.finalizers).toContain('foregroundDeletion');
    await setFinalizers(env, 'v1', 'Pod', 'default', pod.metadata!.name!, []);
    await waitFor('deployment gone', async () => (await expectStatus(env.apps.readNamespacedDeployment({ name: 'fg', namespace: 'default' }))) === 404);
    expect((await env.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=fg' })).items).toHaveLength(0);
  });

  it('orphan: dependents stay, without the owner reference', async () => {
    await createDeployment('orph', 2);
    await env.kubectl(['delete', 'deployment', 'orph', '--cascade=orphan']);
    await waitFor('deployment gone', async () => (await expectStatus(env.apps.readNamespacedDeployment({ name: 'orph', namespace: 'default' }))) === 404);
    await new Promise((r) => setTimeout(r, 300));
    const rs = (await env.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=orph' })).items;
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata?.ownerReferences ?? []).toHaveLength(0);
    expect(rs[0].metadata?.finalizers ?? []).toHaveLength(0);
    const pods = (await env.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=orph' })).items;
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === rs[0].metadata?.uid)).toBe(true);
    await env.kubectl(['delete', 'replicaset', rs[0].metadata!.name!]);
  });

  it('a dependent created after its owner is gone is collected', async () => {
    await configMap('default', 'late', [{ name: 'never-existed', uid: '00000000-0000-4000-8000-000000000001' }]);
    await waitFor('late dependent collected', async () => !(await exists('default', 'late')));
  });

  it('an owner in another namespace does not count', async () => {
    await env.kubectl(['create', 'namespace', 'other-ns']);
    const owner = await configMap('other-ns', 'far-owner');
    await configMap('default', 'cross', [{ name: 'far-owner', uid: owner.metadata!.uid! }]);
    await waitFor('cross-namespace dependent collected', async () => !(await exists('default', 'cross')));
    expect(await exists('other-ns', 'far-owner')).toBe(true);
  });
});
