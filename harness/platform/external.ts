// Starts the systems under test as separate processes: any `--backend-cmd` / `--operator-cmd`, a
// binary built from a platform checkout (`--build`), or the reference platform's own entries,
// through the same path. Each gets KUBECONFIG, NAMESPACE and its ports, runs supervised (its own
// process group, ended with the harness, SIGKILL included), logs to a file, and is ready when its
// own health endpoint says so: the backend's GET /health, the operator's GET /readyz.
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { BUNDLE_DIR_ENV, BUNDLE_ENTRIES, ensureBundleDir, PROJECT_ROOT } from '../bundle/bundle.mjs';
import { mainProcess } from '../process/proc.ts';
import { superviseShell, superviseSpawn, type Supervised } from '../process/supervisor.ts';
import { progress } from '../report/progress.ts';
import { outsideClusterEnv } from './local/environment.ts';

/** Commands that start the reference backend/operator through tsx (the profile goes in env AMBIENT_PROFILE). */
export const REFERENCE_BACKEND_CMD = `node --import tsx ${JSON.stringify(path.join(PROJECT_ROOT, BUNDLE_ENTRIES['backend-main']))}`;
export const REFERENCE_OPERATOR_CMD = `node --import tsx ${JSON.stringify(path.join(PROJECT_ROOT, BUNDLE_ENTRIES['operator-main']))}`;

/**
 * The reference backend/operator commands, from the bundle when it is fresh or can be built (a
 * process then starts in ~0.5 s instead of ~2 s), else through tsx. `exec` so that the pid the
 * harness holds is node's own, not a shell's.
 */
export async function referenceCommands(): Promise<{ backend: string; operator: string }> {
  const dir = process.env[BUNDLE_DIR_ENV] || (await ensureBundleDir());
  if (!dir) return { backend: `exec ${REFERENCE_BACKEND_CMD}`, operator: `exec ${REFERENCE_OPERATOR_CMD}` };
  const cmd = (entry: string) => `exec node ${JSON.stringify(path.join(dir, `${entry}.mjs`))}`;
  return { backend: cmd('backend-main'), operator: cmd('operator-main') };
}
const OPERATOR_HEALTH_LINE = 'operator health endpoint listening on ';

