// Whether a process is still running, for "nothing left behind" checks. A zombie (killed, waiting
// for whoever inherited it to reap it) is not: on Linux /proc says so; elsewhere signal 0 probes.
import { isAlive } from '../../harness/process/proc.ts';

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  if (process.platform === 'linux') return isAlive(pid);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
