// Child processes for targets and deploy (kind, docker, kubectl): bounded by a timeout, output
// captured, failures turned into InfraError with the command's last stderr line (redacted).
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InfraError, PrerequisiteError } from '../errors.ts';
import { redact } from '../report/redact.ts';

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
}

export function exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new PrerequisiteError(`${cmd} is not on PATH`) : new InfraError(`${cmd}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      const shown = `${cmd} ${args.slice(0, 3).join(' ')}`;
      if (timedOut) return reject(new InfraError(`${shown} timed out after ${timeoutMs} ms`));
      if (result.code !== 0 && !opts.allowFailure) {
        const last = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${result.code}`;
        return reject(new InfraError(`${shown} failed: ${redact(last)}`));
      }
      resolve(result);
    });
    child.stdin.on('error', () => {}); // the child may exit before reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

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
