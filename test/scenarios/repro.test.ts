// `repro identity`: a depth-1 tree with one child per parent key, its findings and the commands to
// see them by hand; through the library (reproIdentity) and through the CLI as users run it.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../harness/config.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { reproIdentity } from '../../scenarios/repro.ts';
import { runCli } from '../cli/helpers.ts';
import { plantedCredentials, tmpDir } from './helpers.ts';

function expectReproOutput(out: string): void {
  expect(out).toContain('identity repro');
  // Exactly a root and one child per key; the runner payload's child is flagged.
  expect(out).toMatch(/^parentSessionId:0 .*\n\s+└─ parentSessionId:0\.0 .*✗ identity\.parentSessionId\.userId/m);
  expect(out).toMatch(/^parent_session_id:0 .*\n\s+└─ parent_session_id:0\.0 /m);
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
    const t0 = Date.now();
    const r = await runCli(['repro', 'identity', '--profile', 'm-6b21778', '--seed', '1', '--report-dir', tmpDir('repro-cli')], { timeoutMs: 300_000 });
    expect(r.code, r.stderr.slice(-1500)).toBe(1);
    expectReproOutput(r.stdout);
    expect(Date.now() - t0).toBeLessThan(300_000);
  }, 320_000);
});
