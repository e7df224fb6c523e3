// Fault injection (5% 429/500/503 + 20 ms latency + periodic watch cuts, seeded): client-node
// informers must still converge to the true state after a bounded burst of writes.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultInjector, mulberry32 } from '../../harness/controlplane/faults/index.ts';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { ApiError, type UserInfo } from '../../harness/controlplane/types.ts';
import { kubeConfigFor, waitFor } from './helpers.ts';

const NS = 'chaos';
const admin: UserInfo = { username: 'a', groups: [] };

describe('fault injector (unit)', () => {
  it('is deterministic per seed and honours rate, codes, latency and scope', () => {
    const spec = { seed: 7, rules: [{ verbs: ['list'], resources: ['pods'], errorRate: 0.3, errorCodes: [429 as const, 503 as const], latencyMs: 20 }] };
    const run = () => {
      const f = createFaultInjector(spec);
      return Array.from({ length: 1000 }, () => f.beforeRequest({ verb: 'list', group: '', resource: 'pods', user: admin }));
    };
    const a = run();
    const b = run();
    expect(a.map((d) => d.error?.code ?? 0)).toEqual(b.map((d) => d.error?.code ?? 0));
    const errors = a.filter((d) => d.error);
    expect(errors.length).toBeGreaterThan(240);
    expect(errors.length).toBeLessThan(360);
    expect(new Set(errors.map((d) => d.error!.code))).toEqual(new Set([429, 503]));
    expect(a.every((d) => d.delayMs === 20)).toBe(true);
    const tooMany = errors.find((d) => d.error!.code === 429)!.error as ApiError;
    expect(tooMany.toStatus()).toMatchObject({ reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 1 } });
    const f = createFaultInjector(spec);
    expect(f.beforeRequest({ verb: 'get', group: '', resource: 'pods', user: admin })).toEqual({ delayMs: 0 });
    expect(f.beforeRequest({ verb: 'list', group: 'apps', resource: 'deployments', user: admin })).toEqual({ delayMs: 0 });
    expect(createFaultInjector().beforeRequest({ verb: 'list', group: '', resource: 'pods', user: admin })).toEqual({ delayMs: 0 });
    expect(mulberry32(1)()).toBe(mulberry32(1)());
  });
});

describe('client-node informers under faults', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({
      faults: createFaultInjector({ seed: 1234, rules: [{ errorRate: 0.05, errorCodes: [429, 500, 503], latencyMs: 20 }, { resources: ['configmaps'], watchDisconnectAfterMs: 1500 }] }),
    });
  }, 60_000);
  afterAll(async () => cp?.stop());

  it('keep a correct cache through a bounded burst of writes', async () => {
    const kc = kubeConfigFor(cp, { user: 'admin' });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    let failures = 0;
    // Writers retry injected failures (bounded), as real clients do.
    const retry = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
      for (let attempt = 0; attempt < 12; attempt++) {
        try {
          return await fn();
        } catch (e) {
          const code = (e as k8s.ApiException<unknown>).code;
          if (code === 409 || code === 404) return undefined; // an earlier attempt went through
          if (![429, 500, 503].includes(code)) throw e;
          failures++;
        }
      }
      throw new Error('too many injected failures in a row');
    };
    await retry(() => core.createNamespace({ body: { metadata: { name: NS } } }));

    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/configmaps`, () => core.listNamespacedConfigMap({ namespace: NS }));
    let restarts = 0;
    let stopped = false;
    informer.on('error', () => {
      // client-node informers stop on error; restart them after a pause, like the docs show.
      if (stopped) return;
      restarts++;
      setTimeout(() => !stopped && informer.start().catch(() => undefined), 100);
    });
    await retry(() => informer.start());

    const rnd = mulberry32(99);
    for (let i = 0; i < 40; i++) {
      await retry(() => core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: `cm-${i}` }, data: { v: '0' } } }));
    }
    for (let i = 0; i < 30; i++) {
      const name = `cm-${Math.floor(rnd() * 40)}`;
      await retry(() => core.patchNamespacedConfigMap({ name, namespace: NS, body: { data: { v: String(i) } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)));
    }
    for (let i = 0; i < 10; i++) await retry(() => core.deleteNamespacedConfigMap({ name: `cm-${i * 3}`, namespace: NS }));

    const truth = () =>
      cp.client
        .list({ group: '', version: 'v1', resource: 'configmaps' }, NS)
        .map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)
        .sort();
    const cached = () => informer.list(NS).map((o) => `${o.metadata!.name}@${o.metadata!.resourceVersion}`).sort();
    await waitFor(() => JSON.stringify(cached()) === JSON.stringify(truth()), 'informer cache = store', 25_000).catch(() => undefined);
    stopped = true;
    await informer.stop();
    console.log(`faults: ${failures} injected write failures retried, ${restarts} informer restarts, ${truth().length} objects`);
    expect(cached()).toEqual(truth());
    expect(truth().length).toBeGreaterThanOrEqual(30); // kube-root-ca.crt + 40 - 10
    expect(failures).toBeGreaterThan(0);
  }, 60_000);
});
