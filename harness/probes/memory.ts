// Memory probe: samples RSS of a local process (/proc/<pid>/status VmRSS) or of a pod
// (metrics.k8s.io), keeps the peak, and compares it to a limit with headroom (e.g. peak must stay
// under 80 % of the operator's 512Mi limit). Sampling is bounded in count.
import { readFileSync } from 'node:fs';
import { kubectl, type KubectlTarget } from '../platform/deploy.ts';
import { formatBytes, parseMemoryQuantity } from './quantity.ts';
import type { Probe, ProbeResult } from './types.ts';

export type MemorySource =
  | { kind: 'pid'; pid: number }
  | { kind: 'pod'; k: KubectlTarget; namespace: string; labelSelector: string };

export interface MemoryProbeOptions {
  source: MemorySource;
  limitBytes: number;
  /** Fraction of the limit the peak may reach (default 0.8 = 20 % headroom). */
  maxFractionOfLimit?: number;
  intervalMs?: number;
  /** Upper bound on samples, whatever the run length (default 10 000). */
  maxSamples?: number;
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'ash', 'zsh']);

/**
 * A process started as `sh -c "<cmd>"` is the shell; what matters is the program it runs. Follows a
 * shell's single child (at most a few levels) so the probe measures the binary, not the wrapper.
 */
export function resolveProgramPid(pid: number): number {
  let current = pid;
  for (let depth = 0; depth < 4; depth++) {
    try {
      const comm = readFileSync(`/proc/${current}/comm`, 'utf8').trim();
      if (!SHELLS.has(comm)) return current;
      const children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      if (children.length !== 1) return current;
      current = Number(children[0]);
    } catch {
      return current;
    }
  }
  return current;
}

/** VmRSS of a process in bytes (Linux), undefined if it has exited. A shell wrapper is looked through. */
export function readProcessRss(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${resolveProgramPid(pid)}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of container memory usage of the pods matching a selector, from metrics.k8s.io. */
export async function readPodMemory(k: KubectlTarget, namespace: string, labelSelector: string): Promise<number | undefined> {
  const r = await kubectl(k, ['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(labelSelector)}`], {
    timeoutMs: 15_000,
    allowFailure: true,
  });
  if (r.code !== 0) return undefined;
  const list = JSON.parse(r.stdout) as { items?: Array<{ containers?: Array<{ usage?: { memory?: string } }> }> };
  if (!list.items?.length) return undefined;
  return list.items.flatMap((p) => p.containers ?? []).reduce((sum, c) => sum + (c.usage?.memory ? parseMemoryQuantity(c.usage.memory) : 0), 0);
}

export class MemoryProbe implements Probe {
  readonly name = 'memory';
  private samples: number[] = [];
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  private unavailable?: string;

  constructor(private readonly opts: MemoryProbeOptions) {}

  private async sample(): Promise<void> {
    if (this.samples.length >= (this.opts.maxSamples ?? 10_000)) return;
    const s = this.opts.source;
    const v = s.kind === 'pid' ? readProcessRss(s.pid) : await readPodMemory(s.k, s.namespace, s.labelSelector);
    if (v === undefined) {
      if (!this.samples.length) this.unavailable = s.kind === 'pid' ? `process ${s.pid} has no /proc status (exited or not Linux)` : `metrics.k8s.io has no usage for ${s.namespace}/${s.labelSelector} (metrics-server installed?)`;
      return;
    }
    this.unavailable = undefined;
    this.samples.push(v);
  }

  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => (this.sampling = undefined));
    }, this.opts.intervalMs ?? 500);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
    await this.sample();
  }

  collect(): ProbeResult {
    if (!this.samples.length) return { probe: this.name, status: 'skipped', reason: this.unavailable ?? 'no samples', values: {} };
    const peak = Math.max(...this.samples);
    const fraction = this.opts.maxFractionOfLimit ?? 0.8;
    const budget = Math.floor(this.opts.limitBytes * fraction);
    const ok = peak <= budget;
    return {
      probe: this.name,
      status: ok ? 'passed' : 'failed',
      ...(ok ? {} : { reason: `peak ${formatBytes(peak)} exceeds ${Math.round(fraction * 100)}% of the ${formatBytes(this.opts.limitBytes)} limit` }),
      values: { peakBytes: peak, limitBytes: this.opts.limitBytes, budgetBytes: budget, samples: this.samples.length, headroomBytes: this.opts.limitBytes - peak },
    };
  }
}
