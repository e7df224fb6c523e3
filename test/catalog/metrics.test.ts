// metrics.k8s.io/v1beta1 objects as metrics-server serves them to `kubectl top`.
import { describe, expect, it } from 'vitest';
import { USAGE_ANNOTATION, serveMetrics, cpuNanos, defaultUsageSource, memoryBytes, metricsFor, metricsList, nodeMetrics, podMetrics } from '../../harness/controlplane/metrics/index.ts';
import { ApiError, type GroupVersionResource, type InternalClient, type KubeObject } from '../../harness/controlplane/types.ts';

const NOW = new Date('2026-01-10T12:00:00.123Z');

function pod(name: string, opts: { phase?: string; node?: string; usage?: unknown; containers?: string[] } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, labels: { app: name }, ...(opts.usage !== undefined ? { annotations: { [USAGE_ANNOTATION]: typeof opts.usage === 'string' ? opts.usage : JSON.stringify(opts.usage) } } : {}) },
    spec: { nodeName: opts.node ?? 'node-1', containers: (opts.containers ?? ['main']).map((n) => ({ name: n, image: 'x' })) },
    status: { phase: opts.phase ?? 'Running' },
  };
}

describe('metrics', () => {
  it('podMetrics has the PodMetrics shape', () => {
    const p = pod('web', { containers: ['main', 'side'] });
    const m = podMetrics(p, { main: { cpu: '10m', memory: '50Mi' }, side: { cpu: '1m', memory: '5Mi' } }, NOW);
    expect(m).toEqual({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'web', namespace: 'team-a', creationTimestamp: '2026-01-10T12:00:00Z', labels: { app: 'web' } },
      timestamp: '2026-01-10T12:00:00Z',
      window: '30s',
      containers: [
        { name: 'main', usage: { cpu: '10m', memory: '50Mi' } },
        { name: 'side', usage: { cpu: '1m', memory: '5Mi' } },
      ],
    });
  });

  it('nodeMetrics has the NodeMetrics shape', () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { role: 'w' } } };
    expect(nodeMetrics(node, { cpu: '100m', memory: '1Gi' }, NOW)).toEqual({
      kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'node-1', creationTimestamp: '2026-01-10T12:00:00Z', labels: { role: 'w' } },
      timestamp: '2026-01-10T12:00:00Z', window: '30s', usage: { cpu: '100m', memory: '1Gi' },
    });
  });

  it('usage comes from the annotation when present, else a stable default per container', () => {
    expect(defaultUsageSource(pod('a', { usage: { main: { cpu: '250m', memory: '128Mi' } } }))).toEqual({ main: { cpu: '250m', memory: '128Mi' } });
    const d1 = defaultUsageSource(pod('b', { containers: ['main', 'side'] }));
    const d2 = defaultUsageSource(pod('b', { containers: ['main', 'side'] }));
    expect(d1).toEqual(d2);
    expect(Object.keys(d1)).toEqual(['main', 'side']);
    for (const u of Object.values(d1)) {
      expect(cpuNanos(u.cpu)).toBeGreaterThan(0);
      expect(memoryBytes(u.memory)).toBeGreaterThan(0);
    }
    // A malformed annotation falls back to the default, never throws.
    expect(defaultUsageSource(pod('c', { usage: '{not json' }))).toEqual(defaultUsageSource(pod('c')));
  });

  it('parses quantities', () => {
    expect(cpuNanos('250m')).toBe(250e6);
    expect(cpuNanos('2')).toBe(2e9);
    expect(cpuNanos('1500000n')).toBe(1.5e6);
    expect(memoryBytes('50Mi')).toBe(50 * 1024 * 1024);
    expect(memoryBytes('1G')).toBe(1e9);
    expect(memoryBytes('512')).toBe(512);
  });

  it('metricsFor lists running pods only, and sums node usage from its pods', () => {
    const pods = [
      pod('run', { usage: { main: { cpu: '100m', memory: '100Mi' } } }),
      pod('other-node', { node: 'node-2', usage: { main: { cpu: '900m', memory: '900Mi' } } }),
      pod('pending', { phase: 'Pending' }),
      { ...pod('gone'), metadata: { ...pod('gone').metadata, deletionTimestamp: NOW.toISOString() } },
    ];
    const podItems = metricsFor('pods', { pods }, { now: NOW });
    expect(podItems.map((m) => m.metadata.name)).toEqual(['run', 'other-node']);
    const nodes: KubeObject[] = [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } }];
    const [n1] = metricsFor('nodes', { pods, nodes }, { now: NOW });
    const usage = n1.usage as { cpu: string; memory: string };
    // 100m of pods + 50m system overhead; 100Mi + 256Mi.
    expect(usage).toEqual({ cpu: '150m', memory: `${356 * 1024}Ki` });
    // A custom usage source (e.g. a real process's RSS) replaces the default.
    const custom = metricsFor('pods', { pods: [pod('x')] }, { now: NOW, usageSource: () => ({ main: { cpu: '7m', memory: '70Mi' } }) });
    expect(custom[0].containers).toEqual([{ name: 'main', usage: { cpu: '7m', memory: '70Mi' } }]);
    expect(metricsList('pods', custom, '12')).toMatchObject({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { resourceVersion: '12' }, items: custom });
  });

  it('serveMetrics answers GET/LIST like metrics-server, including its 404', () => {
    const stored: Record<string, KubeObject[]> = {
      pods: [pod('a'), pod('b'), { ...pod('c'), metadata: { ...pod('c').metadata, namespace: 'team-b' } }],
      nodes: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { zone: 'z1' } } }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' } }],
    };
    // Only list() is used; label selectors here are single `k=v` terms.
    const client = {
      list(gvr: GroupVersionResource, namespace?: string, labelSelector?: string) {
        const [k, v] = labelSelector ? labelSelector.split('=') : [];
        return stored[gvr.resource].filter((o) => (!namespace || o.metadata.namespace === namespace) && (!k || o.metadata.labels?.[k] === v));
      },
    } as unknown as InternalClient;
    const list = serveMetrics(client, { resource: 'pods', namespace: 'team-a' }, { now: NOW }) as KubeObject & { items: KubeObject[] };
    expect(list.kind).toBe('PodMetricsList');
    expect(list.items.map((m) => m.metadata.name)).toEqual(['a', 'b']);
    expect((serveMetrics(client, { resource: 'pods', namespace: 'team-a', labelSelector: 'app=b' }) as unknown as { items: KubeObject[] }).items.map((m) => m.metadata.name)).toEqual(['b']);
    expect(serveMetrics(client, { resource: 'pods', namespace: 'team-a', name: 'a' }).kind).toBe('PodMetrics');
    expect((serveMetrics(client, { resource: 'nodes', labelSelector: 'zone=z1' }) as unknown as { items: KubeObject[] }).items.map((m) => m.metadata.name)).toEqual(['node-1']);
    try {
      serveMetrics(client, { resource: 'pods', namespace: 'team-a', name: 'nope' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(404);
      expect((err as ApiError).message).toBe('podmetrics.metrics.k8s.io "team-a/nope" not found');
    }
  });
});
