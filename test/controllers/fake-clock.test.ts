// The controllers' injectable clock: stage delays and job deadlines follow it, so scenarios can
// say "pods become Ready after 60 s" and step time instead of waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../harness/controlplane/controllers/index.ts';
import { type Env, startEnv, waitFor } from './helpers.ts';

/** Timers fire only when the test advances time. */
class ManualClock implements Clock {
  private t = Date.UTC(2030, 0, 1);
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = until;
  }
}

const clock = new ManualClock();
let env: Env;
beforeAll(async () => {
  env = await startEnv({ controllerOptions: { clock, readyDelayMs: 60_000, jobPodDurationMs: 3_600_000 } });
});
afterAll(async () => env?.stop());

describe('manual clock', () => {
  it('a pod becomes Ready only once the stage delay has elapsed on the clock', async () => {
    await env.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'slow' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await waitFor('scheduled', async () => (await env.core.readNamespacedPod({ name: 'slow', namespace: 'default' })).spec?.nodeName);
    await new Promise((r) => setTimeout(r, 300));
    expect((await env.core.readNamespacedPod({ name: 'slow', namespace: 'default' })).status?.phase).toBe('Pending');
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await env.core.readNamespacedPod({ name: 'slow', namespace: 'default' })).status?.phase).toBe('Pending');
    clock.advance(1_000);
    const p = await waitFor('running', async () => {
      const x = await env.core.readNamespacedPod({ name: 'slow', namespace: 'default' });
      return x.status?.phase === 'Running' ? x : undefined;
    });
    // Timestamps come from the same clock.
    expect(p.status?.startTime?.toISOString?.() ?? String(p.status?.startTime)).toMatch(/^2030-01-01T00:01:00/);
  });

  it('activeDeadlineSeconds fails a job when the clock passes the deadline', async () => {
    await env.batch.createNamespacedJob({
      namespace: 'default',
      body: { metadata: { name: 'deadline' }, spec: { activeDeadlineSeconds: 30, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
    });
    await waitFor('job started', async () => (await env.batch.readNamespacedJob({ name: 'deadline', namespace: 'default' })).status?.active === 1);
    clock.advance(31_000);
    const job = await waitFor('job failed', async () => {
      const j = await env.batch.readNamespacedJob({ name: 'deadline', namespace: 'default' });
      return j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ? j : undefined;
    });
    expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('DeadlineExceeded');
  });

  it('a deployment whose pods never start exceeds its progress deadline', async () => {
    await env.apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'never' },
        spec: {
          replicas: 1,
          progressDeadlineSeconds: 60,
          selector: { matchLabels: { app: 'never' } },
          template: { metadata: { labels: { app: 'never' }, annotations: { 'harness.ambient-code.io/stage': 'pending' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
    });
    await waitFor('progressing', async () => (await env.apps.readNamespacedDeployment({ name: 'never', namespace: 'default' })).status?.replicas === 1);
    clock.advance(61_000);
    const d = await waitFor('deadline exceeded', async () => {
      const x = await env.apps.readNamespacedDeployment({ name: 'never', namespace: 'default' });
      return x.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') ? x : undefined;
    });
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')?.status).toBe('False');
    await expect(env.kubectl(['rollout', 'status', 'deployment/never', '--timeout=20s'])).rejects.toThrow(/exceeded its progress deadline/);
  });
});
