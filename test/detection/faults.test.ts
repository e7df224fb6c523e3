// Faults the platform is not to blame for: a neutral proxy gives no finding; 3 % of GETs answering
// 503 once are retried through and counted as transient events (exit 0); a 5xx that persists is a
// finding stating status, body and attempts; a backend that goes away is an infrastructure
// failure (exit 3), never a finding.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dies, neutral, transient503 } from './backends.ts';
import type { ProxyHooks } from './proxy.ts';
import { runBehind, statuses } from './run.ts';

describe('broken backends: faults', () => {
  it('a neutral proxy in front of the reference backend: the default run passes with no finding', async () => {
    const r = await runBehind(() => neutral());
    expect(r.outcome.exitCode, JSON.stringify({ statuses: statuses(r), findings: r.byAssertion })).toBe(0);
    expect(r.findings).toEqual([]);
    // All traffic went through it: users' and runners' creates, reads and credential fetches.
    const seen = [...r.proxy.counts.keys()];
    for (const k of ['POST /api/projects/ah-s1-identity/agentic-sessions', 'GET /api/projects/ah-s1-identity/agentic-sessions/:s', 'GET /api/projects/ah-s1-credentials/agentic-sessions/:s/credentials/github']) expect(seen).toContain(k);
  }, 400_000);

  it('3 % of GETs answering 503 once: exit 0, and every fault is reported as a transient event', async () => {
    let hooks: ReturnType<typeof transient503> | undefined;
    const r = await runBehind(() => (hooks = transient503(7)));
    expect(r.outcome.exitCode, JSON.stringify({ statuses: statuses(r), findings: r.findings.map((f) => f.message) })).toBe(0);
    const faults = hooks!.faults();
    expect(faults).toBeGreaterThan(3);
    const json = JSON.parse(readFileSync(path.join(r.reportDir, 'report.json'), 'utf8'));
    expect(json.transients.count).toBe(faults);
    expect(json.transients.events.every((e: { cause: string; attempts: number }) => e.cause === '503' && e.attempts === 2)).toBe(true);
    expect(readFileSync(path.join(r.reportDir, 'summary.md'), 'utf8')).toContain(`### Transient faults (${faults}): retried and cleared, not findings`);
  }, 400_000);

  it('a 503 that persists is a finding with the status, the body\'s error and the attempts, not a guess', async () => {
    const always503: ProxyHooks = {
      request: (req) => (req.method === 'GET' && /\/agentic-sessions\/[^/]+$/.test(req.path) ? { status: 503, json: { error: 'backend overloaded' } } : undefined),
    };
    const r = await runBehind(() => always503, { scenarios: ['identity-inheritance'], depth: 1, fanout: 1, parentKeys: ['parentSessionId'] });
    expect(r.outcome.exitCode).toBe(1);
    const f = r.findings.find((x) => x.assertion === 'read.owner.get')!;
    expect(f.actual).toEqual({ status: 503, error: 'backend overloaded', attempts: 4 });
    expect(f.message).toMatch(/answered 503 backend overloaded \(after 4 attempts\)$/);
  }, 300_000);

  it('a backend that goes away mid-run: exit 3 (infrastructure), never 1', async () => {
    const r = await runBehind((_c, proxy) => dies(40, proxy), { scenarios: ['identity-inheritance', 'credential-resolution'], depth: 2, fanout: 2 });
    expect(r.outcome.exitCode, JSON.stringify(statuses(r))).toBe(3);
    expect(r.outcome.result.scenarios[0]).toMatchObject({ status: 'error' });
    expect(r.outcome.result.scenarios[0].error).toMatch(/no answer|ECONNREFUSED|health check/);
  }, 300_000);
});
