// A load plan in k6's vocabulary: named scenarios with executors, one request template each, and
// thresholds. The same plan runs in-process (engine.ts) or exports to a k6 script (k6-export.ts).
import { ConfigError } from '../errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One request per iteration. Strings in path/headers/body may contain placeholders:
 * `{{vu}}` (1-based VU number), `{{iter}}` (0-based iteration of that VU), `{{scenarioIter}}`
 * (0-based iteration across the scenario), `{{env:NAME}}` (a variable from the run's env, e.g. a
 * token — exported to k6 as `__ENV.NAME`, so no secret is ever written into a script).
 */
export interface RequestTemplate {
  method: HttpMethod;
  /** Appended to the plan's baseUrl, e.g. `/projects/p1/agentic-sessions`. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Statuses counted as success for http_req_failed (default: 200–399). */
  expectStatus?: number[];
}

interface ExecutorBase {
  /** Hard stop for the scenario (k6 duration string: "500ms", "30s", "2m"). */
  maxDuration: string;
  request: RequestTemplate;
}

export interface SharedIterations extends ExecutorBase {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
}

export interface PerVuIterations extends ExecutorBase {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
}

export interface ConstantArrivalRate extends ExecutorBase {
  executor: 'constant-arrival-rate';
  /** Iterations started per timeUnit. */
  rate: number;
  timeUnit: string;
  duration: string;
  preAllocatedVUs: number;
  maxVUs: number;
}

export type LoadScenario = SharedIterations | PerVuIterations | ConstantArrivalRate;

export interface LoadPlan {
  /** Base URL of the backend API, including `/api`. Loopback only. */
  baseUrl: string;
  scenarios: Record<string, LoadScenario>;
  /** k6 thresholds: { http_req_duration: ['p(95)<500'], 'http_req_failed{scenario:create}': ['rate<0.01'] }. */
  thresholds?: Record<string, string[]>;
  /** Per-request timeout (default 10 s). */
  requestTimeout?: string;
}

/** Engine-wide caps so every loop is bounded in count and time, whatever the plan says. */
export const LIMITS = { maxVUs: 500, maxIterations: 100_000, maxDurationMs: 15 * 60_000 };

/** k6 duration strings: "250ms", "30s", "1m30s", "1h". */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  if (!text || consumed !== text.length) throw new ConfigError(`invalid duration "${text}" (use e.g. 500ms, 30s, 1m30s)`);
  return total;
}

const SCENARIO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates a plan against the engine's limits; throws ConfigError with the first problem. */
export function validatePlan(plan: LoadPlan): void {
  const url = new URL(plan.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new ConfigError(`load baseUrl must be loopback, got ${url.hostname}`);
  const names = Object.keys(plan.scenarios);
  if (!names.length) throw new ConfigError('load plan has no scenarios');
  for (const [name, s] of Object.entries(plan.scenarios)) {
    if (!SCENARIO_NAME.test(name)) throw new ConfigError(`load scenario name "${name}" must be an identifier`);
    const maxMs = parseDuration(s.maxDuration);
    if (maxMs <= 0 || maxMs > LIMITS.maxDurationMs) throw new ConfigError(`${name}: maxDuration must be in (0, ${LIMITS.maxDurationMs} ms]`);
    if (s.executor === 'constant-arrival-rate') {
      if (s.rate <= 0 || s.preAllocatedVUs < 1 || s.maxVUs < s.preAllocatedVUs || s.maxVUs > LIMITS.maxVUs) throw new ConfigError(`${name}: need rate > 0 and 1 <= preAllocatedVUs <= maxVUs <= ${LIMITS.maxVUs}`);
      const expected = (s.rate * parseDuration(s.duration)) / parseDuration(s.timeUnit);
      if (expected > LIMITS.maxIterations) throw new ConfigError(`${name}: rate × duration = ${Math.round(expected)} iterations exceeds ${LIMITS.maxIterations}`);
    } else {
      if (s.vus < 1 || s.vus > LIMITS.maxVUs) throw new ConfigError(`${name}: vus must be in [1, ${LIMITS.maxVUs}]`);
      const total = s.executor === 'per-vu-iterations' ? s.vus * s.iterations : s.iterations;
      if (s.iterations < 1 || total > LIMITS.maxIterations) throw new ConfigError(`${name}: iterations must be ≥ 1 and the total ≤ ${LIMITS.maxIterations}`);
    }
  }
}
