// The CLI as users run it: `node bin/ambient-harness.mjs ...` as a child process.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneErrorLine, repoRoot, runCli } from './helpers.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'h8-cli-'));

describe.concurrent('ambient-harness CLI (spawned)', () => {
  it('--help documents commands and exit codes, exit 0', async () => {
    const [r, run] = await Promise.all([runCli(['--help'], { timeoutMs: 50_000 }), runCli(['run', '--help'], { timeoutMs: 50_000 })]);
    expect(r.code).toBe(0);
    for (const s of ['run', 'repro', 'controlplane', 'validate-config', 'Exit codes', '99', 'thresholds breached']) expect(r.stdout).toContain(s);
    expect(run.code).toBe(0);
    for (const f of ['--target', '--profile', '--seed', '--depth', '--fanout', '--concurrency', '--report-dir', '--backend-cmd', '--operator-cmd', '--platform-dir', '--strict-identity', '--runner', '--wide-levels']) {
      expect(run.stdout).toContain(f);
    }
  });

  it('an unknown flag is one error line and exit 2', async () => {
    const r = await runCli(['run', '--no-such-flag'], { timeoutMs: 50_000 });
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r.stderr)).toContain("unknown option '--no-such-flag'");
  });

  it('a missing prerequisite (kind target, no kind/docker on PATH) is exit 3 with one error line, and reports are still written', async () => {
    const dir = tmp();
    const r = await runCli(['run', '--target', 'kind', '--report-dir', path.join(dir, 'r')], { env: { PATH: path.dirname(process.execPath) }, timeoutMs: 50_000 });
    expect(r.code).toBe(3);
    const errLines = r.stderr.split('\n').filter((l) => l.startsWith('ambient-harness: error: '));
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(/kind is not on PATH/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(readFileSync(path.join(dir, 'r', 'report.json'), 'utf8'));
    expect(report.run).toMatchObject({ exitCode: 3, outcome: 'infrastructure-error', error: { code: 'PREREQUISITE_MISSING' } });
  });
});

describe('ambient-harness controlplane (spawned)', () => {
  it('serves until SIGINT: prints one ready line, writes a kubeconfig kubectl can use, signs with --sa-signing-alg, exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const { kubectl } = await import('../../harness/platform/deploy.ts');
    const kubeconfig = path.join(tmp(), 'kubeconfig');
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ambient-harness.mjs'), 'controlplane', '--kubeconfig', kubeconfig, '--sa-signing-alg', 'RS256'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 50_000;
      while (!out.includes('ready') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/control plane ready at https:\/\/127\.0\.0\.1:\d+/);
      const ns = await kubectl({ kubeconfig }, ['get', 'namespaces', '-o', 'name']);
      expect(ns.stdout).toContain('namespace/default');
      // The default ServiceAccount appears shortly after start (its controller); bounded retries.
      let token = '';
      for (let i = 0; i < 50 && !token; i++) {
        const r = await kubectl({ kubeconfig }, ['create', 'token', 'default', '-n', 'default']).catch(() => undefined);
        token = r?.stdout.trim() ?? '';
        if (!token) await new Promise((res) => setTimeout(res, 100));
      }
      expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg).toBe('RS256');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});

