// Pure parts of the stage model: selector syntax, path resolution, template hashing and the
// built-in pod status effects.
import { describe, expect, it } from 'vitest';
import { compileSelector, parsePath, parseWhen, resolvePath } from '../../harness/controlplane/controllers/stages/match.ts';
import { applyEffect } from '../../harness/controlplane/controllers/stages/effects.ts';
import { templateHash } from '../../harness/controlplane/controllers/workloads/pod-template.ts';
import { defaultStages } from '../../harness/controlplane/controllers/index.ts';
import type { KubeObject } from '../../harness/controlplane/types.ts';

const pod = (extra: Partial<KubeObject> & { spec?: unknown; status?: unknown } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'uid-1', labels: { app: 'x' }, ...(extra.metadata ?? {}) },
  spec: { containers: [{ name: 'main', image: 'busybox' }], ...((extra.spec as object) ?? {}) },
  ...(extra.status ? { status: extra.status } : {}),
});

const ctx = { nodeName: 'embedded-node', now: Date.UTC(2026, 0, 1), hostIP: '172.18.0.2', allocatePodIP: () => '10.244.0.9' };

describe('stage selectors', () => {
  it('parses the short "when" syntax', () => {
    expect(parseWhen('deletionTimestamp exists')).toEqual({ key: 'deletionTimestamp', operator: 'Exists' });
    expect(parseWhen('nodeName unset')).toEqual({ key: 'nodeName', operator: 'DoesNotExist' });
    expect(parseWhen('phase=Running')).toEqual({ key: 'phase', operator: 'In', values: ['Running'] });
    expect(parseWhen('phase!=Running')).toEqual({ key: 'phase', operator: 'NotIn', values: ['Running'] });
    expect(parseWhen('fault notin (pending, fail)')).toEqual({ key: 'fault', operator: 'NotIn', values: ['pending', 'fail'] });
    expect(() => parseWhen('phase ~ Running')).toThrow(/cannot parse/);
  });

  it('resolves dotted and bracketed paths', () => {
    expect(parsePath('.metadata.labels["app.kubernetes.io/name"]')).toEqual(['metadata', 'labels', 'app.kubernetes.io/name']);
    const p = pod({ metadata: { labels: { 'app.kubernetes.io/name': 'runner' } } });
    expect(resolvePath(p, '.metadata.labels["app.kubernetes.io/name"]')).toBe('runner');
    expect(resolvePath(p, 'spec.containers[0].image')).toBe('busybox');
    expect(resolvePath(p, 'restartPolicy')).toBe('Always');
  });

  it('matches labels, annotations and expressions together', () => {
    const match = compileSelector({ matchLabels: { app: 'ambient-code-runner' }, when: ['fault=pending', 'nodeName unset'] });
    const runner = pod({ metadata: { labels: { app: 'ambient-code-runner', 'harness.ambient-code.io/fault': 'pending' } } });
    expect(match(runner)).toBe(true);
    expect(match(pod({ metadata: { labels: { app: 'other', 'harness.ambient-code.io/fault': 'pending' } } }))).toBe(false);
    expect(match({ ...runner, spec: { ...(runner.spec as object), nodeName: 'n' } })).toBe(false);
    // The annotation wins over the label.
    const annotated = pod({ metadata: { labels: { app: 'ambient-code-runner', 'harness.ambient-code.io/fault': 'pending' }, annotations: { 'harness.ambient-code.io/stage': 'fail' } } });
    expect(match(annotated)).toBe(false);
  });

  it('default stages compile and keep pod-delete first', () => {
    const stages = defaultStages();
    for (const s of stages) expect(() => compileSelector(s.selector)).not.toThrow();
    expect(stages.reduce((a, b) => ((a.priority ?? 0) >= (b.priority ?? 0) ? a : b)).name).toBe('pod-delete');
  });
});

describe('template hash', () => {
  it('is stable under key order and changes with content', () => {
    const a = templateHash({ metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const b = templateHash({ spec: { containers: [{ image: 'x', name: 'c' }] }, metadata: { labels: { b: '2', a: '1' } } });
    const c = templateHash({ spec: { containers: [{ image: 'y', name: 'c' }] }, metadata: { labels: { b: '2', a: '1' } } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
});

describe('pod effects', () => {
  it('ready: Running with IPs, conditions and running containers', () => {
    const s = applyEffect('ready', pod({ spec: { nodeName: 'embedded-node', initContainers: [{ name: 'init', image: 'busybox' }] } }), ctx) as Record<string, any>;
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.244.0.9');
    expect(s.hostIP).toBe('172.18.0.2');
    expect(s.startTime).toBe('2026-01-01T00:00:00Z');
    expect(s.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    expect(s.containerStatuses[0]).toMatchObject({ name: 'main', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } });
    expect(s.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('oomkilled: restartPolicy Never fails the pod, Always restarts the container', () => {
    const never = applyEffect('oomkilled', pod({ spec: { restartPolicy: 'Never' } }), ctx) as Record<string, any>;
    expect(never.phase).toBe('Failed');
    expect(never.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    const always = applyEffect('oomkilled', pod(), ctx) as Record<string, any>;
    expect(always.phase).toBe('Running');
    expect(always.containerStatuses[0]).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } }, state: { waiting: { reason: 'CrashLoopBackOff' } } });
    const again = applyEffect('oomkilled', { ...pod(), status: always }, ctx) as Record<string, any>;
    expect(again.containerStatuses[0].restartCount).toBe(2);
  });

  it('complete and fail', () => {
    const done = applyEffect('complete', pod({ spec: { restartPolicy: 'Never' } }), ctx) as Record<string, any>;
    expect(done.phase).toBe('Succeeded');
    expect(done.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(done.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    const failed = applyEffect('fail', pod({ spec: { restartPolicy: 'Never' } }), ctx) as Record<string, any>;
    expect(failed.phase).toBe('Failed');
    expect(failed.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });
});
