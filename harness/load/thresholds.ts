// k6 thresholds as data: `metric{tag:value}: ['p(95)<500', 'rate<0.01']`, evaluated against the
// run's metrics. Any failed expression makes the run exit 99 (ThresholdError), as k6 does.
import { ConfigError, ThresholdError } from '../errors.ts';
import type { ThresholdOutcome } from '../report/model.ts';

const EXPR = /^\s*(avg|min|max|med|count|rate|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;
const KEY = /^([a-z_]+)(?:\{scenario:([A-Za-z0-9_]+)\})?$/;

export interface ParsedThreshold {
  metric: string;
  scenario?: string;
  stat: string;
  op: string;
  value: number;
  expression: string;
}

export function parseThreshold(key: string, expression: string): ParsedThreshold {
  const k = KEY.exec(key);
  if (!k) throw new ConfigError(`threshold metric "${key}" (use name or name{scenario:x})`);
  const m = EXPR.exec(expression);
  if (!m) throw new ConfigError(`threshold "${key}: ${expression}" is not of the form p(95)<500, avg<200, rate<0.01, count>0`);
  const stat = m[2] ? `p(${Number(m[2])})` : m[1];
  return { metric: k[1], scenario: k[2], stat, op: m[3], value: Number(m[4]), expression };
}

export function parseThresholds(thresholds: Record<string, string[]>): Array<ParsedThreshold & { key: string }> {
  return Object.entries(thresholds).flatMap(([key, exprs]) => exprs.map((e) => ({ ...parseThreshold(key, e), key })));
}

function compare(observed: number, op: string, value: number): boolean {
  switch (op) {
    case '<':
      return observed < value;
    case '<=':
      return observed <= value;
    case '>':
      return observed > value;
    case '>=':
      return observed >= value;
    case '==':
      return observed === value;
    default:
      return observed !== value;
  }
}

/** Looks up stats of a metric (global or per scenario); `percentile` answers p(N) for any N. */
export interface MetricSource {
  stats(metric: string, scenario?: string): Record<string, number> | undefined;
  percentile(metric: string, p: number, scenario?: string): number | undefined;
}

export function evaluateThresholds(thresholds: Record<string, string[]>, source: MetricSource): ThresholdOutcome[] {
  return parseThresholds(thresholds).map((t) => {
    const stats = source.stats(t.metric, t.scenario);
    if (!stats) throw new ConfigError(`threshold on unknown metric "${t.key}"`);
    const pm = /^p\((.+)\)$/.exec(t.stat);
    const observed = pm ? (source.percentile(t.metric, Number(pm[1]), t.scenario) ?? NaN) : stats[t.stat];
    if (observed === undefined || Number.isNaN(observed)) throw new ConfigError(`threshold "${t.key}: ${t.expression}": metric has no "${t.stat}"`);
    return { metric: t.key, expression: t.expression, ok: compare(observed, t.op, t.value), observed };
  });
}

export function assertThresholds(outcomes: ThresholdOutcome[]): void {
  const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.metric}: ${o.expression} (observed ${o.observed})`);
  if (failed.length) throw new ThresholdError(`thresholds breached: ${failed.join('; ')}`, failed);
}
