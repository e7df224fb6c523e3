// The CLI through main() with captured output: exit codes, one-line errors, config precedence.
// (cli-spawned.test.ts runs the real binary for help, bad flags, prerequisites and controlplane.)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli.ts';
import { expectOneErrorLine } from './helpers.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'h8-cli-'));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'ambient-harness', ...args], { out: (t) => (stdout += t), err: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

describe('ambient-harness CLI (main)', () => {
  it('bad flag values are one error line and exit 2', async () => {
    for (const args of [['--seed', 'abc'], ['--target', 'minikube'], ['--strict-identity', 'email'], ['--depth', '0'], ['--sa-signing-alg', 'HS256']]) {
      const r = await cli(['validate-config', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneErrorLine(r.stderr);
    }
    expect((await cli(['validate-config', '--seed', 'abc'])).stderr).toContain('--seed');
  });

  it('service-account signing: ES256 by default, RS256 by flag or env', async () => {
    expect(JSON.parse((await cli(['validate-config'])).stdout).saSigningAlg).toBe('ES256');
    expect(JSON.parse((await cli(['validate-config', '--sa-signing-alg', 'RS256'])).stdout).saSigningAlg).toBe('RS256');
    expect(JSON.parse((await cli(['validate-config'], { AMBIENT_HARNESS_SA_SIGNING_ALG: 'RS256' })).stdout).saSigningAlg).toBe('RS256');
  });

  it('an unknown key in a config file is exit 2, naming the key', async () => {
    const file = path.join(tmp(), 'harness.yaml');
    writeFileSync(file, 'seed: 4\ntarget: embedded\nfanOut: 3\n');
    const r = await cli(['validate-config', '--config', file]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r.stderr)).toContain('"fanOut"');
  });

  it('an unknown nested key and invalid YAML are exit 2', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a.yaml'), 'timeouts:\n  upMs: 10\n  upMS: 20\n');
    writeFileSync(path.join(dir, 'b.yaml'), 'seed: [1\n');
    const a = await cli(['validate-config', '--config', path.join(dir, 'a.yaml')]);
    expect(a.code).toBe(2);
    expect(expectOneErrorLine(a.stderr)).toContain('timeouts: unknown key(s) "upMS"');
    const b = await cli(['validate-config', '--config', path.join(dir, 'b.yaml')]);
    expect(b.code).toBe(2);
    expect(expectOneErrorLine(b.stderr)).toContain('not valid YAML');
  });

  it('an unknown AMBIENT_HARNESS_* variable is exit 2', async () => {
    const r = await cli(['validate-config'], { AMBIENT_HARNESS_SEEED: '3' });
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r.stderr)).toContain('AMBIENT_HARNESS_SEEED');
  });

  it('precedence: defaults < file < env < flags', async () => {
    const file = path.join(tmp(), 'harness.json');
    writeFileSync(file, JSON.stringify({ seed: 10, depth: 5, fanout: 3, profile: 'm-6b21778', timeouts: { upMs: 1000 } }));
    const r = await cli(['validate-config', '--config', file, '--depth', '7'], {
      AMBIENT_HARNESS_SEED: '20',
      AMBIENT_HARNESS_DEPTH: '6',
      AMBIENT_HARNESS_TIMEOUTS: '{"downMs":2000}',
    });
    expect(r.code, r.stderr).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg).toMatchObject({ seed: 20, depth: 7, fanout: 3, profile: 'm-6b21778', concurrency: 4, target: 'embedded' });
    expect(cfg.timeouts).toEqual({ upMs: 1000, downMs: 2000, deployMs: 300000, scenarioMs: 600000, buildMs: 1800000 });
  });

  it('AMBIENT_HARNESS_CONFIG names the config file', async () => {
    const file = path.join(tmp(), 'harness.yaml');
    writeFileSync(file, 'seed: 77\n');
    const r = await cli(['validate-config'], { AMBIENT_HARNESS_CONFIG: file });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).seed).toBe(77);
  });

  it('an unknown scenario is exit 2 before anything starts', async () => {
    const r = await cli(['run', 'no-such-scenario', '--report-dir', path.join(tmp(), 'r')]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r.stderr)).toContain('unknown scenario "no-such-scenario"');
  });

  it('repro with an unknown subject is exit 2', async () => {
    const r = await cli(['repro', 'memory']);
    expect(r.code).toBe(2);
    expectOneErrorLine(r.stderr);
  });

  it('controlplane: missing --kubeconfig and a bad --port are exit 2', async () => {
    const a = await cli(['controlplane']);
    expect(a.code).toBe(2);
    expect(expectOneErrorLine(a.stderr)).toContain('--kubeconfig');
    const b = await cli(['controlplane', '--kubeconfig', path.join(tmp(), 'kc'), '--port', 'x1']);
    expect(b.code).toBe(2);
    expectOneErrorLine(b.stderr);
    const c = await cli(['controlplane', '--kubeconfig', path.join(tmp(), 'kc'), '--sa-signing-alg', 'rs256']);
    expect(c.code).toBe(2);
    expect(expectOneErrorLine(c.stderr)).toContain('--sa-signing-alg');
  });

  it('--debug adds a stack trace; without it there is none', async () => {
    const without = await cli(['validate-config', '--config', '/nonexistent/harness.yaml']);
    expect(without.code).toBe(2);
    expect(expectOneErrorLine(without.stderr)).toContain('cannot read config file');
    const withDebug = await cli(['validate-config', '--config', '/nonexistent/harness.yaml', '--debug']);
    expect(withDebug.code).toBe(2);
    expect(withDebug.stderr).toMatch(/\n\s+at /);
  });
});
