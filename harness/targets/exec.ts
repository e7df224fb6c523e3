// Child processes for targets and deploy (kind, docker, kubectl, go): bounded by a timeout, output
// captured, failures turned into InfraError with the command's last stderr line (redacted). Each
// is supervised (harness/process): its process group also ends when the harness dies, SIGKILL included.
import type { ChildProcess, ChildProcessWithoutNullStreams, StdioOptions } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InfraError, PrerequisiteError } from '../errors.ts';
import { superviseSpawn } from '../process/supervisor.ts';
import { redact } from '../report/redact.ts';

/** A child in its own process group, registered with the parent-death watchdog. */
const spawnGroup = (cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; stdio: StdioOptions }) =>
  superviseSpawn(cmd, args, opts).child as ChildProcessWithoutNullStreams;

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  /** Don't throw on a non-zero exit; return the result. */
  allowFailure?: boolean;
  /** Aborting (SIGINT) ends the child and rejects with an INTERRUPTED InfraError. */
  signal?: AbortSignal;
}

export interface Command {
  cmd: string;
  args: string[];
}

/**
 * The process boundary of targets and deploy: every kind, docker and kubectl call goes through
 * one of these, so tests can stand in for the programs a machine lacks.
 */
export interface ProcessRunner {
  exec(cmd: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** `from | to`: from's stdout is to's stdin; fails when either fails. The result is `to`'s. */
  pipe(from: Command, to: Command, opts?: ExecOptions): Promise<ExecResult>;
}

const interrupted = (what: string) => new InfraError(`${what} interrupted`, { code: 'INTERRUPTED' });
const shownOf = (cmd: string, args: string[]) => `${cmd} ${args.slice(0, 3).join(' ')}`;
const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).pop();

/**
 * Children run in their own process group (spawned detached) so that ending one ends what it
 * started too (kind's docker calls, a shell's background jobs), which would otherwise keep running
 * and hold its output open.
 */
function killTree(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
}

/** Kills `child`'s tree when `signal` aborts; returns the detach function. */
function killOnAbort(child: ChildProcess, signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => {};
  const kill = () => {
    onAbort();
    killTree(child, 'SIGTERM');
    // A program that ignores SIGTERM still ends: SIGKILL after a grace period.
    setTimeout(() => killTree(child, 'SIGKILL'), 5000).unref();
  };
  if (signal.aborted) queueMicrotask(kill);
  else signal.addEventListener('abort', kill, { once: true });
  return () => signal.removeEventListener('abort', kill);
}

export function exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const shown = shownOf(cmd, args);
  if (opts.signal?.aborted) return Promise.reject(interrupted(shown));
  return new Promise((resolve, reject) => {
    const child = spawnGroup(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child, 'SIGKILL');
    }, timeoutMs);
    const detach = killOnAbort(child, opts.signal, () => (aborted = true));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      detach();
      reject(err.code === 'ENOENT' ? new PrerequisiteError(`${cmd} is not on PATH`) : new InfraError(`${cmd}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      detach();
      const result = { code: code ?? -1, stdout, stderr };
      if (aborted) return reject(interrupted(shown));
      if (timedOut) return reject(new InfraError(`${shown} timed out after ${timeoutMs} ms`));
      if (result.code !== 0 && !opts.allowFailure) return reject(new InfraError(`${shown} failed: ${redact(lastLine(stderr) ?? `exit ${result.code}`)}`));
      resolve(result);
    });
    child.stdin.on('error', () => {}); // the child may exit before reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

/** `from | to` without a shell: both bounded by one timeout, both ended on abort. */
export function pipe(from: Command, to: Command, opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const shown = `${shownOf(from.cmd, from.args)} | ${shownOf(to.cmd, to.args)}`;
  if (opts.signal?.aborted) return Promise.reject(interrupted(shown));
  return new Promise((resolve, reject) => {
    const env = opts.env ?? process.env;
    const producer = spawnGroup(from.cmd, from.args, { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const consumer = spawnGroup(to.cmd, to.args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    producer.stdout.pipe(consumer.stdin);
    consumer.stdin.on('error', () => {}); // the consumer may exit before reading everything
    let fromErr = '';
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let failure: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(producer, 'SIGKILL');
      killTree(consumer, 'SIGKILL');
    }, timeoutMs);
    const detach = [killOnAbort(producer, opts.signal, () => (aborted = true)), killOnAbort(consumer, opts.signal, () => (aborted = true))];
    producer.stderr.on('data', (d: Buffer) => (fromErr += d.toString()));
    consumer.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    consumer.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const onSpawnError = (cmd: string) => (err: NodeJS.ErrnoException) => {
      failure ??= err.code === 'ENOENT' ? new PrerequisiteError(`${cmd} is not on PATH`) : new InfraError(`${cmd}: ${err.message}`, { cause: err });
      killTree(producer, 'SIGKILL');
      killTree(consumer, 'SIGKILL');
    };
    producer.on('error', onSpawnError(from.cmd));
    consumer.on('error', onSpawnError(to.cmd));
    const exited = (child: ChildProcess) => new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
    void Promise.all([exited(producer), exited(consumer)]).then(([fromCode, toCode]) => {
      clearTimeout(timer);
      for (const d of detach) d();
      if (failure) return reject(failure);
      if (aborted) return reject(interrupted(shown));
      if (timedOut) return reject(new InfraError(`${shown} timed out after ${timeoutMs} ms`));
      if (fromCode !== 0) return reject(new InfraError(`${shownOf(from.cmd, from.args)} failed: ${redact(lastLine(fromErr) ?? `exit ${fromCode}`)}`));
      if (toCode !== 0 && !opts.allowFailure) return reject(new InfraError(`${shownOf(to.cmd, to.args)} failed: ${redact(lastLine(stderr) ?? `exit ${toCode}`)}`));
      resolve({ code: toCode, stdout, stderr });
    });
  });
}

/** The real process boundary. */
export const processRunner: ProcessRunner = { exec, pipe };

/** Absolute path of an executable on PATH, or undefined. */
export function which(bin: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/**
 * A fresh directory for kubectl's discovery cache: never share one between runs. Targets put it
 * in the run's work directory (removed with it); one-off calls use withFreshKubeCache.
 */
export function freshKubeCacheDir(parent = os.tmpdir()): string {
  return mkdtempSync(path.join(parent, 'ambient-harness-kubecache-'));
}

/** Runs `fn` with a fresh kubectl discovery cache that is removed afterwards. */
export async function withFreshKubeCache<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = freshKubeCacheDir();
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
