// The real process boundary: exec and pipe with real programs (sh, cat), their failures, timeouts
// and SIGINT (an aborted signal ends the child, also one that ignores SIGTERM, and rejects INTERRUPTED).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec, pipe } from '../../harness/targets/exec.ts';
import { alive } from './processes.ts';

const sh = (script: string) => ({ cmd: 'sh', args: ['-c', script] });
describe('exec and pipe', () => {
  it('pipe: the producer stdout is the consumer stdin; the result is the consumer', async () => {
    const r = await pipe(sh('printf "one\\ntwo\\n"'), sh('wc -l; echo note >&2'));
    expect(r).toEqual({ code: 0, stdout: expect.stringMatching(/^\s*2\s*$/), stderr: 'note\n' });
  });

  it('pipe: a failing producer fails the pipe with its own last stderr line, even when the consumer succeeds', async () => {
    await expect(pipe(sh('echo partial; echo "Error response from daemon: No such image: x" >&2; exit 1'), { cmd: 'cat', args: [] })).rejects.toMatchObject({
      exitCode: 3,
      message: 'sh -c echo partial; echo "Error response from daemon: No such image: x" >&2; exit 1 failed: Error response from daemon: No such image: x',
    });
  });

  it('pipe: a failing consumer fails it; a missing program is a missing prerequisite', async () => {
    await expect(pipe(sh('echo x'), sh('cat >/dev/null; echo "ERROR: bad archive" >&2; exit 2'))).rejects.toMatchObject({ message: expect.stringMatching(/failed: ERROR: bad archive$/) });
    await expect(pipe(sh('echo x'), { cmd: 'no-such-program-xyz', args: [] })).rejects.toMatchObject({ code: 'PREREQUISITE_MISSING' });
  });

  it('an aborted signal ends a running child, even one that ignores SIGTERM, and rejects INTERRUPTED', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const p = exec('sh', ['-c', 'trap "" TERM; echo $$; sleep 30 & wait'], { signal: abort.signal, timeoutMs: 60_000 });
    setTimeout(() => abort.abort(), 200);
    await expect(p).rejects.toMatchObject({ code: 'INTERRUPTED', exitCode: 3 });
    expect(Date.now() - started).toBeLessThan(10_000); // SIGKILL after the 5 s grace period at most
  }, 20_000);

  it('pipe: abort ends both sides', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pipe-abort-'));
    const abort = new AbortController();
    const p = pipe(sh(`echo $$ > ${dir}/from; exec sleep 30`), sh(`echo $$ > ${dir}/to; exec sleep 30`), { signal: abort.signal, timeoutMs: 60_000 });
    setTimeout(() => abort.abort(), 300);
    await expect(p).rejects.toMatchObject({ code: 'INTERRUPTED' });
    for (const side of ['from', 'to']) expect(alive(Number(readFileSync(path.join(dir, side), 'utf8'))), side).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('an already aborted signal runs nothing', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(exec('sh', ['-c', 'exit 0'], { signal: abort.signal })).rejects.toMatchObject({ code: 'INTERRUPTED' });
  });
});
