// `npm run harness` equivalent on the embedded target with the reference profile: exit 0, every
// scenario ran with no finding, the three reports are written, and no credential planted during
// the run (nor any raw service-account token) appears in any file of the report directory.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/helpers.ts';
import { plantedCredentials, readAll, tmpDir } from './helpers.ts';

describe('ambient-harness run (reference profile)', () => {
  it('exits 0, writes junit.xml, report.json and summary.md, and leaks no token', async () => {
    const dir = tmpDir('cli-reference');
    const r = await runCli(['run', '--report-dir', dir, '--seed', '1', '--depth', '2', '--fanout', '2'], { timeoutMs: 400_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    for (const f of ['junit.xml', 'report.json', 'summary.md']) expect(existsSync(path.join(dir, f)), f).toBe(true);

    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
    const scenarios = report.scenarios as { name: string; status: string; assertions: { assertion: string; status: string }[] }[];
    expect(scenarios.map((s) => [s.name, s.status])).toEqual([
      ['identity-inheritance', 'passed'],
      ['credential-resolution', 'passed'],
      ['fallback', 'passed'],
      ['security', 'passed'],
      ['naming-under-concurrency', 'passed'],
    ]);
    const statuses = scenarios.flatMap((s) => s.assertions.map((a) => a.status));
    expect(statuses.filter((s) => s !== 'passed')).toEqual([]);
    expect(statuses.length).toBeGreaterThan(60);
    // One JUnit testcase per assertion; backend-contract probes in suites of their own.
    const junit = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect((junit.match(/<testcase /g) ?? []).length).toBe(statuses.length);
    expect(junit).toContain('<testsuite name="identity-inheritance (backend-contract probes)"');
    expect(report.summary.probes.passed).toBeGreaterThan(0);
    expect(report.parameters).toMatchObject({ strictIdentity: 'all', runner: '0b59fe7de' });

    const planted = plantedCredentials(1);
    const rawJwt = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;
    const files = readAll(dir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const { file, text } of [...files, { file: 'stdout', text: r.stdout }, { file: 'stderr', text: r.stderr }]) {
      for (const secret of planted) expect(text.includes(secret), `${path.basename(file)} contains a planted credential`).toBe(false);
      expect(rawJwt.test(text), `${path.basename(file)} contains a raw token`).toBe(false);
    }
  }, 450_000);
});
