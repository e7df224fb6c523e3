// Every program the harness starts runs through here: in a process group of its own (so a shell
// wrapper without `exec` and everything it forks are reached together), registered with the
// parent-death watchdog (so it ends when the harness ends, SIGKILL included), and stopped as a
// whole tree: SIGTERM to the group, SIGKILL after a grace period, done when no member is alive.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { liveGroupMembers } from './proc.ts';
import { unwatchGroup, watchGroup } from './watchdog.ts';

/** How long a program gets to end after SIGTERM before the group gets SIGKILL. */
export const DEFAULT_GRACE_MS = 5000;

export interface SuperviseOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Supervised {
  readonly child: ChildProcess;
  /** pid of the group leader (the spawned command itself), which is also the group id. */
  readonly pid: number;
  /** Settles when the leader exits; the group may live on (a wrapper's children). */
  readonly exit: Promise<ExitInfo>;
  exited(): boolean;
  /** Ends the whole group: SIGTERM, then SIGKILL after `graceMs`. Resolves when no member is alive. */
  stop(graceMs?: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is gone */
  }
}

/** True once no live process is left in the group (zombies do not count). */
function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return true; // no member at all: the cheap, common answer
  }
  // Members exist; on Linux, zombies (exited, not yet reaped by a reparented parent) do not count.
  return process.platform === 'linux' && liveGroupMembers(pgid).length === 0;
}

async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (groupGone(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/** Spawns `command args` as the leader of a new process group watched by the watchdog. */
export function superviseSpawn(command: string, args: string[], opts: SuperviseOptions = {}): Supervised {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid;
  // Registered in the same synchronous step as the spawn: no window in which a SIGKILL of the
  // harness leaves the group unwatched. A failed spawn (ENOENT) has no pid and no group.
  if (pid) watchGroup(pid);
  let info: ExitInfo | undefined;
  const exit = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve((info = { code, signal })));
    child.once('error', () => resolve((info ??= { code: null, signal: null })));
  });
  // A child that ended on its own with nothing left in its group needs no watching any more.
  void exit.then(() => {
    if (pid && groupGone(pid)) unwatchGroup(pid);
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = DEFAULT_GRACE_MS): Promise<void> =>
    (stopping ??= (async () => {
      if (!pid) return;
      if (!groupGone(pid)) {
        signalGroup(pid, 'SIGTERM');
        if (!(await waitGroupGone(pid, graceMs))) {
          signalGroup(pid, 'SIGKILL');
          await waitGroupGone(pid, 5000);
        }
      }
      // The leader's own exit event follows its death; bounded, as a zombie reaped late must not hang teardown.
      await Promise.race([exit, sleep(1000)]);
      unwatchGroup(pid);
    })());
  return { child, pid: pid ?? 0, exit, exited: () => info !== undefined, stop };
}

/** A shell command line (`--backend-cmd "..."`), run by /bin/sh -c as the group leader. */
export function superviseShell(commandLine: string, opts: SuperviseOptions = {}): Supervised {
  return superviseSpawn('/bin/sh', ['-c', commandLine], opts);
}
