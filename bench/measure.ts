// Small measuring helpers shared by the benchmarks.

/** Runs `op` with `concurrency` workers until `count` operations are done; returns ops/s. */
export async function throughput(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const idx = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, idx)];
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
export const line = (name: string, value: number, unit: string, digits = 1) => `bench ${name}: ${fmt(value, digits)} ${unit}`;
export const ratio = (name: string, value: number) => `ratio ${name}: ${fmt(value, 2)}`;
