// The scenarios as vitest files (`npm run scenarios`), run the way users run them: vitest with the
// scenarios' config, the target configured by AMBIENT_HARNESS_* variables. Findings fail tests,
// passing assertions pass them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/helpers.ts';
import { tmpDir } from './helpers.ts';

interface VitestJson {
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

function runScenarioFile(file: string, env: Record<string, string>): Promise<{ code: number | null; json: VitestJson; output: string }> {
  const dir = tmpDir('vitest-files');
  const out = path.join(dir, 'vitest.json');
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AMBIENT_HARNESS_') && !k.startsWith('VITEST')) clean[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'scenarios/vitest.config.ts', file, '--reporter=json', `--outputFile=${out}`],
      { cwd: repoRoot, env: { ...clean, AMBIENT_HARNESS_REPORT_DIR: path.join(dir, 'reports'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({ code, json: JSON.parse(readFileSync(out, 'utf8')) as VitestJson, output });
      } catch (err) {
        reject(new Error(`no vitest JSON (exit ${code}): ${(err as Error).message}\n${output.slice(-2000)}`));
      }
    });
  });
}

describe('scenarios as vitest files', () => {
  it('m-6b21778: the naming findings are failed tests with the finding text; exit 1', async () => {
    const r = await runScenarioFile('scenarios/naming.test.ts', { AMBIENT_HARNESS_PROFILE: 'm-6b21778' });
    expect(r.code, r.output.slice(-2000)).toBe(1);
    const tests = r.json.testResults.flatMap((t) => t.assertionResults).filter((t) => t.title.startsWith('naming.'));
    expect(tests.map((t) => [t.title, t.status]).sort()).toEqual([
      ['naming.distinct-sessions @ burst of 20', 'failed'],
      ['naming.no-5xx @ burst of 20', 'failed'],
    ]);
    const no5xx = tests.find((t) => t.title.startsWith('naming.no-5xx'))!;
    expect(no5xx.failureMessages.join('\n')).toMatch(/simultaneous creates answered 5xx[\s\S]*repro: +ambient-harness run naming-under-concurrency .*--profile m-6b21778/);
  }, 260_000);

  it('reference: every assertion of the fallback scenario is a passing test; exit 0', async () => {
    const r = await runScenarioFile('scenarios/fallback.test.ts', { AMBIENT_HARNESS_PROFILE: 'reference', AMBIENT_HARNESS_DEPTH: '2' });
    expect(r.code, r.output.slice(-2000)).toBe(0);
    const tests = r.json.testResults.flatMap((t) => t.assertionResults);
    expect(tests.length).toBeGreaterThanOrEqual(10);
    expect(tests.every((t) => t.status === 'passed')).toBe(true);
    expect(tests.map((t) => t.title)).toContain('fallback.runner.deleted-parent.token-refused @ R');
    expect(tests.map((t) => t.title)).toContain('fallback.probe.parent-never-existed @ session-never-existed-s1 → child');
  }, 260_000);
});
