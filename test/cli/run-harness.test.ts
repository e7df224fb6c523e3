// runHarness through the library API with a loopback target: exit-code mapping, teardown always
// (also on scenario crashes, bring-up failure and abort), capability skips, seed determinism.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../harness/config.ts';
import { createRng, runHarness, ScenarioRegistry, type Scenario } from '../../harness/index.ts';
import { runLoad, toLoadSummary } from '../../harness/load/index.ts';
import { stableView } from '../../harness/report/json.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import type { Cluster, Target } from '../../harness/targets/types.ts';

let server: http.Server;
let backendUrl = '';
beforeAll(async () => {
  setProgressSink('quiet');
  server = http.createServer((req, res) => res.writeHead(req.url?.endsWith('/slow') ? 200 : 201).end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  backendUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  setProgressSink('stderr');
  await new Promise<void>((r) => server.close(() => r()));
});

/** A target whose "cluster" is the loopback server; counts up/down calls. */
function loopbackTarget(opts: { failUp?: boolean } = {}) {
  const calls = { up: 0, down: 0 };
  const target: Target = {
    name: 'embedded',
    prerequisites: async () => ({ ok: true }),
    async up({ runId }) {
      calls.up++;
      if (opts.failUp) throw Object.assign(new (await import('../../harness/errors.ts')).InfraError('apiserver refused to start'));
      const cluster: Cluster = {
        target: 'embedded',
        runId,
        kubeconfig: { path: '/dev/null', yaml: '' },
        backendUrl,
        namespaces: { platform: 'ambient-code', projects: [] },
        capabilities: {
          podMemory: { available: false, reason: 'no pods here' },
          processMemory: { available: true, reason: 'pid' },
          realImages: { available: false, reason: 'model' },
          realScheduling: { available: false, reason: 'none' },
          profiles: { available: true, reason: 'reference' },
        },
        probes: {},
        down: async () => void calls.down++,
      };
      return cluster;
    },
  };
  return { target, calls };
}

const registry = () =>
  new ScenarioRegistry().register(
    {
      name: 'identity.pass',
      async run(ctx) {
        const r = await fetch(ctx.cluster.backendUrl + '/projects/p/agentic-sessions', { method: 'POST', body: '{}' });
        ctx.record({ assertion: 'create returns 201', status: r.status === 201 ? 'passed' : 'skipped', reason: `status ${r.status}` });
        ctx.tree([{ id: 'root', attrs: { user: `user-${ctx.rng.int(1, 1000)}` }, children: [] }]);
      },
    },
    {
      name: 'identity.finding',
      async run(ctx) {
        const n = ctx.rng.int(1, 1_000_000);
        ctx.record({ assertion: 'A2', sessionPath: ['root', `root/${n}`], expected: { userId: 'alice' }, actual: { userId: `sa-${n}` }, message: 'identity lost', repro: ctx.repro() });
      },
    },
    { name: 'memory', requires: ['podMemory'], async run() { throw new Error('must not run'); } },
    { name: 'crash', async run() { throw new Error('scenario bug'); } },
    {
      name: 'load',
      async run(ctx) {
        const r = await runLoad({
          baseUrl: ctx.cluster.backendUrl,
          scenarios: { creates: { executor: 'shared-iterations', vus: 2, iterations: 6, maxDuration: '10s', request: { method: 'POST', path: '/slow', expectStatus: [201] } } },
          thresholds: { http_req_failed: ['rate<0.01'] },
        });
        ctx.load(toLoadSummary('creates', r));
      },
    },
  ) satisfies ScenarioRegistry;

async function run(scenarios: string[], extra: Record<string, unknown> = {}, targetOpts = {}) {
  const { target, calls } = loopbackTarget(targetOpts);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'h8-run-'));
  const config = parseConfig({ scenarios, seed: 42, reportDir: path.join(dir, 'r'), ...extra });
  const outcome = await runHarness(config, { registry: registry(), target, env: {} });
  return { ...outcome, calls, dir: path.join(dir, 'r') };
}

