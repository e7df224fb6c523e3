// Pods from templates, template hashes and pod readiness: shared by the workload controllers.
import type { InternalClient, KubeObject } from '../../types.ts';
import { GVR, clone, ownerRefTo } from '../resources.ts';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with sorted keys, so equal templates hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** FNV-1a (32 bit) rendered in the apiserver's "safe" alphabet, like pod-template-hash values. */
export function templateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const text = canonicalJson(template) + (collisionCount ? String(collisionCount) : '');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  let n = h;
  do {
    out += SAFE_ALPHABET[n % SAFE_ALPHABET.length];
    n = Math.floor(n / SAFE_ALPHABET.length);
  } while (n > 0);
  return out;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: Record<string, unknown>;
}

/** Creates a pod from `template`, controlled by `owner`. Returns undefined when the API refused. */
export function createPodFromTemplate(
  client: InternalClient,
  owner: KubeObject,
  template: PodTemplate | undefined,
  opts: { name?: string; generateName?: string; labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Record<string, unknown>; manager: string },
): KubeObject {
  const t = clone(template ?? {});
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(opts.name ? { name: opts.name } : { generateName: opts.generateName ?? `${owner.metadata.name}-` }),
      namespace: owner.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(opts.labels ?? {}) },
      ...(t.metadata?.annotations || opts.annotations ? { annotations: { ...(t.metadata?.annotations ?? {}), ...(opts.annotations ?? {}) } } : {}),
      ...(t.metadata?.finalizers ? { finalizers: t.metadata.finalizers } : {}),
      ownerReferences: [ownerRefTo(owner)],
    },
    spec: { ...(t.spec ?? {}), ...(opts.spec ?? {}) },
  };
  return client.create(GVR.pods, owner.metadata.namespace, pod, { fieldManager: opts.manager });
}

export function podPhase(pod: KubeObject): string | undefined {
  return (pod.status as { phase?: string } | undefined)?.phase;
}

export function isPodReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Neither terminal nor being deleted: what ReplicaSets and Jobs count as running replicas. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Pods in the namespace controlled by `owner`. */
export function ownedPods(client: InternalClient, owner: KubeObject): KubeObject[] {
  return client.list(GVR.pods, owner.metadata.namespace).filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid));
}

/** Resolves an int-or-percent (e.g. maxUnavailable "25%") against a total. */
export function intOrPercent(value: unknown, total: number, roundUp: boolean, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value));
  if (!m) return Number(value) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
