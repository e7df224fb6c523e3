// `repro identity`: a depth-1 tree with one child (the runner's real key, or the one --parent-keys
// names), its findings and the commands to see them by hand; through the library (reproIdentity)
// and through the CLI as users run it.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../harness/config.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { reproIdentity } from '../../scenarios/repro.ts';
import { scenarioUsers } from '../../scenarios/support/env.ts';
import { runCli } from '../cli/helpers.ts';
import { plantedCredentials, tmpDir } from './helpers.ts';

function expectReproOutput(out: string): void {
  expect(out).toContain('identity repro');
  // Exactly a root and one child, created with the runner's payload, and flagged.
  expect(out).toMatch(/^parentSessionId:0 .*\n\s+└─ parentSessionId:0\.0 .*✗ identity\.parentSessionId\.userId/m);
  expect(out).not.toContain('parent_session_id:0');
  expect(out).not.toMatch(/:0\.1 |:0\.0\.0 /);
  expect(out).toContain('system-serviceaccount-ah-s1-identity-ambient-session-<0>');
  expect(out).toMatch(/curl -s -X POST .*"parentSessionId/);
  // Shell variables stand for tokens, and survive the CLI's redaction.
  expect(out).toContain('--oauth2-bearer "$USER_TOKEN"');
  expect(out).toContain('--oauth2-bearer "$BOT"');
  expect(out).toMatch(/kubectl -n ah-s1-identity get agenticsessions\.vteam\.ambient-code/);
  for (const s of plantedCredentials(1)) expect(out).not.toContain(s);
  expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
}

describe('repro identity', () => {
  it('library: reproIdentity prints the smallest failing tree and the commands (m-6b21778)', async () => {
    setProgressSink('quiet');
    let out = '';
    try {
      const config = parseConfig({ profile: 'm-6b21778', seed: 1, reportDir: tmpDir('repro-lib') });
      const code = await reproIdentity(config, { out: (t) => (out += t) });
      expect(code, out).toBe(1);
    } finally {
      setProgressSink('stderr');
    }
    expectReproOutput(out);
  }, 300_000);

  it('CLI: ambient-harness repro identity --profile m-6b21778 --seed 1 exits 1 with the tree and commands', async () => {
    const r = await runCli(['repro', 'identity', '--profile', 'm-6b21778', '--seed', '1', '--report-dir', tmpDir('repro-cli')], { timeoutMs: 300_000 });
    expect(r.code, r.stderr.slice(-1500)).toBe(1);
    expectReproOutput(r.stdout);
  }, 320_000);

  it('CLI: --parent-keys parent_session_id (the key m-6b21778 reads, a backend-contract probe) shows the identity kept', async () => {
    const r = await runCli(['repro', 'identity', '--profile', 'm-6b21778', '--seed', '1', '--parent-keys', 'parent_session_id', '--report-dir', tmpDir('repro-snake')], { timeoutMs: 300_000 });
    // The only findings: at 6b21778 the runner's list_sessions tool reads `sessions`, not `items`.
    expect(r.code, r.stderr.slice(-1500)).toBe(1);
    expect(r.stdout).toContain('parent_session_id: backend-contract probe, an API caller with the runner\'s token');
    expect(r.stdout.match(/^ {2}\S+ at /gm)?.map((l) => l.trim().split(' ')[0])).toEqual(['read.runner.list']);
    const id = scenarioUsers(1, 1)[0].userId;
    const lines = r.stdout.split('\n');
    const root = lines.findIndex((l) => l.startsWith('parent_session_id:0 '));
    expect(lines[root]).toContain(`userId=${id}`);
    expect(lines[root + 1]).toMatch(/^\s+└─ parent_session_id:0\.0 /);
    expect(lines[root + 1]).toContain(`userId=${id}`);
    expect(r.stdout).toContain("every child carries the root user's identity (the findings above are of other kinds)");
    expect(r.stdout).toMatch(/curl -s -X POST .*"parent_session_id/);
    expect(r.stdout).toContain('rerun: ambient-harness repro identity --target embedded --profile m-6b21778 --seed 1 --parent-keys parent_session_id');
  }, 320_000);

  it('CLI: an unknown --parent-keys value is one error line and exit 2', async () => {
    const r = await runCli(['repro', 'identity', '--parent-keys', 'parentId']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ambient-harness: error: .*parentKeys/);
  });
});
