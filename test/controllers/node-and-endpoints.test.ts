// The embedded node and its lease, Service endpoints and PVC binding, seen through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, startEnv, waitFor } from './helpers.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => env?.stop());

describe('node', () => {
  it('embedded-node is Ready with capacity, and its lease is held', async () => {
    const node = await waitFor('node', () => env.core.readNode({ name: 'embedded-node' }));
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.capacity).toMatchObject({ cpu: '2', memory: '24Gi', pods: '250' });
    expect(node.status?.allocatable).toMatchObject({ cpu: '2', memory: '24Gi', pods: '250' });
    expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
    const lease = JSON.parse(await env.kubectl(['get', 'lease', '-n', 'kube-node-lease', 'embedded-node', '-o', 'json']));
    expect(lease.spec.holderIdentity).toBe('embedded-node');
    expect(Date.now() - Date.parse(lease.spec.renewTime)).toBeLessThan(60_000);
    const nodes = await env.kubectl(['get', 'nodes']);
    expect(nodes).toMatch(/embedded-node\s+Ready/);
  });
});

describe('endpoints', () => {
  it('a Service lists the IPs of its ready pods in Endpoints and an EndpointSlice', async () => {
    await env.kubectl(['create', 'deployment', 'api', '--image=nginx', '--replicas=2', '--port=8080']);
    await env.kubectl(['expose', 'deployment', 'api', '--port=80', '--target-port=8080']);
    await env.kubectl(['rollout', 'status', 'deployment/api', '--timeout=30s']);
    const podIPs = (await env.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=api' })).items.map((p) => p.status?.podIP).sort();
    const ep = await waitFor('endpoints with 2 addresses', async () => {
      const e = await env.core.readNamespacedEndpoints({ name: 'api', namespace: 'default' });
      return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    });
    expect(ep.subsets?.[0].addresses?.map((a) => a.ip).sort()).toEqual(podIPs);
    expect(ep.subsets?.[0].ports?.[0]).toMatchObject({ port: 8080, protocol: 'TCP' });
    const slices = JSON.parse(await env.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=api', '-o', 'json'])).items;
    expect(slices).toHaveLength(1);
    expect(slices[0].endpoints.map((e: { addresses: string[] }) => e.addresses[0]).sort()).toEqual(podIPs);
    expect(slices[0].endpoints.every((e: { conditions: { ready: boolean } }) => e.conditions.ready)).toBe(true);

    await env.kubectl(['scale', 'deployment/api', '--replicas=1']);
    await waitFor('endpoints shrink to 1', async () => {
      const e = await env.core.readNamespacedEndpoints({ name: 'api', namespace: 'default' });
      return e.subsets?.[0]?.addresses?.length === 1;
    });
    await env.kubectl(['delete', 'service', 'api']);
    await waitFor('endpoints removed with the service', async () => {
      try {
        await env.core.readNamespacedEndpoints({ name: 'api', namespace: 'default' });
        return false;
      } catch {
        return true;
      }
    });
  });
});

describe('volumes', () => {
  it('a PersistentVolumeClaim is bound', async () => {
    await env.core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } },
    });
    const pvc = await waitFor('pvc bound', async () => {
      const c = await env.core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' });
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    expect(pvc.status?.capacity?.storage).toBe('5Gi');
    expect(pvc.spec?.volumeName).toBe(`pvc-${pvc.metadata?.uid}`);
  });
});
