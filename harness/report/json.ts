// report.json (schema in SCHEMA.md). Keys are emitted in a fixed order and free-form maps are
// key-sorted, so the same seed gives byte-identical output apart from `*At`, `durationMs` and `timings`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../bundle/bundle.mjs';
import { allFindings, countAssertions, type RunResult, type ScenarioResult, type TreeNode } from './model.ts';

export const REPORT_SCHEMA_VERSION = 1;

const toolVersion: string = (() => {
  try {
    return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** Recursively sorts object keys (free-form values such as expected/actual, attrs, metrics). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Seed-stable identity of a run's inputs (the time-stamped runId is not part of report.json). */
export function runKeyOf(run: Pick<RunResult, 'seed' | 'profile' | 'target' | 'parameters'>): string {
  const basis = JSON.stringify(sortKeys({ seed: run.seed, profile: run.profile, target: run.target.name, parameters: run.parameters }));
  return createHash('sha256').update(basis).digest('hex').slice(0, 12);
}

export function outcomeOf(exitCode: number): string {
  return ({ 0: 'pass', 1: 'findings', 2: 'bad-input', 3: 'infrastructure-error', 99: 'thresholds-breached' } as Record<number, string>)[exitCode] ?? 'unknown';
}

const tree = (nodes: TreeNode[]): unknown[] => nodes.map((n) => ({ id: n.id, attrs: sortKeys(n.attrs ?? {}), children: tree(n.children) }));

function scenario(s: ScenarioResult): unknown {
  return {
    name: s.name,
    status: s.status,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    assertions: s.assertions.map((a) => ({
      assertion: a.assertion,
      status: a.status,
      ...(a.reason !== undefined ? { reason: a.reason } : {}),
      ...(a.sessionPath ? { sessionPath: a.sessionPath } : {}),
      ...(a.probe ? { probe: true } : {}),
      durationMs: a.durationMs,
    })),
    tree: tree(s.tree ?? []),
    load: (s.load ?? []).map((l) => ({
      name: l.name,
      metrics: sortKeys(l.metrics),
      thresholds: l.thresholds.map((t) => ({ metric: t.metric, expression: t.expression, ok: t.ok, observed: t.observed })),
    })),
  };
}

export function buildReportJson(run: RunResult): unknown {
  const findings = allFindings(run);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'ambient-harness', version: toolVersion },
    run: {
      runKey: runKeyOf(run),
      seed: run.seed,
      profile: run.profile,
      target: run.target.name,
      outcome: outcomeOf(run.exitCode),
      exitCode: run.exitCode,
      ...(run.error ? { error: { code: run.error.code, message: run.error.message } } : {}),
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: run.durationMs,
    },
    parameters: sortKeys(run.parameters),
    target: { name: run.target.name, capabilities: sortKeys(run.target.capabilities) },
    summary: { scenarios: run.scenarios.length, assertions: countAssertions(run, 'checks'), probes: countAssertions(run, 'probes'), findings: findings.length },
    scenarios: run.scenarios.map(scenario),
    findings: findings.map((f) => ({
      scenario: f.scenario,
      assertion: f.assertion,
      sessionPath: f.sessionPath,
      expected: sortKeys(f.expected) ?? null,
      actual: sortKeys(f.actual) ?? null,
      message: f.message,
      repro: f.repro,
      ...(f.probe ? { probe: true } : {}),
    })),
    transients: transientsOf(run),
    timings: sortKeys(run.timings),
  };
}

/** Transient faults retried through: volatile (they depend on timing, not on the seed). */
function transientsOf(run: RunResult): { count: number; events: unknown[] } {
  const events = run.scenarios.flatMap((s) => (s.transients ?? []).map((e) => ({ scenario: s.name, request: e.request, cause: e.cause, attempts: e.attempts })));
  return { count: events.length, events };
}

export function renderReportJson(run: RunResult): string {
  return JSON.stringify(buildReportJson(run), null, 2) + '\n';
}

/** The part of report.json that must be identical for the same seed: drops `*At`, `durationMs`, `timings`, `transients`. */
export function stableView(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stableView);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('At') || k === 'durationMs' || k === 'timings' || k === 'transients') continue;
      out[k] = stableView(v);
    }
    return out;
  }
  return value;
}
