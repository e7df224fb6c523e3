// The CI workflows under ci/ (for the platform's repository): actionlint finds nothing (and runs
// shellcheck on their scripts when it is installed), and each job does what ci/README.md promises:
// uploads reports/ and publishes JUnit whatever the outcome, and runs the harness the way its row says.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exec, which } from '../../harness/targets/exec.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const ciDir = path.join(repoRoot, 'ci');
const files = readdirSync(ciDir).filter((f) => f.endsWith('.yml'));

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, { steps: Step[]; 'timeout-minutes'?: number }> };
const load = (f: string) => parse(readFileSync(path.join(ciDir, f), 'utf8')) as Workflow;
const steps = (f: string) => Object.values(load(f).jobs).flatMap((j) => j.steps);
const harnessRuns = (f: string) => steps(f).map((s) => s.run ?? '').filter((r) => /ambient-harness\.mjs|\$HARNESS/.test(r));

/** actionlint from PATH, $ACTIONLINT, or where `go install` puts it. */
function actionlint(): string | undefined {
  const candidates = [process.env.ACTIONLINT, which('actionlint'), path.join(process.env.GOPATH ?? path.join(os.homedir(), 'go'), 'bin', 'actionlint')];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

describe('CI workflows for the platform', () => {
  it('there are the three jobs ci/README.md describes', () => {
    expect(files.sort()).toEqual(['ambient-harness-kind.yml', 'ambient-harness-pr.yml', 'ambient-harness-release-load.yml']);
    const readme = readFileSync(path.join(ciDir, 'README.md'), 'utf8');
    for (const f of files) expect(readme).toContain(f);
  });

  it('actionlint reports nothing', async (ctx) => {
    const bin = actionlint();
    if (!bin) return ctx.skip('actionlint not found (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12; .ci/run installs it)');
    const r = await exec(bin, ['-no-color', '-oneline', ...files.map((f) => path.join(ciDir, f))], { allowFailure: true, timeoutMs: 60_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 90_000);

  for (const f of files) {
    it(`${f}: uploads reports/ and publishes JUnit whatever the outcome, within a time limit`, () => {
      const all = steps(f);
      const upload = all.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
      expect(upload?.with?.path).toBe('reports/');
      expect(upload?.if).toBe('always()');
      const junit = all.find((s) => s.uses?.startsWith('EnricoMi/publish-unit-test-result-action@'));
      expect(junit?.with?.files).toBe('reports/**/junit.xml');
      expect(junit?.if).toBe('always()');
      expect(load(f).permissions?.checks).toBe('write');
      for (const job of Object.values(load(f).jobs)) expect(job['timeout-minutes']).toBeGreaterThan(0);
      // Every harness run writes under reports/, so the upload has it.
      for (const run of harnessRuns(f).filter((r) => / run /.test(r))) expect(run).toMatch(/--report-dir reports\//);
    });
  }

  it('the PR gate builds the platform from the checkout and needs no Docker', () => {
    const f = 'ambient-harness-pr.yml';
    expect(harnessRuns(f).join('\n')).toMatch(/ambient-harness\.mjs run --platform-dir \. --build /);
    expect(steps(f).some((s) => /\b(docker|kind)\b/.test(s.run ?? '') || /docker/.test(s.uses ?? ''))).toBe(false);
    expect(load(f).on).toHaveProperty('pull_request');
  });

  it('the kind job builds the images and runs every scenario on kind', () => {
    const run = harnessRuns('ambient-harness-kind.yml').find((r) => / run\b/.test(r))!;
    expect(run).toMatch(/--target kind/);
    expect(run).toMatch(/--build-images/);
    expect(run).toMatch(/--platform-dir \./);
    expect(run).not.toMatch(/run\s+\S+\s+--target/); // no scenario names: all of them
  });

  it('the release job exports the k6 script and TestRun, runs it, and always removes the cluster', () => {
    const f = 'ambient-harness-release-load.yml';
    const all = steps(f);
    expect(all.some((s) => /\$HARNESS k6 export "\$SCENARIO" --out reports\/k6/.test(s.run ?? ''))).toBe(true);
    expect(all.some((s) => /kind: TestRun|select\(\.kind == "TestRun"\)/.test(s.run ?? ''))).toBe(true);
    const down = all.find((s) => /\$HARNESS down --target kind/.test(s.run ?? ''));
    expect(down?.if).toBe('always()');
    const up = all.findIndex((s) => /\$HARNESS up --target kind/.test(s.run ?? ''));
    expect(up).toBeGreaterThan(-1);
    expect(all.indexOf(down!)).toBeGreaterThan(up);
    expect(load(f).on).toHaveProperty('release');
  });
});
