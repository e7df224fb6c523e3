// Process supervision: a command's whole tree ends on stop() (a shell wrapper without exec, a
// child that ignores SIGTERM), and everything a process started ends when that process is
// SIGKILLed (the parent-death watchdog). Real processes, observed through /proc.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, liveDescendants, mainProcess } from '../../harness/process/proc.ts';
import { superviseShell } from '../../harness/process/supervisor.ts';
import { exec } from '../../harness/targets/exec.ts';
import { repoRoot } from '../cli/helpers.ts';

const linux = process.platform === 'linux';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until every pid is gone; returns how long that took, or -1 after `ms`. */
async function goneWithin(pids: number[], ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (pids.every((p) => !isAlive(p))) return Date.now() - t0;
    await sleep(50);
  }
  return -1;
}

/** A shell wrapper without exec whose children ignore SIGTERM (inherited from `trap '' TERM`). */
const STUBBORN = `trap '' TERM; sleep 300 & sleep 301`;

describe.skipIf(!linux)('process supervision', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ah-supervise-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stop() ends a wrapper and its SIGTERM-ignoring children: SIGTERM, then SIGKILL after the grace', async () => {
    const p = superviseShell(STUBBORN);
    await sleep(200);
    const tree = [p.pid, ...liveDescendants(p.pid)];
    expect(tree.length).toBe(3);
    // The program behind the wrapper: the shell has two children here, so it is the shell itself.
    expect(mainProcess(p.pid)).toBe(p.pid);
    const t0 = Date.now();
    await p.stop(400);
    const took = Date.now() - t0;
    expect(tree.filter(isAlive)).toEqual([]);
    expect(took).toBeGreaterThanOrEqual(400); // nobody left on SIGTERM alone
    expect(took).toBeLessThan(4000);
    expect(p.exited()).toBe(true);
  });

  it('mainProcess finds the program behind a shell wrapper without exec', async () => {
    const p = superviseShell('cd / && sleep 300');
    await sleep(200);
    const main = mainProcess(p.pid);
    expect(main).not.toBe(p.pid);
    expect(liveDescendants(p.pid)).toEqual([main]);
    await p.stop(200);
    expect(isAlive(main)).toBe(false);
  });

  it('SIGKILL of the process that started them: every process of its groups is gone within 5 s', async () => {
    const script = path.join(dir, 'starter.ts');
    writeFileSync(
      script,
      `import { superviseShell } from ${JSON.stringify(path.join(repoRoot, 'harness/process/supervisor.ts'))};
superviseShell(${JSON.stringify(STUBBORN)}); superviseShell('sleep 302');
setTimeout(() => console.log('started'), 300); setInterval(() => {}, 1000);`,
    );
    const starter = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      starter.stdout.on('data', (d: Buffer) => d.toString().includes('started') && resolve());
      starter.on('exit', (code) => reject(new Error(`starter exited ${code}`)));
    });
    // Everything it started, its watchdog included (which ends once its work is done).
    const started = liveDescendants(starter.pid!);
    expect(started.length).toBeGreaterThanOrEqual(5);
    starter.kill('SIGKILL');
    const took = await goneWithin(started, 5000);
    expect(took, `still alive 5 s after SIGKILL: ${started.filter(isAlive).join(', ')}`).toBeGreaterThanOrEqual(0);
  }, 20_000);

  it('exec: a timeout ends the command and what it forked', async () => {
    const marker = path.join(dir, 'grandchild.pid');
    await expect(exec('sh', ['-c', `sleep 300 & echo $! > ${marker}; wait`], { timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
    const { readFileSync } = await import('node:fs');
    const grandchild = Number(readFileSync(marker, 'utf8'));
    expect(await goneWithin([grandchild], 2000)).toBeGreaterThanOrEqual(0);
  });
});
