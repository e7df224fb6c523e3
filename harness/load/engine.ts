// In-process load engine: runs a LoadPlan's scenarios concurrently with k6's executor semantics,
// records HDR metrics, and evaluates thresholds. Every loop is capped by iterations and maxDuration.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { LoadSummary, ThresholdOutcome } from '../report/model.ts';
import { progress } from '../report/progress.ts';
import { MetricSet } from './metrics.ts';
import { parseDuration, validatePlan, type LoadPlan, type LoadScenario, type RequestTemplate } from './plan.ts';
import { evaluateThresholds, type MetricSource } from './thresholds.ts';

export interface TemplateVars {
  vu: number;
  iter: number;
  scenarioIter: number;
  env: Record<string, string | undefined>;
}

/** Substitutes {{vu}}, {{iter}}, {{scenarioIter}}, {{env:NAME}} in every string of a value. */
export function renderTemplate<T>(value: T, vars: TemplateVars): T {
  if (typeof value === 'string') {
    return value.replace(/\{\{(vu|iter|scenarioIter|env:([A-Za-z_][A-Za-z0-9_]*))\}\}/g, (_m, what: string, envName?: string) => {
      if (envName) return vars.env[envName] ?? '';
      return String(vars[what as 'vu' | 'iter' | 'scenarioIter']);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, vars)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderTemplate(v, vars);
    return out as T;
  }
  return value;
}

export interface LoadResult {
  elapsedMs: number;
  metrics: Record<string, Record<string, number>>;
  scenarios: Record<string, Record<string, Record<string, number>>>;
  /** Responses by status code ("0" = network error / timeout). */
  statuses: Record<string, number>;
  thresholds: ThresholdOutcome[];
  ok: boolean;
}

export interface RunLoadOptions {
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Progress lines every N ms (0 = off). */
  progressEveryMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export async function runLoad(plan: LoadPlan, opts: RunLoadOptions = {}): Promise<LoadResult> {
  validatePlan(plan);
  const env = opts.env ?? {};
  const requestTimeoutMs = parseDuration(plan.requestTimeout ?? '10s');
  const global = new MetricSet();
  const perScenario = new Map<string, MetricSet>();
  const statuses: Record<string, number> = {};
  const start = performance.now();

  async function iteration(name: string, s: LoadScenario, vu: number, iter: number, scenarioIter: number, stop: AbortSignal): Promise<void> {
    const scoped = perScenario.get(name)!;
    const req = renderTemplate<RequestTemplate>(s.request, { vu, iter, scenarioIter, env });
    const t0 = performance.now();
    let status = 0;
    try {
      const res = await fetch(plan.baseUrl.replace(/\/$/, '') + req.path, {
        method: req.method,
        headers: { ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(req.headers ?? {}) },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
        signal: AbortSignal.any([stop, AbortSignal.timeout(requestTimeoutMs)]),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 0;
    }
    const ms = performance.now() - t0;
    const failed = status === 0 || (req.expectStatus ? !req.expectStatus.includes(status) : status >= 400);
    statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    for (const m of [global, scoped]) {
      m.http_req_duration.add(ms);
      m.http_req_failed.add(failed);
      m.http_reqs.add();
      m.iterations.add();
      m.iteration_duration.add(performance.now() - t0);
    }
  }

  async function runScenario(name: string, s: LoadScenario): Promise<void> {
    perScenario.set(name, new MetricSet());
    const maxMs = parseDuration(s.maxDuration);
    const stop = AbortSignal.any([AbortSignal.timeout(maxMs), ...(opts.signal ? [opts.signal] : [])]);
    // Every in-flight request listens on `stop`; that is expected, not a leak.
    setMaxListeners(0, stop);
    const deadline = performance.now() + maxMs;
    const live = () => !stop.aborted && performance.now() < deadline;
    if (s.executor === 'shared-iterations' || s.executor === 'per-vu-iterations') {
      let next = 0;
      await Promise.all(
        Array.from({ length: s.vus }, async (_, i) => {
          for (let iter = 0; live(); iter++) {
            let n: number;
            if (s.executor === 'shared-iterations') {
              if (next >= s.iterations) return;
              n = next++;
            } else {
              if (iter >= s.iterations) return;
              n = i * s.iterations + iter;
            }
            await iteration(name, s, i + 1, iter, n, stop);
          }
        }),
      );
      return;
    }
    // constant-arrival-rate: start an iteration every interval; with no free VU it is dropped.
    const interval = parseDuration(s.timeUnit) / s.rate;
    const total = Math.floor(parseDuration(s.duration) / interval);
    const free = Array.from({ length: s.maxVUs }, (_, i) => s.maxVUs - i); // stack of VU ids, 1 on top
    const vuIters = new Map<number, number>();
    const inflight = new Set<Promise<void>>();
    const t0 = performance.now();
    for (let k = 0; k < total && live(); k++) {
      await sleep(t0 + k * interval - performance.now(), stop);
      if (!live()) break;
      const vu = free.pop();
      if (vu === undefined) {
        global.dropped_iterations.add();
        perScenario.get(name)!.dropped_iterations.add();
        continue;
      }
      const iter = vuIters.get(vu) ?? 0;
      vuIters.set(vu, iter + 1);
      const p: Promise<void> = iteration(name, s, vu, iter, k, stop).finally(() => {
        free.push(vu);
        inflight.delete(p);
      });
      inflight.add(p);
    }
    await Promise.all(inflight);
  }

  const ticker = opts.progressEveryMs
    ? setInterval(() => progress(`load: ${global.http_reqs.count} requests, ${global.http_req_failed.passes} failed, ${Math.round(performance.now() - start)} ms`), opts.progressEveryMs)
    : undefined;
  try {
    await Promise.all(Object.entries(plan.scenarios).map(([name, s]) => runScenario(name, s)));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  const elapsedMs = performance.now() - start;
  const source: MetricSource = {
    stats: (metric, scenario) => {
      const set = scenario ? perScenario.get(scenario) : global;
      return set?.summary(elapsedMs)[metric];
    },
    percentile: (metric, p, scenario) => {
      const set = scenario ? perScenario.get(scenario) : global;
      const m = set?.[metric as 'http_req_duration' | 'iteration_duration'];
      return m && 'percentile' in m ? m.percentile(p) : undefined;
    },
  };
  const thresholds = evaluateThresholds(plan.thresholds ?? {}, source);
  return {
    elapsedMs,
    metrics: global.summary(elapsedMs),
    scenarios: Object.fromEntries([...perScenario].map(([n, m]) => [n, m.summary(elapsedMs)])),
    statuses,
    thresholds,
    ok: thresholds.every((t) => t.ok),
  };
}

/** For report.json: durations are timing noise, so only the seed-stable counts go in by default. */
export function toLoadSummary(name: string, r: LoadResult): LoadSummary {
  return { name, metrics: r.metrics, thresholds: r.thresholds };
}
