// Tokens never appear in reports or logs: plant fake tokens everywhere a run result can carry text,
// write every report, and scan every written byte for them.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskSecret, Redactor, writeReports } from '../../harness/report/index.ts';
import { progress, setProgressSink } from '../../harness/report/progress.ts';
import { registerSecret } from '../../harness/report/redact.ts';
import { sampleRun } from './fixtures.ts';

// Obviously fake values shaped like real tokens.
const FAKE = {
  jwt: 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZmFrZSJ9.ZmFrZS1zaWduYXR1cmUtbm90LXJlYWw',
  ghp: 'ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake1234',
  gho: 'gho_FAKEfakeFAKEfakeFAKEfakeFAKEfake5678',
  pat: 'github_pat_11FAKE0000_fakefakefakefakefakefakefakefakefake',
  glpat: 'glpat-FAKEfake-FAKEfake_1234',
  bearerOpaque: 'opaque-fake-token-value-1234567890',
  registered: 's3cr3t-fake-registered-value',
};

describe('redaction', () => {
  it('masks each token shape with a prefix and a short sha256, consistently', () => {
    const r = new Redactor();
    r.register(FAKE.registered);
    const text = `a ${FAKE.jwt} b ${FAKE.ghp} c ${FAKE.gho} d ${FAKE.pat} e ${FAKE.glpat} f Authorization: Bearer ${FAKE.bearerOpaque} g ${FAKE.registered}`;
    const out = r.redact(text);
    for (const v of Object.values(FAKE)) expect(out).not.toContain(v);
    expect(out).toContain(maskSecret(FAKE.ghp));
    expect(maskSecret(FAKE.ghp)).toMatch(/^ghp_…#[0-9a-f]{8}$/);
    expect(out).toContain(`Bearer ${maskSecret(FAKE.bearerOpaque)}`);
    expect(r.redact(out)).toBe(out); // idempotent
    expect(r.redact('session-abc userId alice ghp_short')).toBe('session-abc userId alice ghp_short'); // not token-shaped
  });

  it('no planted token reaches any written report file or progress line', () => {
    registerSecret(FAKE.registered);
    const run = sampleRun();
    const f = run.scenarios[0].assertions[1].finding!;
    f.message = `create failed with Authorization: Bearer ${FAKE.bearerOpaque}`;
    f.expected = { token: FAKE.ghp, nested: [FAKE.pat] };
    f.actual = { [FAKE.glpat]: FAKE.jwt };
    f.repro = `curl -H 'Authorization: Bearer ${FAKE.jwt}' http://127.0.0.1:1/api`;
    run.scenarios[0].assertions[2].reason = `skipped, token ${FAKE.gho}`;
    run.scenarios[1].error = `crashed holding ${FAKE.registered}`;
    run.scenarios[0].tree![0].attrs = { token: FAKE.jwt };
    run.error = { code: 'INFRA', message: `kubectl failed: ${FAKE.jwt}` };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h8-redact-'));
    const stepSummary = path.join(dir, 'step.md');
    writeReports(run, path.join(dir, 'r'), { env: { GITHUB_STEP_SUMMARY: stepSummary } });
    const lines: string[] = [];
    setProgressSink((l) => lines.push(l));
    progress(`token ${FAKE.jwt} and Bearer ${FAKE.bearerOpaque} and ${FAKE.registered}`);
    setProgressSink('stderr');
    const files = [...readdirSync(path.join(dir, 'r')).map((n) => path.join(dir, 'r', n)), stepSummary];
    expect(files.length).toBe(4);
    const corpus = files.map((p) => readFileSync(p, 'utf8')).concat(lines);
    for (const text of corpus) for (const [name, v] of Object.entries(FAKE)) expect(text.includes(v), `${name} leaked`).toBe(false);
    // The masked form is there, so the findings stay useful.
    expect(readFileSync(path.join(dir, 'r', 'report.json'), 'utf8')).toContain(maskSecret(FAKE.ghp));
  });
});
