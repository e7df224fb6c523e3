// Pod lifecycle stages and Jobs through the API: faults chosen by annotation or label on the pod
// (or its template), custom stages passed as controller options, and job completion/failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { type Env, setFinalizers, startEnv, waitFor } from './helpers.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => env?.stop());

async function runPod(e: Env, name: string, opts: { annotations?: Record<string, string>; labels?: Record<string, string>; restartPolicy?: string } = {}) {
  await e.core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name, annotations: opts.annotations, labels: opts.labels },
      spec: { restartPolicy: opts.restartPolicy ?? 'Never', containers: [{ name: 'main', image: 'busybox' }] },
    },
  });
}

async function podWhen(e: Env, name: string, what: string, pred: (p: V1Pod) => boolean, timeoutMs = 10_000): Promise<V1Pod> {
  return waitFor(what, async () => {
    const p = await e.core.readNamespacedPod({ name, namespace: 'default' });
    return pred(p) ? p : undefined;
  }, timeoutMs);
}

describe('pod stages', () => {
  it('an ordinary pod is scheduled and becomes Ready; kubectl wait sees it', async () => {
    await runPod(env, 'plain', { restartPolicy: 'Always' });
    await env.kubectl(['wait', '--for=condition=Ready', 'pod/plain', '--timeout=20s']);
    const p = await env.core.readNamespacedPod({ name: 'plain', namespace: 'default' });
    expect(p.spec?.nodeName).toBe('embedded-node');
    expect(p.status?.hostIP).toBe('172.18.0.2');
    expect(p.status?.qosClass).toBe('BestEffort');
  });

  it('stage=pending keeps the pod Pending and unscheduled', async () => {
    await runPod(env, 'pend', { annotations: { 'harness.ambient-code.io/stage': 'pending' } });
    const p = await podWhen(env, 'pend', 'Unschedulable condition', (x) => x.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') ?? false);
    await new Promise((r) => setTimeout(r, 400));
    const later = await env.core.readNamespacedPod({ name: 'pend', namespace: 'default' });
    expect(later.status?.phase).toBe('Pending');
    expect(later.spec?.nodeName).toBeUndefined();
    expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('False');
  });

  it('stage=fail ends the pod Failed with exit code 1', async () => {
    await runPod(env, 'failing', { annotations: { 'harness.ambient-code.io/stage': 'fail' } });
    const p = await podWhen(env, 'failing', 'phase Failed', (x) => x.status?.phase === 'Failed');
    expect(p.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  it('the fault label works like the annotation (oomkilled, restartPolicy Never)', async () => {
    await runPod(env, 'oom-never', { labels: { 'harness.ambient-code.io/fault': 'oomkilled' } });
    const p = await podWhen(env, 'oom-never', 'phase Failed', (x) => x.status?.phase === 'Failed');
    expect(p.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('oomkilled with restartPolicy Always restarts the container', async () => {
    await runPod(env, 'oom-always', { restartPolicy: 'Always', annotations: { 'harness.ambient-code.io/stage': 'oomkilled' } });
    const p = await podWhen(env, 'oom-always', 'a restart', (x) => (x.status?.containerStatuses?.[0].restartCount ?? 0) >= 2);
    const cs = p.status?.containerStatuses?.[0];
    expect(cs?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(cs?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(p.status?.phase).toBe('Running');
  });

  it('crashloop shows CrashLoopBackOff; complete ends Succeeded', async () => {
    await runPod(env, 'crashy', { restartPolicy: 'Always', annotations: { 'harness.ambient-code.io/stage': 'crashloop', 'harness.ambient-code.io/stage-delay-ms': '20' } });
    await runPod(env, 'done', { annotations: { 'harness.ambient-code.io/stage': 'complete' } });
    const crashy = await podWhen(env, 'crashy', 'CrashLoopBackOff', (x) => x.status?.containerStatuses?.[0].state?.waiting?.reason === 'CrashLoopBackOff');
    expect(crashy.status?.containerStatuses?.[0].lastState?.terminated?.exitCode).toBe(1);
    const done = await podWhen(env, 'done', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    expect(done.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const table = await env.kubectl(['get', 'pods', 'crashy', 'done']);
    expect(table).toMatch(/crashy\s+0\/1\s+CrashLoopBackOff/);
    expect(table).toMatch(/done\s+0\/1\s+Completed/);
  });

  it('a deleted pod is removed after the graceful delete, unless a finalizer holds it', async () => {
    await runPod(env, 'held', { restartPolicy: 'Always' });
    await env.kubectl(['wait', '--for=condition=Ready', 'pod/held', '--timeout=20s']);
    await setFinalizers(env, 'v1', 'Pod', 'default', 'held', ['example.com/hold']);
    await env.kubectl(['delete', 'pod', 'held', '--wait=false']);
    await new Promise((r) => setTimeout(r, 400));
    const p = await env.core.readNamespacedPod({ name: 'held', namespace: 'default' });
    expect(p.metadata?.deletionTimestamp).toBeTruthy();
    await setFinalizers(env, 'v1', 'Pod', 'default', 'held', []);
    await env.kubectl(['wait', '--for=delete', 'pod/held', '--timeout=20s']);
  });
});

describe('job controller', () => {
  it('kubectl create job completes and kubectl wait --for=condition=complete returns', async () => {
    await env.kubectl(['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi']);
    await env.kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=30s']);
    const job = await env.batch.readNamespacedJob({ name: 'hello', namespace: 'default' });
    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.active ?? 0).toBe(0);
    expect(job.status?.completionTime).toBeTruthy();
    expect(job.status?.startTime).toBeTruthy();
    expect(job.status?.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    const pods = (await env.core.listNamespacedPod({ namespace: 'default', labelSelector: 'job-name=hello' })).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata?.name).toMatch(/^hello-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pods[0].metadata?.labels?.['batch.kubernetes.io/controller-uid']).toBe(job.metadata?.uid);
    expect(pods[0].metadata?.labels?.['controller-uid']).toBe(job.metadata?.uid);
    expect(pods[0].status?.phase).toBe('Succeeded');
  });

  it('runs `completions` pods, `parallelism` at a time', async () => {
    await env.batch.createNamespacedJob({
      namespace: 'default',
      body: {
        metadata: { name: 'multi' },
        spec: { completions: 3, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox' }] } } },
      },
    });
    const seenActive: number[] = [];
    await waitFor('3 completions', async () => {
      const j = await env.batch.readNamespacedJob({ name: 'multi', namespace: 'default' });
      seenActive.push(j.status?.active ?? 0);
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
    }, 20_000);
    expect(Math.max(...seenActive)).toBeLessThanOrEqual(2);
    const j = await env.batch.readNamespacedJob({ name: 'multi', namespace: 'default' });
    expect(j.status?.succeeded).toBe(3);
  });

  it('an Indexed job runs one pod per completion index', async () => {
    await env.batch.createNamespacedJob({
      namespace: 'default',
      body: {
        metadata: { name: 'indexed' },
        spec: { completions: 3, parallelism: 3, completionMode: 'Indexed', template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox' }] } } },
      },
    });
    await env.kubectl(['wait', '--for=condition=complete', 'job/indexed', '--timeout=30s']);
    const j = await env.batch.readNamespacedJob({ name: 'indexed', namespace: 'default' });
    expect(j.status?.completedIndexes).toBe('0-2');
    const pods = (await env.core.listNamespacedPod({ namespace: 'default', labelSelector: 'job-name=indexed' })).items;
    expect(pods.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']).sort()).toEqual(['0', '1', '2']);
  });

  it('a failing pod template exhausts backoffLimit and the Job fails', async () => {
    await env.batch.createNamespacedJob({
      namespace: 'default',
      body: {
        metadata: { name: 'doomed' },
        spec: {
          backoffLimit: 1,
          template: { metadata: { annotations: { 'harness.ambient-code.io/stage': 'fail' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox' }] } },
        },
      },
    });
    await env.kubectl(['wait', '--for=condition=failed', 'job/doomed', '--timeout=30s']);
    const j = await env.batch.readNamespacedJob({ name: 'doomed', namespace: 'default' });
    expect(j.status?.failed).toBe(2);
    expect(j.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(j.status?.conditions?.find((c) => c.type === 'FailureTarget')?.status).toBe('True');
    expect(j.status?.completionTime).toBeUndefined();
  });
});

describe('custom stages through controller options', () => {
  it('a stage for app=ambient-code-runner overrides the default lifecycle', async () => {
    const custom = await startEnv({
      controllerOptions: {
        stages: [
          {
            name: 'runner-fails',
            priority: 45,
            selector: { matchLabels: { app: 'ambient-code-runner' }, when: ['nodeName exists', 'phase notin (Failed)'] },
            delayMs: 50,
            next: { effect: 'fail', status: { message: 'simulated runner failure', reason: 'HarnessFault' } },
          },
        ],
      },
    });
    try {
      await runPod(custom, 'runner', { labels: { app: 'ambient-code-runner' } });
      await runPod(custom, 'bystander', { labels: { app: 'other' } });
      const p = await podWhen(custom, 'runner', 'runner Failed', (x) => x.status?.phase === 'Failed');
      expect(p.status?.message).toBe('simulated runner failure');
      expect(p.status?.reason).toBe('HarnessFault');
      await podWhen(custom, 'bystander', 'bystander Running', (x) => x.status?.phase === 'Running');
    } finally {
      await custom.stop();
    }
  });
});
