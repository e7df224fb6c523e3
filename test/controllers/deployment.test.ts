// Deployments, ReplicaSets, StatefulSets and DaemonSets through kubectl and client-node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, startEnv, waitFor } from './helpers.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => env?.stop());

async function podsOf(ns: string, selector: string) {
  return (await env.core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items;
}

describe('deployment controller', () => {
  it('kubectl create deployment rolls out and becomes Available', async () => {
    await env.kubectl(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']);
    const out = await env.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    expect(out).toContain('successfully rolled out');
    await env.kubectl(['wait', '--for=condition=Available', 'deployment/web', '--timeout=30s']);
    const d = await env.apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: d.metadata?.generation });
    const available = d.status?.conditions?.find((c) => c.type === 'Available');
    expect(available).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    const rsList = (await env.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=web' })).items;
    expect(rsList).toHaveLength(1);
    const rs = rsList[0];
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', uid: d.metadata?.uid, controller: true, blockOwnerDeletion: true });
    expect(rs.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });

    const pods = await podsOf('default', 'app=web');
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata?.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: rs.metadata?.uid, controller: true });
      expect(p.spec?.nodeName).toBe('embedded-node');
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(p.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0, name: 'nginx' });
      expect(p.status?.containerStatuses?.[0].state?.running?.startedAt).toBeTruthy();
      for (const t of ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
        expect(p.status?.conditions?.find((c) => c.type === t)?.status).toBe('True');
      }
    }
    expect(new Set(pods.map((p) => p.status?.podIP)).size).toBe(3);
  });

  it('scales up and down', async () => {
    await env.kubectl(['scale', 'deployment/web', '--replicas=5']);
    await env.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    expect((await podsOf('default', 'app=web')).filter((p) => !p.metadata?.deletionTimestamp)).toHaveLength(5);
    await env.kubectl(['scale', 'deployment/web', '--replicas=1']);
    await waitFor('scale down to 1 pod', async () => (await podsOf('default', 'app=web')).length === 1);
    const d = await env.apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    await waitFor('status replicas 1', async () => (await env.apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).status?.replicas === 1);
    expect(d.spec?.replicas).toBe(1);
  });

  it('a template change rolls out a new ReplicaSet, and undo returns to the old one', async () => {
    await env.kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
    await env.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    const rsList = (await env.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=web' })).items;
    expect(rsList).toHaveLength(2);
    const byRevision = Object.fromEntries(rsList.map((rs) => [rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], rs]));
    expect(byRevision['1']?.spec?.replicas).toBe(0);
    expect(byRevision['2']?.spec?.replicas).toBe(1);
    expect(byRevision['2']?.spec?.template?.spec?.containers[0].image).toBe('nginx:1.27');
    await waitFor('old pods gone', async () => {
      const pods = await podsOf('default', 'app=web');
      return pods.length === 1 && pods[0].spec?.containers[0].image === 'nginx:1.27';
    });
    const history = await env.kubectl(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);

    await env.kubectl(['rollout', 'undo', 'deployment/web']);
    await env.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    const after = (await env.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=web' })).items;
    expect(after).toHaveLength(2); // the revision-1 ReplicaSet was reused, not a third one created
    const active = after.find((rs) => rs.spec?.replicas === 1);
    expect(active?.metadata?.name).toBe(byRevision['1']?.metadata?.name);
    expect(active?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('Recreate strategy replaces pods and a pending fault keeps a rollout from completing', async () => {
    await env.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'stuck', namespace: 'default' },
        spec: {
          replicas: 2,
          strategy: { type: 'Recreate' },
          selector: { matchLabels: { app: 'stuck' } },
          template: { metadata: { labels: { app: 'stuck' }, annotations: { 'harness.ambient-code.io/stage': 'pending' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        },
      }),
    });
    await expect(env.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=2s'])).rejects.toThrow(/timed out|exceeded/);
    const d = await env.apps.readNamespacedDeployment({ name: 'stuck', namespace: 'default' });
    expect(d.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(d.status?.unavailableReplicas).toBe(2);
    const pods = await podsOf('default', 'app=stuck');
    expect(pods.map((p) => p.status?.phase)).toEqual(['Pending', 'Pending']);
  });
});

describe('statefulset and daemonset controllers', () => {
  it('StatefulSet pods are <name>-0..n-1 and status counts them', async () => {
    await env.apps.createNamespacedStatefulSet({
      namespace: 'default',
      body: {
        metadata: { name: 'db' },
        spec: {
          replicas: 3,
          serviceName: 'db',
          // Stated explicitly: the registry's defaulting of updateStrategy is not this module's concern.
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } },
        },
      },
    });
    await env.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=30s']);
    const pods = await podsOf('default', 'app=db');
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    const sts = await env.apps.readNamespacedStatefulSet({ name: 'db', namespace: 'default' });
    expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    await env.kubectl(['scale', 'statefulset/db', '--replicas=1']);
    await waitFor('statefulset scaled to db-0', async () => (await podsOf('default', 'app=db')).map((p) => p.metadata?.name).join() === 'db-0', 15_000);
  });

  it('DaemonSet runs one pod on the embedded node', async () => {
    await env.apps.createNamespacedDaemonSet({
      namespace: 'default',
      body: {
        metadata: { name: 'agent' },
        spec: {
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
          selector: { matchLabels: { app: 'agent' } },
          template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } },
        },
      },
    });
    await env.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=30s']);
    const pods = await podsOf('default', 'app=agent');
    expect(pods).toHaveLength(1);
    expect(pods[0].spec?.nodeName).toBe('embedded-node');
    const ds = await env.apps.readNamespacedDaemonSet({ name: 'agent', namespace: 'default' });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1 });
  });
});

describe('kubectl 1.31', () => {
  it('rollout status succeeds against a server reporting 1.31', async () => {
    const old = await startEnv({ kubernetesVersion: '1.31' });
    try {
      const version = await old.kubectl(['version', '--client', '-o', 'json']);
      expect(JSON.parse(version).clientVersion.minor).toBe('31');
      await old.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
      expect(await old.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain('successfully rolled out');
      await old.kubectl(['wait', '--for=condition=Available', 'deployment/web', '--timeout=30s']);
    } finally {
      await old.stop();
    }
  });
});
