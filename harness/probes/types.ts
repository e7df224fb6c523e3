// Measurements as plug-ins (kube-burner style): start before the work, stop after, collect a result.
// A probe that cannot measure on this target says so with a reason (skipped), never a fake pass.

export interface ProbeResult {
  probe: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Why skipped or failed, in one line. */
  reason?: string;
  /** Measured values (bytes, counts, ratios). */
  values: Record<string, number | string | boolean>;
}

export interface Probe {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  collect(): ProbeResult;
}

/** Runs `work` between start and stop; stop always runs. */
export async function measure<T>(probes: Probe[], work: () => Promise<T>): Promise<{ value: T; results: ProbeResult[] }> {
  for (const p of probes) await p.start();
  try {
    const value = await work();
    return { value, results: probes.map((p) => p.collect()) };
  } finally {
    for (const p of probes) await p.stop();
  }
}
