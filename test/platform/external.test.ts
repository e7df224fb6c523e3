// external.ts with a foreign program as --backend-cmd / --operator-cmd: env contract (KUBECONFIG,
// NAMESPACE, PORT), readiness on GET /health, logs in the report dir, whole process group stopped.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExternalBackend, startExternalOperator } from '../../harness/platform/external.ts';

/** Running (not gone, not a zombie awaiting a reaper). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

describe('external systems under test', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'h7-ext-'));
    script = path.join(dir, 'fake-backend.mjs');
    // A stand-in binary: reports its env, spawns a grandchild, serves /health.
    await writeFile(
      script,
      `import http from 'node:http'; import { spawn } from 'node:child_process';
const g = spawn('sleep', ['60'], { stdio: 'ignore' });
console.log('env', process.env.KUBECONFIG, process.env.NAMESPACE, process.env.PORT, 'grandchild', g.pid);
if (process.env.PORT) http.createServer((q, s) => { s.writeHead(q.url === '/health' ? 200 : 404); s.end('{"status":"healthy"}'); }).listen(Number(process.env.PORT), '127.0.0.1');
else http.createServer((q, s) => { s.writeHead(q.url === '/readyz' ? 200 : 404); s.end('ok'); }).listen(Number(process.env.HEALTH_PROBE_PORT), '127.0.0.1');
`,
    );
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('backend whose port was taken before it bound: started again on another port', async () => {
    const marker = path.join(dir, 'first-attempt-done');
    const flaky = path.join(dir, 'port-taken-once.mjs');
    await writeFile(
      flaky,
      `import http from 'node:http'; import { existsSync, writeFileSync } from 'node:fs';
if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); console.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:' + process.env.PORT); process.exit(1); }
http.createServer((q, s) => { s.writeHead(200); s.end('{}'); }).listen(Number(process.env.PORT), '127.0.0.1');
`,
    );
    const logDir = path.join(dir, 'flaky');
    const p = await startExternalBackend({ cmd: `node ${flaky}`, kubeconfigPath: 'kc', namespace: 'ambient-code', logDir });
    try {
      expect((await fetch(`${p.url}/health`)).status).toBe(200);
      expect(await readFile(p.logPath, 'utf8')).toContain('EADDRINUSE'); // both attempts log to the same file
    } finally {
      await p.stop();
    }
  });

  it('backend that exits before it is ready: the error carries the last lines of its log', async () => {
    const failing = path.join(dir, 'fails.mjs');
    await writeFile(failing, `console.error('config error: NAMESPACE must be set to something else'); process.exit(3);\n`);
    await expect(startExternalBackend({ cmd: `node ${failing}`, kubeconfigPath: 'kc', namespace: 'x', logDir: path.join(dir, 'fails') })).rejects.toThrow(
      /backend exited \(code 3\) before it was ready; see .*backend\.log \(last lines: config error: NAMESPACE must be set to something else\)/,
    );
  });

  it('backend: env, health wait, logs, process-group teardown', async () => {
    const p = await startExternalBackend({ cmd: `node ${script}`, kubeconfigPath: '/tmp/kc-for-test', namespace: 'ambient-code', logDir: dir });
    const r = await fetch(`${p.url}/health`);
    expect(r.status).toBe(200);
    const log = await readFile(p.logPath, 'utf8');
    const m = /env (\S+) (\S+) (\d+) grandchild (\d+)/.exec(log);
    expect(m?.slice(1, 4)).toEqual(['/tmp/kc-for-test', 'ambient-code', new URL(p.url!).port]);
    const grandchild = Number(m?.[4]);
    expect(alive(grandchild)).toBe(true);
    await p.stop();
    expect(p.exited()).toBe(true);
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(grandchild)).toBe(false);
  }, 30_000);

  it('operator: ready when /readyz answers on the address it was given; a crashing command is reported with its log', async () => {
    const op = await startExternalOperator({ cmd: `node ${script}`, kubeconfigPath: '/tmp/kc', namespace: 'ambient-code', logDir: path.join(dir, 'op') });
    expect(op.exited()).toBe(false);
    expect((await fetch(`${op.url}/readyz`)).status).toBe(200);
    // The pid is the program's own, not the shell's that ran the command line.
    expect(readFileSync(`/proc/${op.pid}/cmdline`, 'utf8')).toContain(script);
    await op.stop();
    await expect(startExternalOperator({ cmd: 'node -e "process.exit(3)"', kubeconfigPath: '/tmp/kc', namespace: 'ambient-code', logDir: path.join(dir, 'bad') })).rejects.toThrow(/exited \(code 3\)/);
    // One that never serves /readyz is not taken as ready: the wait ends at its bound, naming what to do.
    await expect(
      startExternalOperator({ cmd: 'sleep 30', kubeconfigPath: '/tmp/kc', namespace: 'ambient-code', logDir: path.join(dir, 'silent'), readyTimeoutMs: 1500 }),
    ).rejects.toThrow(/operator not ready at http:\/\/127\.0\.0\.1:\d+\/readyz after 1500 ms \(an operator command must serve \/readyz on \$HEALTH_PROBE_BIND_ADDRESS/);
  }, 30_000);
});
