// Load engine against a loopback HTTP server: executor semantics, bounds, thresholds (exit 99).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ThresholdError } from '../../harness/errors.ts';
import { assertThresholds, parseDuration, parseThreshold, runLoad, validatePlan, type LoadPlan } from '../../harness/load/index.ts';

let server: http.Server;
let baseUrl = '';
const seen = { total: 0, inflight: 0, maxInflight: 0, byVu: new Map<string, number>(), auth: new Set<string>(), bodies: [] as string[] };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.total++;
    seen.inflight++;
    seen.maxInflight = Math.max(seen.maxInflight, seen.inflight);
    const url = new URL(req.url ?? '/', 'http://x');
    const vu = url.searchParams.get('vu');
    if (vu) seen.byVu.set(vu, (seen.byVu.get(vu) ?? 0) + 1);
    if (req.headers.authorization) seen.auth.add(req.headers.authorization);
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (body) seen.bodies.push(body);
      const delay = Number(url.searchParams.get('delay') ?? 0);
      setTimeout(() => {
        seen.inflight--;
        res.writeHead(Number(url.searchParams.get('status') ?? 201), { 'content-type': 'application/json' }).end('{}');
      }, delay);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
beforeEach(() => {
  Object.assign(seen, { total: 0, inflight: 0, maxInflight: 0, byVu: new Map(), auth: new Set(), bodies: [] });
});

describe('load engine', () => {
  it('shared-iterations: exactly N iterations across at most `vus` concurrent requests', async () => {
    const r = await runLoad({
      baseUrl,
      scenarios: { creates: { executor: 'shared-iterations', vus: 3, iterations: 17, maxDuration: '20s', request: { method: 'POST', path: '/x?delay=5', body: { n: '{{scenarioIter}}' } } } },
    });
    expect(seen.total).toBe(17);
    expect(r.metrics.http_reqs.count).toBe(17);
    expect(r.metrics.iterations.count).toBe(17);
    expect(seen.maxInflight).toBeLessThanOrEqual(3);
    expect(seen.maxInflight).toBeGreaterThan(1);
    expect(new Set(seen.bodies.map((b) => JSON.parse(b).n)).size).toBe(17); // each iteration numbered once
    expect(r.statuses).toEqual({ '201': 17 });
    expect(r.metrics.http_req_failed.rate).toBe(0);
  });

  it('per-vu-iterations: every VU runs its own iterations; {{env:X}} fills headers', async () => {
    const r = await runLoad(
      {
        baseUrl,
        scenarios: {
          perVu: { executor: 'per-vu-iterations', vus: 4, iterations: 3, maxDuration: '20s', request: { method: 'GET', path: '/x?vu={{vu}}', headers: { Authorization: 'Bearer {{env:FAKE_TOKEN}}' } } },
        },
      },
      { env: { FAKE_TOKEN: 'fake-token-for-test' } },
    );
    expect(r.metrics.http_reqs.count).toBe(12);
    expect([...seen.byVu.entries()].sort()).toEqual([['1', 3], ['2', 3], ['3', 3], ['4', 3]]);
    expect([...seen.auth]).toEqual(['Bearer fake-token-for-test']);
  });

  it('constant-arrival-rate: starts iterations at the rate and drops them when no VU is free', async () => {
    const plan = (maxVUs: number): LoadPlan => ({
      baseUrl,
      scenarios: { arrivals: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs, maxDuration: '5s', request: { method: 'GET', path: '/x?delay=120' } } },
    });
    const starved = await runLoad(plan(1));
    expect(starved.metrics.dropped_iterations.count).toBeGreaterThan(20);
    expect(starved.metrics.iterations.count + starved.metrics.dropped_iterations.count).toBe(40);
    const roomy = await runLoad(plan(20));
    expect(roomy.metrics.dropped_iterations.count).toBeLessThan(5);
    expect(roomy.metrics.iterations.count).toBeGreaterThanOrEqual(35);
  });

  it('maxDuration bounds a run whatever the iteration count', async () => {
    const t0 = Date.now();
    const r = await runLoad({ baseUrl, scenarios: { capped: { executor: 'shared-iterations', vus: 2, iterations: 5000, maxDuration: '400ms', request: { method: 'GET', path: '/x?delay=50' } } } });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.metrics.iterations.count).toBeLessThan(100);
  });

  it('thresholds: pass, breach (ThresholdError, exit 99), per-scenario tags', async () => {
    const r = await runLoad({
      baseUrl,
      scenarios: {
        ok: { executor: 'shared-iterations', vus: 2, iterations: 10, maxDuration: '10s', request: { method: 'GET', path: '/x?delay=30' } },
        bad: { executor: 'shared-iterations', vus: 1, iterations: 4, maxDuration: '10s', request: { method: 'GET', path: '/x?status=500' } },
      },
      thresholds: { http_req_duration: ['p(95)<5000', 'p(50)<1'], 'http_req_failed{scenario:ok}': ['rate<0.01'], 'http_req_failed{scenario:bad}': ['rate<0.5'], http_reqs: ['count==14'] },
    });
    const byExpr = Object.fromEntries(r.thresholds.map((t) => [`${t.metric}: ${t.expression}`, t]));
    expect(byExpr['http_req_duration: p(95)<5000'].ok).toBe(true);
    expect(byExpr['http_req_duration: p(50)<1'].ok).toBe(false); // the median request took ≥ 1 ms (30 ms delay)
    expect(byExpr['http_req_failed{scenario:ok}: rate<0.01'].ok).toBe(true);
    expect(byExpr['http_req_failed{scenario:bad}: rate<0.5']).toMatchObject({ ok: false, observed: 1 });
    expect(byExpr['http_reqs: count==14'].ok).toBe(true);
    expect(r.ok).toBe(false);
    expect(() => assertThresholds(r.thresholds)).toThrow(ThresholdError);
    try {
      assertThresholds(r.thresholds);
    } catch (e) {
      expect((e as ThresholdError).exitCode).toBe(99);
      expect((e as ThresholdError).breached).toHaveLength(2);
    }
    expect(r.metrics.http_req_duration['p(95)']).toBeGreaterThanOrEqual(30);
  });

  it('plans are validated: loopback only, bounded iterations, valid durations and thresholds', () => {
    const s = { executor: 'shared-iterations' as const, vus: 1, iterations: 1, maxDuration: '1s', request: { method: 'GET' as const, path: '/' } };
    expect(() => validatePlan({ baseUrl: 'http://example.com/api', scenarios: { s } })).toThrow(/loopback/);
    expect(() => validatePlan({ baseUrl, scenarios: { s: { ...s, iterations: 10_000_000 } } })).toThrow(/iterations/);
    expect(() => validatePlan({ baseUrl, scenarios: { s: { ...s, maxDuration: '2d' } } })).toThrow(/duration/);
    expect(() => validatePlan({ baseUrl, scenarios: { 'bad-name': s } })).toThrow(/identifier/);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseThreshold('http_req_duration', 'p(99.9) <= 250')).toMatchObject({ stat: 'p(99.9)', op: '<=', value: 250 });
    expect(() => parseThreshold('http_req_duration', 'p95<250')).toThrow();
  });
});
