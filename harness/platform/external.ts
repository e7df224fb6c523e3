// Starts the systems under test as separate processes: any `--backend-cmd` / `--operator-cmd`
// (the real binaries) or the reference platform's own entries, through the same path. Each gets
// KUBECONFIG, NAMESPACE and PORT, runs in its own process group, logs to the report directory,
// and is stopped (group-wide SIGTERM, then SIGKILL) on teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { BUNDLE_DIR_ENV, BUNDLE_ENTRIES, ensureBundleDir, PROJECT_ROOT } from '../bundle/bundle.mjs';

/** Commands that start the reference backend/operator through tsx (the profile goes in env AMBIENT_PROFILE). */
export const REFERENCE_BACKEND_CMD = `node --import tsx ${JSON.stringify(path.join(PROJECT_ROOT, BUNDLE_ENTRIES['backend-main']))}`;
export const REFERENCE_OPERATOR_CMD = `node --import tsx ${JSON.stringify(path.join(PROJECT_ROOT, BUNDLE_ENTRIES['operator-main']))}`;
const referenceCmds = new Set([REFERENCE_BACKEND_CMD, REFERENCE_OPERATOR_CMD]);

/**
 * The reference backend/operator commands, from the bundle when it is fresh or can be built (a
 * process then starts in ~0.5 s instead of ~2 s), else through tsx.
 */
export async function referenceCommands(): Promise<{ backend: string; operator: string }> {
  const dir = process.env[BUNDLE_DIR_ENV] || (await ensureBundleDir());
  if (!dir) return { backend: REFERENCE_BACKEND_CMD, operator: REFERENCE_OPERATOR_CMD };
  const cmd = (entry: string) => `node ${JSON.stringify(path.join(dir, `${entry}.mjs`))}`;
  const out = { backend: cmd('backend-main'), operator: cmd('operator-main') };
  referenceCmds.add(out.backend).add(out.operator);
  return out;
}
const OPERATOR_HEALTH_LINE = 'operator health endpoint listening on ';

export interface ExternalProcess {
  name: string;
  pid: number;
  logPath: string;
  /** Backend: its base URL. Operator: its health/metrics URL when it printed one. */
  url?: string;
  exited(): boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  cmd: string;
  kubeconfigPath: string;
  namespace: string;
  logDir: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function launch(name: string, opts: StartOptions, extraEnv: Record<string, string>, onLine?: (line: string) => void): Promise<{ child: ChildProcess; logPath: string; stop: () => Promise<void> }> {
  await mkdir(opts.logDir, { recursive: true });
  const logPath = path.join(opts.logDir, `${name}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(opts.cmd, {
    shell: true,
    detached: true, // own process group, so teardown reaches the whole tree
    cwd: PROJECT_ROOT,
    env: { ...process.env, KUBECONFIG: opts.kubeconfigPath, NAMESPACE: opts.namespace, ...extraEnv, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    log.write(d);
    if (!onLine) return;
    partial += d.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  child.stderr?.on('data', (d: Buffer) => log.write(d));
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killed = await Promise.race([exit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exit;
      }
    }
    await new Promise<void>((r) => log.end(() => r()));
  };
  return { child, logPath, stop };
}

/** The last lines of a process log, for errors (the log may sit in a directory removed later). */
function logTail(logPath: string, lines = 3): string {
  try {
    return readFileSync(logPath, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

class ExitedBeforeReady extends Error {}

async function waitFor(check: () => Promise<boolean>, child: ChildProcess, what: string, timeoutMs: number, logPath: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await new Promise((r) => setTimeout(r, 50)); // let the log stream flush
      const tail = logTail(logPath);
      throw new ExitedBeforeReady(`${what} exited (code ${child.exitCode ?? child.signalCode}) before it was ready; see ${logPath}${tail ? ` (last lines: ${tail})` : ''}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms; see ${logPath}`);
}

/**
 * Starts a backend and waits for `GET /health` to answer 200. The free port is picked before the
 * program binds it, so another process can take it in between: a backend that exits saying the
 * address is in use is started once more on another port.
 */
export async function startExternalBackend(opts: StartOptions & { port?: number }, attempt = 1): Promise<ExternalProcess> {
  const port = opts.port ?? (await freePort());
  const p = await launch('backend', opts, { PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok, p.child, 'backend', opts.readyTimeoutMs ?? 90_000, p.logPath);
  } catch (err) {
    await p.stop();
    const portTaken = err instanceof ExitedBeforeReady && /EADDRINUSE|address already in use/i.test(err.message);
    if (portTaken && opts.port === undefined && attempt < 3) return startExternalBackend(opts, attempt + 1);
    throw err;
  }
  return { name: 'backend', pid: p.child.pid ?? 0, logPath: p.logPath, url, exited: () => p.child.exitCode !== null || p.child.signalCode !== null, stop: p.stop };
}

/**
 * Starts an operator. A process that prints the reference operator's health line is ready when
 * `/readyz` answers 200 (informers synced); any other program is ready once it has stayed up 1 s.
 */
export async function startExternalOperator(opts: StartOptions): Promise<ExternalProcess> {
  let healthUrl: string | undefined;
  const started = Date.now();
  const p = await launch('operator', opts, {}, (line) => {
    const i = line.indexOf(OPERATOR_HEALTH_LINE);
    if (i >= 0) healthUrl = line.slice(i + OPERATOR_HEALTH_LINE.length).trim();
  });
  try {
    await waitFor(
      async () => {
        if (healthUrl) return (await fetch(`${healthUrl}/readyz`, { signal: AbortSignal.timeout(1000) })).ok;
        return Date.now() - started > (referenceCmds.has(opts.cmd) ? 30_000 : 1000);
      },
      p.child,
      'operator',
      opts.readyTimeoutMs ?? 90_000,
      p.logPath,
    );
  } catch (err) {
    await p.stop();
    throw err;
  }
  return { name: 'operator', pid: p.child.pid ?? 0, logPath: p.logPath, url: healthUrl, exited: () => p.child.exitCode !== null || p.child.signalCode !== null, stop: p.stop };
}
