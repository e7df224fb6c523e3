// doctor, up/down and the kind target's SIGINT path, through the CLI as users run it. For SIGINT,
// `kind` and `docker` are small programs on PATH standing in for the real ones (this machine may
// have neither): they record how they were called, and `kind create cluster` blocks like a slow one.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerEngine } from '../../harness/targets/prerequisites.ts';
import { which } from '../../harness/targets/exec.ts';
import { writeMiniPlatform } from '../targets/mini-platform.ts';
import { expectOneErrorLine, repoRoot, runCli } from './helpers.ts';
import { alive } from '../targets/processes.ts';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
async function waitUntil(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('doctor', () => {
  it('names what is missing, what it blocks and how to install it, then which targets are ready; exit 0 when one is', async () => {
    const r = await runCli(['doctor', '--kubeconfig', '/nonexistent/kubeconfig'], { timeoutMs: 50_000 });
    expect(r.code).toBe(0);
    const docker = await dockerEngine();
    const line = (name: string) => r.stdout.split('\n').find((l) => new RegExp(`^  (ok|MISSING)\\s+${name}\\s`).test(l)) ?? '';
    expect(line('node')).toMatch(/^ {2}ok\s+node\s+v\d+/);
    expect(line('docker engine')).toMatch(docker.ok ? /^ {2}ok/ : /^ {2}MISSING\s+docker engine\s+Docker engine not reachable|docker is not on PATH/);
    expect(line('kind')).toMatch(which('kind') ? /^ {2}ok/ : /^ {2}MISSING\s+kind\s+kind is not on PATH/);
    if (!docker.ok) {
      const after = r.stdout.slice(r.stdout.indexOf(line('docker engine')));
      expect(after).toMatch(/^.*\n\s+blocks: --target kind, --target k3s, --build-images\n\s+install: install Docker Engine/);
      expect(r.stdout).toMatch(/ {2}k3s\s+not ready: Docker engine not reachable|docker is not on PATH/);
    }
    if (!which('kind')) expect(r.stdout).toMatch(/MISSING\s+kind.*\n\s+blocks: --target kind\n\s+install: go install sigs\.k8s\.io\/kind@v0\.31\.0/);
    expect(r.stdout).toMatch(/\n {2}embedded\s+ready\n/);
    expect(r.stdout).toMatch(/ {2}existing\s+not ready: kubeconfig \/nonexistent\/kubeconfig not found/);
    expect(r.stdout).toMatch(/\d of \d targets ready\n$/);
  }, 60_000);

  it('with nothing on PATH no target is ready: exit 3, still one line per tool', async () => {
    const r = await runCli(['doctor'], { env: { PATH: tmp('empty-path-') }, timeoutMs: 50_000 });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/MISSING\s+kubectl/);
    expect(r.stdout).toMatch(/no target is ready/);
  }, 60_000);
});

describe('flags of the cluster targets', () => {
  it('--build-images alone means backend and operator; --no-deploy and --keep; an unknown image is exit 2', async () => {
    const cfg = async (args: string[], env: NodeJS.ProcessEnv = {}) => JSON.parse((await runCli(['validate-config', ...args], { env, timeoutMs: 50_000 })).stdout);
    const [bare, listed, noDeploy, envDeploy, kind] = await Promise.all([
      cfg(['--build-images']),
      cfg(['--build-images', 'runner,frontend', '--keep', '--kwok-nodes', '0']),
      cfg(['--no-deploy']),
      cfg([], { AMBIENT_HARNESS_DEPLOY: 'false' }),
      cfg(['--target', 'kind']),
    ]);
    expect(bare.buildImages).toEqual(['backend', 'operator']);
    expect(listed).toMatchObject({ buildImages: ['runner', 'frontend'], keep: true, kwokNodes: 0 });
    expect(noDeploy.deploy).toBe(false);
    expect(envDeploy.deploy).toBe(false); // not overridden by a flag nobody gave
    expect(bare.deploy).toBe(true);
    expect(kind.timeouts.upMs).toBeGreaterThan(bare.timeouts.upMs); // image builds and pulls take minutes
    const bad = await runCli(['validate-config', '--build-images', 'backend,nope'], { timeoutMs: 50_000 });
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad.stderr)).toMatch(/buildImages/);
  }, 60_000);
});

describe('up and down', () => {
  it('down --target embedded has nothing to remove; down --target existing without state deletes nothing', async () => {
    const state = tmp('updown-state-');
    const [embedded, existing] = await Promise.all([
      runCli(['down', '--target', 'embedded'], { timeoutMs: 50_000 }),
      runCli(['down', '--target', 'existing', '--state-dir', state], { timeoutMs: 50_000 }),
    ]);
    expect(embedded).toMatchObject({ code: 0, stdout: expect.stringMatching(/^nothing to remove: the embedded target lives in the process that runs `up`/) });
    expect(existing).toMatchObject({ code: 0, stdout: expect.stringMatching(/^nothing recorded/) });
  }, 60_000);

  it('up --target embedded serves until SIGINT, then stops everything it started (exit 0)', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ambient-harness.mjs'), 'up', '--target', 'embedded', '--report-dir', tmp('up-embedded-')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitUntil('the up line', () => /running until Ctrl-C/.test(out), 90_000);
      const url = /backend (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out)![1];
      expect((await fetch(`${url}/health`)).status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/health`)).rejects.toThrow(); // the backend went with it
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

describe.skipIf(!which('kubectl'))('kind target on SIGINT (kind and docker stood in for on PATH)', () => {
  it('the running `kind create cluster` is ended, the cluster is deleted, exit 3', async () => {
    const dir = tmp('kind-sigint-');
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const log = path.join(dir, 'calls.log');
    writeFileSync(
      path.join(bin, 'kind'),
      `#!/bin/sh
echo "kind $*" >> ${log}
case "$1 $2" in
  "create cluster") echo $$ > ${dir}/create.pid; sleep 60 & wait ;;
  "get clusters") ;;
esac
exit 0
`,
    );
    writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "docker $*" >> ${log}\n[ "$1" = info ] && echo 27.0.0\nexit 0\n`);
    for (const f of ['kind', 'docker']) chmodSync(path.join(bin, f), 0o755);
    const platformDir = writeMiniPlatform(path.join(dir, 'platform'));
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ambient-harness.mjs'), 'run', 'identity', '--target', 'kind', '--platform-dir', platformDir, '--kind-config', path.join(repoRoot, 'kind-config.yaml'), '--kind-cluster-name', 'sigint-test', '--report-dir', path.join(dir, 'reports')],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitUntil('kind create cluster', () => existsSync(path.join(dir, 'create.pid')), 90_000);
      child.kill('SIGINT');
      expect(await exited).toBe(3);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const create = calls.findIndex((c) => c.startsWith('kind create cluster --name sigint-test'));
    expect(create).toBeGreaterThan(calls.indexOf('kind get clusters'));
    expect(calls.slice(create + 1)).toEqual([expect.stringMatching(/^kind delete cluster --name sigint-test --kubeconfig /)]);
    expect(alive(Number(readFileSync(path.join(dir, 'create.pid'), 'utf8')))).toBe(false);
    expect(err).toMatch(/SIGINT: stopping; tearing down before exit/);
    expect(err).toMatch(/ambient-harness: error: .*interrupted/);
    const report = JSON.parse(readFileSync(path.join(dir, 'reports', 'report.json'), 'utf8'));
    expect(report.run).toMatchObject({ exitCode: 3, error: { code: 'INTERRUPTED' } });
  }, 120_000);
});