describe('runHarness', () => {
  it('all assertions hold: exit 0, teardown once, reports written', async () => {
    const r = await run(['identity.pass']);
    expect(r.exitCode).toBe(0);
    expect(r.calls).toEqual({ up: 1, down: 1 });
    expect(r.result.scenarios[0]).toMatchObject({ name: 'identity.pass', status: 'passed' });
    expect(JSON.parse(readFileSync(path.join(r.dir, 'report.json'), 'utf8')).summary.assertions.passed).toBe(1);
  });

  it('a finding: exit 1, with the repro command built from the config', async () => {
    const r = await run(['identity.finding'], { profile: 'm-6b21778' });
    expect(r.exitCode).toBe(1);
    expect(r.result.scenarios[0].assertions[0].finding?.repro).toBe(
      'ambient-harness run identity.finding --target embedded --profile m-6b21778 --seed 42 --depth 6 --fanout 2 --concurrency 4',
    );
  });

  it('a missing capability skips the scenario with the target\'s reason', async () => {
    const r = await run(['memory']);
    expect(r.exitCode).toBe(0);
    expect(r.result.scenarios[0]).toMatchObject({ status: 'skipped', reason: 'podMemory: no pods here' });
  });

  it('a crashing scenario: exit 3, later scenarios still run, teardown still runs', async () => {
    const r = await run(['crash', 'identity.pass']);
    expect(r.exitCode).toBe(3);
    expect(r.result.scenarios.map((s) => s.status)).toEqual(['error', 'passed']);
    expect(r.calls.down).toBe(1);
  });

  it('findings win over thresholds; thresholds alone give 99', async () => {
    const breached = await run(['load'], {});
    expect(breached.exitCode).toBe(99); // /slow answers 200 but 201 is expected: every request "failed"
    expect(breached.result.scenarios[0].load?.[0].thresholds[0]).toMatchObject({ ok: false, observed: 1 });
    const both = await run(['load', 'identity.finding']);
    expect(both.exitCode).toBe(1);
  });

  it('bring-up failure: exit 3, run error in report.json', async () => {
    const r = await run(['identity.pass'], {}, { failUp: true });
    expect(r.exitCode).toBe(3);
    expect(r.calls.down).toBe(0);
    const json = JSON.parse(readFileSync(path.join(r.dir, 'report.json'), 'utf8'));
    expect(json.run.error).toEqual({ code: 'INFRA', message: 'apiserver refused to start' });
  });

  it('an aborted run (SIGINT) tears down, drops post-interrupt outcomes and exits 3', async () => {
    const { target, calls } = loopbackTarget();
    const ac = new AbortController();
    const reg = new ScenarioRegistry().register({
      name: 'long',
      async run(ctx) {
        ac.abort();
        await new Promise((r) => setTimeout(r, 50));
        ctx.record({ assertion: 'saw abort', status: ctx.signal.aborted ? 'passed' : 'skipped' });
      },
    } satisfies Scenario);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h8-run-'));
    const out = await runHarness(parseConfig({ reportDir: dir }), { registry: reg, target, signal: ac.signal, env: {} });
    expect(out.exitCode).toBe(3);
    expect(out.result.error?.code).toBe('INTERRUPTED');
    // What a scenario records after the interrupt reflects the interrupt, not the platform: dropped.
    expect(out.result.scenarios[0]).toMatchObject({ status: 'skipped', reason: 'interrupted', assertions: [] });
    expect(calls.down).toBe(1);
  });

  it('SIGINT during bring-up: waits for bring-up to settle, then tears it down (nothing orphaned)', async () => {
    const { target: inner, calls } = loopbackTarget();
    const slow: Target = { ...inner, up: async (o) => (await new Promise((r) => setTimeout(r, 300)), inner.up(o)) };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h8-run-'));
    const out = await runHarness(parseConfig({ reportDir: dir }), { registry: registry(), target: slow, signal: ac.signal, env: {} });
    expect(out.exitCode).toBe(3);
    expect(out.result.error).toMatchObject({ code: 'INTERRUPTED' });
    expect(calls).toEqual({ up: 1, down: 1 });
    expect(out.result.scenarios).toEqual([]);
  });

  it('same seed twice: report.json identical apart from *At/durationMs/timings; another seed differs', async () => {
    const a = await run(['identity.pass', 'identity.finding', 'memory']);
    const b = await run(['identity.pass', 'identity.finding', 'memory']);
    const c = await run(['identity.pass', 'identity.finding', 'memory'], { seed: 43 });
    const read = (d: string) => stableView(JSON.parse(readFileSync(path.join(d, 'report.json'), 'utf8')));
    expect(JSON.stringify(read(a.dir))).toBe(JSON.stringify(read(b.dir)));
    expect(JSON.stringify(read(a.dir))).not.toBe(JSON.stringify(read(c.dir)));
  });

  it('rng: seeded, forkable, stable', () => {
    const x = createRng(7);
    const y = createRng(7);
    expect([x.next(), x.int(1, 6), x.pick(['a', 'b', 'c'])]).toEqual([y.next(), y.int(1, 6), y.pick(['a', 'b', 'c'])]);
    expect(createRng(7).fork('a').next()).toBe(createRng(7).fork('a').next());
    expect(createRng(7).fork('a').next()).not.toBe(createRng(7).fork('b').next());
  });
});
