// Prerequisite checks: each returns ok or a reason a human can act on. Targets throw the reason as a
// PrerequisiteError (exit 3); tests and scenarios surface it as "skipped: <reason>".
import { PrerequisiteError } from '../errors.ts';
import { exec, which } from './exec.ts';

export type Prerequisite = { ok: true } | { ok: false; reason: string };

export function onPath(bin: string, hint: string): Prerequisite {
  return which(bin) ? { ok: true } : { ok: false, reason: `${bin} is not on PATH (${hint})` };
}

/** The docker client can exist without an engine; `docker info` asks the engine itself. */
export async function dockerEngine(): Promise<Prerequisite> {
  const client = onPath('docker', 'install the Docker CLI');
  if (!client.ok) return client;
  try {
    const r = await exec('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000, allowFailure: true });
    if (r.code === 0 && r.stdout.trim()) return { ok: true };
    const why = (r.stderr.trim().split('\n').filter(Boolean).pop() ?? `docker info exited ${r.code}`).slice(0, 200);
    return { ok: false, reason: `Docker engine not reachable: ${why}` };
  } catch (err) {
    return { ok: false, reason: `Docker engine not reachable: ${(err as Error).message}` };
  }
}

/** First failing prerequisite wins; all are checked in order. */
export async function firstMissing(checks: Array<Prerequisite | Promise<Prerequisite> | (() => Promise<Prerequisite>)>): Promise<Prerequisite> {
  for (const c of checks) {
    const r = await (typeof c === 'function' ? c() : c);
    if (!r.ok) return r;
  }
  return { ok: true };
}

export function assertPrerequisite(target: string, p: Prerequisite): void {
  if (!p.ok) throw new PrerequisiteError(`target ${target}: ${p.reason}`);
}
