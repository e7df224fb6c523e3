// The CLI with the platform's programs as local processes, as users run it: --platform-dir
// --build of the fake platform (a compile error is exit 3 with the compiler's words), SIGKILL of
// a running harness leaving no process behind, and --target existing with --backend-cmd /
// --operator-cmd against an API server where nothing of the platform is deployed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_CACHE_ENV } from '../../harness/platform/local/build.ts';
import { kubectl } from '../../harness/platform/deploy.ts';
import { referenceCommands } from '../../harness/platform/external.ts';
import { isAlive, liveDescendants } from '../../harness/process/proc.ts';
import { which } from '../../harness/targets/exec.ts';
import { FAKE_PLATFORM, fakePlatformCopy, goMissing } from '../platform/fake-platform.ts';
import { expectOneErrorLine, repoRoot, runCli } from './helpers.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ah-local-cli-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kubectlMissing = which('kubectl') ? undefined : 'kubectl is not on PATH';

describe('options of the local platform processes', () => {
  it('--build without --platform-dir, and cluster processes on embedded, are bad input (exit 2, one line)', async () => {
    const a = await runCli(['run', '--build']);
    expect(a.code).toBe(2);
    expect(expectOneErrorLine(a.stderr)).toMatch(/--build needs --platform-dir/);
    const b = await runCli(['run', '--platform-processes', 'cluster']);
    expect(b.code).toBe(2);
    expect(expectOneErrorLine(b.stderr)).toMatch(/embedded control plane runs no containers/);
  });
});

describe.skipIf(!!(goMissing || kubectlMissing))(`--platform-dir --build through the CLI${goMissing || kubectlMissing ? ` (skipped: ${goMissing || kubectlMissing})` : ''}`, () => {
  it('a compile error in the checkout: exit 3, the compiler\'s error in the one error line, the full output in the report dir', async () => {
    const copy = fakePlatformCopy();
    const main = path.join(copy, 'components', 'backend', 'main.go');
    writeFileSync(main, readFileSync(main, 'utf8').replace('func main() {', 'func main() {\n\tvar unused int'));
    const reports = tmp();
    const r = await runCli(['run', 'naming', '--platform-dir', copy, '--build', '--report-dir', reports], { env: { [BUILD_CACHE_ENV]: path.join(reports, 'cache') }, timeoutMs: 240_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ambient-harness: error: go build of components\/backend failed \(exit 1\): .*main\.go:\d+:\d+: declared and not used: unused/);
    expect(readFileSync(path.join(reports, 'build-backend.log'), 'utf8')).toContain('declared and not used: unused');
  }, 300_000);

  it('SIGKILL of a running harness: no process it started is alive 5 s later', async () => {
    const reports = tmp();
    const harness = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ambient-harness.mjs'), 'run', 'naming', '--platform-dir', FAKE_PLATFORM, '--build', '--report-dir', reports], {
      cwd: repoRoot,
      // The fake backend holds every API call open: the harness sits in its scenario.
      env: { ...process.env, FAKE_BACKEND_API: 'hang', [BUILD_CACHE_ENV]: path.join(reports, 'cache') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    harness.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 240_000;
    while (!err.includes('scenario naming-under-concurrency: running') && harness.exitCode === null && Date.now() < deadline) await sleep(100);
    expect(err).toContain('scenario naming-under-concurrency: running');
    await sleep(500);
    const started = liveDescendants(harness.pid!);
    // At least the backend and operator programs and the watchdog.
    expect(started.length).toBeGreaterThanOrEqual(3);
    harness.kill('SIGKILL');
    const t0 = Date.now();
    while (started.some(isAlive) && Date.now() - t0 < 5000) await sleep(100);
    expect(started.filter(isAlive), `alive 5 s after SIGKILL of the harness`).toEqual([]);
  }, 300_000);
});

describe.skipIf(!!kubectlMissing)(`--target existing with local processes${kubectlMissing ? ` (skipped: ${kubectlMissing})` : ''}`, () => {
  it('runs the scenarios against an API server without the platform, then deletes what it installed', async () => {
    const dir = tmp();
    const kubeconfig = path.join(dir, 'kubeconfig');
    // The "existing cluster": an API server in another process, with nothing of the platform on it.
    const server = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ambient-harness.mjs'), 'controlplane', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    server.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('ready') && server.exitCode === null && Date.now() < deadline) await sleep(100);
      const cmds = await referenceCommands();
      const r = await runCli(['run', 'naming', '--target', 'existing', '--kubeconfig', kubeconfig, '--backend-cmd', cmds.backend, '--operator-cmd', cmds.operator, '--report-dir', path.join(dir, 'reports')], {
        timeoutMs: 120_000,
      });
      expect(r.stderr).toContain('as local processes');
      expect(r.code, r.stderr).toBe(0);
      const k = { kubeconfig };
      expect((await kubectl(k, ['get', 'crd', 'agenticsessions.vteam.ambient-code', '--ignore-not-found', '-o', 'name'])).stdout.trim()).toBe('');
      expect((await kubectl(k, ['get', 'clusterrolebindings', '-l', 'harness.ambient-code.io/run', '-o', 'name'])).stdout.trim()).toBe('');
    } finally {
      server.kill('SIGINT');
    }
  }, 180_000);
});
