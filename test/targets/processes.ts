// Whether a process still exists (signal 0 probes without signalling): for "nothing left behind" checks.
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
