// The parent-death watchdog: one small `sh` per harness process, in a session of its own, reading
// a pipe whose only writer is the harness. The harness writes `+<pgid>` for every process group it
// starts and `-<pgid>` once that group is gone. When the harness ends in any way — exit, crash,
// SIGKILL — the kernel closes the pipe, the watchdog reads EOF and ends every group still listed:
// SIGTERM, then SIGKILL after a short grace. Nothing the harness started outlives it.
import { spawn, type ChildProcess } from 'node:child_process';

/** After the harness died nobody waits for a graceful stop: the programs get this long. */
export const ORPHAN_GRACE_SECONDS = 2;

// POSIX sh (dash): `kill -0 -<pgid>` asks whether the group has members; no external commands
// except sleep, so it keeps working with an almost empty PATH.
const SCRIPT = `
trap '' INT HUP TERM QUIT PIPE
grace=$1
groups=' '
while IFS= read -r line; do
  case $line in
    +*) groups="$groups\${line#+} " ;;
    -*) g=\${line#-}; rest=' '; for x in $groups; do [ "$x" = "$g" ] || rest="$rest$x "; done; groups=$rest ;;
  esac
done
for g in $groups; do kill -TERM -$g 2>/dev/null; done
i=0
while [ $i -lt $((grace * 10)) ]; do
  left=''
  for g in $groups; do kill -0 -$g 2>/dev/null && left="$left $g"; done
  [ -z "$left" ] && exit 0
  groups=$left
  sleep 0.1
  i=$((i + 1))
done
for g in $groups; do kill -KILL -$g 2>/dev/null; done
`;

let watchdog: ChildProcess | undefined;
let broken = false;

function ensure(): ChildProcess | undefined {
  if (watchdog || broken) return watchdog;
  try {
    watchdog = spawn('/bin/sh', ['-c', SCRIPT, 'ambient-harness-watchdog', String(ORPHAN_GRACE_SECONDS)], {
      detached: true, // its own session: a terminal's Ctrl-C or hang-up does not reach it
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  } catch {
    broken = true;
    return undefined;
  }
  watchdog.on('error', () => {
    broken = true;
    watchdog = undefined;
  });
  watchdog.on('exit', () => {
    watchdog = undefined;
  });
  watchdog.stdin?.on('error', () => {});
  // Neither the watchdog nor its pipe keeps the harness's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** The watchdog ends this group if the harness dies first. Call right after the group's leader was spawned. */
export function watchGroup(pgid: number): void {
  // A write on a pipe is attempted synchronously: the line is in the kernel before this returns.
  ensure()?.stdin?.write(`+${pgid}\n`);
}

/** The group is gone (or stopped by the harness itself): never signal that number again. */
export function unwatchGroup(pgid: number): void {
  if (watchdog) watchdog.stdin?.write(`-${pgid}\n`);
}

/** pid of this process's watchdog, when one runs (tests). */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