export interface ExternalProcess {
  name: string;
  /** pid of the program itself (a shell wrapper's only child, when the command is a wrapper). */
  pid: number;
  /** pid of the process group the harness started (the command's shell or the program). */
  groupPid: number;
  logPath: string;
  /** Backend: its base URL. Operator: its health/metrics URL. */
  url?: string;
  exited(): boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A shell command line (`--backend-cmd`), or an executable and its arguments (a built binary). */
  cmd: string | { file: string; args: string[] };
  kubeconfigPath: string;
  namespace: string;
  logDir: string;
  /** Extra env over the program's environment (a profile, a test's settings). */
  env?: Record<string, string>;
  /** The environment the program starts from (default: the harness's own, without in-cluster variables). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Working directory (default: the harness's cwd for commands given by the user). */
  cwd?: string;
  readyTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL at teardown. */
  graceMs?: number;
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

interface Launched {
  proc: Supervised;
  logPath: string;
  stop: () => Promise<void>;
}

async function launch(name: string, opts: StartOptions, extraEnv: Record<string, string>, extraArgs: string[], onLine?: (line: string) => void): Promise<Launched> {
  await mkdir(opts.logDir, { recursive: true });
  const logPath = path.join(opts.logDir, `${name}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const env = { ...(opts.baseEnv ?? outsideClusterEnv()), KUBECONFIG: opts.kubeconfigPath, NAMESPACE: opts.namespace, ...extraEnv, ...(opts.env ?? {}) };
  const spawnOpts = { cwd: opts.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  const proc = typeof opts.cmd === 'string' ? superviseShell(opts.cmd, spawnOpts) : superviseSpawn(opts.cmd.file, [...opts.cmd.args, ...extraArgs], spawnOpts);
  proc.child.on('error', (err) => log.write(`ambient-harness: cannot start ${name}: ${err.message}\n`));
  let partial = '';
  proc.child.stdout?.on('data', (d: Buffer) => {
    log.write(d);
    if (!onLine) return;
    partial += d.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  proc.child.stderr?.on('data', (d: Buffer) => log.write(d));
  const stop = async () => {
    await proc.stop(opts.graceMs);
    await new Promise<void>((r) => log.end(() => r()));
  };
  return { proc, logPath, stop };
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

/** Polls `check` until it holds; `what` names the program, `where` the endpoint asked. */
async function waitFor(check: () => Promise<boolean>, p: Launched, what: string, where: string, timeoutMs: number, hint = ''): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let nextNote = started + 10_000;
  while (Date.now() < deadline) {
    if (p.proc.exited()) {
      await new Promise((r) => setTimeout(r, 50)); // let the log stream flush
      const info = await p.proc.exit;
      const tail = logTail(p.logPath);
      throw new ExitedBeforeReady(`${what} exited (code ${info.code ?? info.signal}) before it was ready; see ${p.logPath}${tail ? ` (last lines: ${tail})` : ''}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() >= nextNote) {
      progress(`waiting for ${what} at ${where} (${Math.round((Date.now() - started) / 1000)} s of at most ${Math.round(timeoutMs / 1000)} s)${hint}`);
      nextNote += 10_000;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready at ${where} after ${timeoutMs} ms${hint}; see ${p.logPath}${logTail(p.logPath) ? ` (last lines: ${logTail(p.logPath)})` : ''}`);
}

const httpOk = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;

function handle(name: string, p: Launched, url: string | undefined): ExternalProcess {
  return { name, pid: mainProcess(p.proc.pid), groupPid: p.proc.pid, logPath: p.logPath, url, exited: () => p.proc.exited(), stop: p.stop };
}

/** A port taken between choosing it and binding it: worth one more try on other ports. */
const portTaken = (err: unknown) => err instanceof ExitedBeforeReady && /EADDRINUSE|address already in use/i.test(err.message);

/**
 * Starts a backend on a free port (env PORT) and waits for `GET /health` to answer 200. A backend
 * that exits saying the address is in use is started once more on another port.
 */
export async function startExternalBackend(opts: StartOptions & { port?: number }, attempt = 1): Promise<ExternalProcess> {
  const port = opts.port ?? (await freePort());
  const p = await launch('backend', opts, { PORT: String(port) }, []);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(() => httpOk(`${url}/health`), p, 'backend', `${url}/health`, opts.readyTimeoutMs ?? 90_000);
  } catch (err) {
    await p.stop();
    if (portTaken(err) && opts.port === undefined && attempt < 3) return startExternalBackend(opts, attempt + 1);
    throw err;
  }
  return handle('backend', p, url);
}

/**
 * Starts an operator with a health and a metrics port on 127.0.0.1 (env HEALTH_PROBE_PORT,
 * HEALTH_PROBE_BIND_ADDRESS, METRICS_BIND_ADDRESS; a built binary also gets them as
 * --health-probe-bind-address/--metrics-bind-address). Ready when `/readyz` answers 200 there, or
 * at the URL it printed on stdout (the reference operator's line).
 */
export async function startExternalOperator(opts: StartOptions, attempt = 1): Promise<ExternalProcess> {
  const [healthPort, metricsPort] = [await freePort(), await freePort()];
  const given = `http://127.0.0.1:${healthPort}`;
  let printed: string | undefined;
  const env = { HEALTH_PROBE_PORT: String(healthPort), HEALTH_PROBE_BIND_ADDRESS: `127.0.0.1:${healthPort}`, METRICS_BIND_ADDRESS: `127.0.0.1:${metricsPort}` };
  const args = [`--health-probe-bind-address=127.0.0.1:${healthPort}`, `--metrics-bind-address=127.0.0.1:${metricsPort}`];
  const p = await launch('operator', opts, env, args, (line) => {
    const i = line.indexOf(OPERATOR_HEALTH_LINE);
    if (i >= 0) printed = line.slice(i + OPERATOR_HEALTH_LINE.length).trim();
  });
  let url = given;
  const hint = typeof opts.cmd === 'string' ? ' (an operator command must serve /readyz on $HEALTH_PROBE_BIND_ADDRESS, e.g. --health-probe-bind-address=$HEALTH_PROBE_BIND_ADDRESS)' : '';
  try {
    await waitFor(
      async () => {
        if (await httpOk(`${given}/readyz`).catch(() => false)) return true;
        return !!printed && (await httpOk(`${printed}/readyz`).catch(() => false)) && !!(url = printed);
      },
      p,
      'operator',
      `${given}/readyz`,
      opts.readyTimeoutMs ?? 90_000,
      hint,
    );
  } catch (err) {
    await p.stop();
    if (portTaken(err) && attempt < 3) return startExternalOperator(opts, attempt + 1);
    throw err;
  }
  return handle('operator', p, url);
}
