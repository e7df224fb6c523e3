// metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics, computed from stored pods and nodes
// (what metrics-server would report), for `kubectl top` and HPA-style readers.
// Usage comes from one pluggable source: by default the pod annotation
// `harness.ambient-code.io/usage` ({"<container>": {"cpu": "10m", "memory": "50Mi"}}), else a
// small deterministic value per container; an embedded target can pass its own source (e.g. a
// real process's RSS).

import { createHash } from 'node:crypto';
import type { KubeObject } from '../types.ts';

export const USAGE_ANNOTATION = 'harness.ambient-code.io/usage';
export const METRICS_API_VERSION = 'metrics.k8s.io/v1beta1';
/** The scrape window metrics-server reports. */
export const METRICS_WINDOW = '30s';

export interface ResourceUsage {
  cpu: string;
  memory: string;
}

/** Per-container usage of one pod. */
export type PodUsage = Record<string, ResourceUsage>;

/** Where usage numbers come from; the default reads the annotation or derives a stable value. */
export type UsageSource = (pod: KubeObject) => PodUsage;

function containerNames(pod: KubeObject): string[] {
  const containers = (pod.spec as { containers?: Array<{ name?: string }> } | undefined)?.containers ?? [];
  return containers.map((c) => c.name ?? '').filter(Boolean);
}

function isUsage(v: unknown): v is ResourceUsage {
  return typeof v === 'object' && v !== null && typeof (v as ResourceUsage).cpu === 'string' && typeof (v as ResourceUsage).memory === 'string';
}

/** The default usage source: the annotation when it parses, else 1–20m CPU and 8–71Mi per container, seeded by pod uid+container. */
export function defaultUsageSource(pod: KubeObject): PodUsage {
  let annotated: Record<string, unknown> = {};
  const raw = pod.metadata.annotations?.[USAGE_ANNOTATION];
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) annotated = parsed as Record<string, unknown>;
    } catch {
      // A malformed annotation falls back to the default numbers rather than failing `kubectl top`.
    }
  }
  const usage: PodUsage = {};
  for (const name of containerNames(pod)) {
    const given = annotated[name];
    if (isUsage(given)) {
      usage[name] = { cpu: given.cpu, memory: given.memory };
      continue;
    }
    const seed = createHash('sha256').update(`${pod.metadata.uid ?? pod.metadata.namespace + '/' + pod.metadata.name}/${name}`).digest();
    usage[name] = { cpu: `${1 + (seed[0] % 20)}m`, memory: `${8 + (seed[1] % 64)}Mi` };
  }
  return usage;
}

export interface MetricsOptions {
  usageSource?: UsageSource;
  /** Clock for `timestamp` (tests). */
  now?: Date;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A PodMetrics for `pod` with the given per-container usage. */
export function podMetrics(pod: KubeObject, usage: PodUsage, now: Date = new Date()): KubeObject {
  const containers = containerNames(pod)
    .filter((name) => usage[name])
    .map((name) => ({ name, usage: { cpu: usage[name].cpu, memory: usage[name].memory } }));
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: rfc3339(now),
      ...(pod.metadata.labels ? { labels: { ...pod.metadata.labels } } : {}),
    },
    timestamp: rfc3339(now),
    window: METRICS_WINDOW,
    containers,
  };
}

/** A NodeMetrics for `node` with its total usage. */
export function nodeMetrics(node: KubeObject, usage: ResourceUsage, now: Date = new Date()): KubeObject {
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name: node.metadata.name, creationTimestamp: rfc3339(now), ...(node.metadata.labels ? { labels: { ...node.metadata.labels } } : {}) },
    timestamp: rfc3339(now),
    window: METRICS_WINDOW,
    usage: { cpu: usage.cpu, memory: usage.memory },
  };
}

/** metrics-server reports only pods with running containers that are not being deleted. */
function isRunning(pod: KubeObject): boolean {
  return (pod.status as { phase?: string } | undefined)?.phase === 'Running' && !pod.metadata.deletionTimestamp;
}

const CPU = /^(\d+(?:\.\d+)?)(m|n|u)?$/;
const MEM = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MEM_FACTOR: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** CPU quantity in nanocores ("250m" → 250e6, "1" → 1e9). */
export function cpuNanos(q: string): number {
  const m = CPU.exec(q.trim());
  if (!m) return 0;
  const factor = m[2] === 'm' ? 1e6 : m[2] === 'u' ? 1e3 : m[2] === 'n' ? 1 : 1e9;
  return Math.round(Number(m[1]) * factor);
}

/** Memory quantity in bytes ("50Mi" → 52428800). */
export function memoryBytes(q: string): number {
  const m = MEM.exec(q.trim());
  return m ? Math.round(Number(m[1]) * MEM_FACTOR[m[2] ?? '']) : 0;
}

/** Node usage: its running pods' usage plus a fixed system overhead (kubelet, runtime). */
function nodeUsage(node: KubeObject, pods: KubeObject[], source: UsageSource): ResourceUsage {
  let cpu = 50e6;
  let mem = 256 * 1024 ** 2;
  for (const pod of pods) {
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== node.metadata.name || !isRunning(pod)) continue;
    for (const u of Object.values(source(pod))) {
      cpu += cpuNanos(u.cpu);
      mem += memoryBytes(u.memory);
    }
  }
  return { cpu: `${Math.ceil(cpu / 1e6)}m`, memory: `${Math.ceil(mem / 1024)}Ki` };
}

/**
 * The metrics objects for GET/LIST of metrics.k8s.io/v1beta1 `pods` or `nodes`, from the stored
 * pods (and nodes). The caller filters by namespace/name/labels as for any list.
 */
export function metricsFor(
  resource: 'pods' | 'nodes',
  stored: { pods: KubeObject[]; nodes?: KubeObject[] },
  opts: MetricsOptions = {},
): KubeObject[] {
  const source = opts.usageSource ?? defaultUsageSource;
  const now = opts.now ?? new Date();
  if (resource === 'pods') return stored.pods.filter(isRunning).map((p) => podMetrics(p, source(p), now));
  return (stored.nodes ?? []).map((n) => nodeMetrics(n, nodeUsage(n, stored.pods, source), now));
}

/** Wraps metrics items in their list kind (PodMetricsList / NodeMetricsList). */
export function metricsList(resource: 'pods' | 'nodes', items: KubeObject[], resourceVersion = ''): KubeObject {
  return {
    kind: resource === 'pods' ? 'PodMetricsList' : 'NodeMetricsList',
    apiVersion: METRICS_API_VERSION,
    metadata: resourceVersion ? { resourceVersion } : {},
    items,
  };
}
