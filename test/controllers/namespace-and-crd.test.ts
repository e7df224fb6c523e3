// Namespace termination and CRD cleanup, driven through kubectl and client-node (status codes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, expectStatus, setFinalizers, startEnv, uniqueName, waitFor } from './helpers.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => env?.stop());

describe('namespace lifecycle', () => {
  it('deletes the contents, refuses creates while terminating (403), then the namespace is gone (404)', async () => {
    const ns = uniqueName('doomed');
    await env.kubectl(['create', 'namespace', ns]);
    await env.kubectl(['-n', ns, 'create', 'deployment', 'app', '--image=nginx']);
    await env.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: { a: 'b' } } });
    await env.kubectl(['-n', ns, 'rollout', 'status', 'deployment/app', '--timeout=30s']);
    await env.kubectl(['delete', 'namespace', ns, '--wait=false']);

    const terminating = await env.core.readNamespace({ name: ns });
    expect(terminating.status?.phase).toBe('Terminating');
    const createStatus = await expectStatus(env.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'new' } } }));
    expect(createStatus).toBe(403);

    await waitFor('everything but the held configmap gone', async () => {
      const pods = (await env.core.listNamespacedPod({ namespace: ns })).items;
      const deps = (await env.apps.listNamespacedDeployment({ namespace: ns })).items;
      return pods.length === 0 && deps.length === 0;
    });
    const cond = await waitFor('finalizers-remaining condition', async () => {
      const n = await env.core.readNamespace({ name: ns });
      return n.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True');
    });
    expect(cond.message).toContain('example.com/hold');
    expect((await env.core.readNamespace({ name: ns })).metadata?.name).toBe(ns);

    await setFinalizers(env, 'v1', 'ConfigMap', ns, 'held', []);
    await waitFor('namespace gone', async () => (await expectStatus(env.core.readNamespace({ name: ns }))) === 404);
    const after = await expectStatus(env.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'new' } } }));
    expect(after).toBe(404);
  });

  it('kubectl delete namespace waits until the namespace is gone', async () => {
    const ns = uniqueName('quick');
    await env.kubectl(['create', 'namespace', ns]);
    await env.kubectl(['-n', ns, 'create', 'deployment', 'app', '--image=nginx', '--replicas=2']);
    await env.kubectl(['-n', ns, 'create', 'job', 'j', '--image=busybox']);
    await env.kubectl(['delete', 'namespace', ns, '--timeout=30s']);
    expect(await expectStatus(env.core.readNamespace({ name: ns }))).toBe(404);
  });
});

describe('CRD cleanup', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };

  it('deleting a CRD deletes its custom resources in every namespace, then the CRD', async () => {
    // Created through client-node: kubectl apply would also need the OpenAPI document, not under test here.
    await env.objects.create(crd);
    await waitFor('widgets served', async () => (await env.kubectl(['api-resources', '--api-group=example.com'], { freshCache: true })).includes('widgets'), 15_000, 200);
    const widget = (ns: string, name: string, finalizers?: string[]) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: ns, ...(finalizers ? { finalizers } : {}) }, spec: { size: 1 } });
    const second = uniqueName('widgets');
    await env.kubectl(['create', 'namespace', second]);
    for (const w of [widget('default', 'w1'), widget(second, 'w2'), widget('default', 'held', ['example.com/hold'])]) await env.objects.create(w);
    expect((await env.kubectl(['get', 'widgets', '-A', '-o', 'name'], { freshCache: true })).trim().split('\n')).toHaveLength(3);

    await env.kubectl(['delete', 'crd', 'widgets.example.com', '--wait=false']);
    await waitFor('unheld widgets gone', async () => (await env.kubectl(['get', 'widgets', '-A', '-o', 'name'])).trim() === 'widget.example.com/held');
    const pending = JSON.parse(await env.kubectl(['get', 'crd', 'widgets.example.com', '-o', 'json']));
    expect(pending.metadata.finalizers).toContain('customresourcecleanup.apiextensions.k8s.io');
    expect(pending.metadata.deletionTimestamp).toBeTruthy();

    await setFinalizers(env, 'example.com/v1', 'Widget', 'default', 'held', []);
    await waitFor('crd gone', async () => {
      try {
        await env.kubectl(['get', 'crd', 'widgets.example.com']);
        return false;
      } catch (err) {
        return /NotFound|not found/.test((err as Error).message);
      }
    });
    await expect(env.kubectl(['get', 'widgets'], { freshCache: true })).rejects.toThrow(/the server doesn't have a resource type|not found|NotFound/);
  });
});
