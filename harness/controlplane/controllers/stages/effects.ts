// Built-in pod status effects: what a kubelet reports for a pod that starts, completes, fails,
// is OOM-killed or crash-loops. Each returns the whole new status computed from the pod.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../types.ts';
import { type Condition, rfc3339, setCondition } from '../resources.ts';
import type { PodEffect, StageContext } from './types.ts';

interface Container {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  nodeName?: string;
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: Record<string, unknown>;
  lastState?: Record<string, unknown>;
  [k: string]: unknown;
}

interface PodStatus {
  phase?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  startTime?: string;
  podIP?: string;
  [k: string]: unknown;
}

function spec(pod: KubeObject): PodSpec {
  return (pod.spec ?? {}) as PodSpec;
}

function containerId(pod: KubeObject, name: string, restart: number): string {
  return `containerd://${createHash('sha256').update(`${pod.metadata.uid}/${name}/${restart}`).digest('hex')}`;
}

function imageRef(image: string | undefined): { image: string; imageID: string } {
  const img = image ?? 'unknown';
  const full = img.includes('/') ? img : `docker.io/library/${img}`;
  const tagged = /:[^/]+$/.test(full) || full.includes('@') ? full : `${full}:latest`;
  const digest = createHash('sha256').update(tagged).digest('hex');
  return { image: tagged, imageID: `${tagged.replace(/[:@][^/]*$/, '')}@sha256:${digest}` };
}

function qosClass(pod: KubeObject): string {
  const containers = [...(spec(pod).containers ?? []), ...(spec(pod).initContainers ?? [])];
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = { ...l, ...(c.resources?.requests ?? {}) };
    return l.cpu && l.memory && r.cpu === l.cpu && r.memory === l.memory;
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function previous(status: PodStatus, name: string): ContainerStatus | undefined {
  return status.containerStatuses?.find((c) => c.name === name);
}

/** Pod conditions in the order the kubelet writes them. */
function podConditions(old: Condition[] | undefined, now: string, ready: boolean, reason?: string): Condition[] {
  let c = old?.filter((x) => ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].includes(x.type));
  const completed = reason === 'PodCompleted';
  c = setCondition(c, { type: 'PodReadyToStartContainers', status: completed ? 'False' : 'True', lastProbeTime: null }, now);
  c = setCondition(c, { type: 'Initialized', status: 'True', lastProbeTime: null, ...(completed ? { reason } : {}) }, now);
  c = setCondition(c, ready ? { type: 'Ready', status: 'True', lastProbeTime: null } : { type: 'Ready', status: 'False', reason: reason ?? 'ContainersNotReady', lastProbeTime: null }, now);
  c = setCondition(c, ready ? { type: 'ContainersReady', status: 'True', lastProbeTime: null } : { type: 'ContainersReady', status: 'False', reason: reason ?? 'ContainersNotReady', lastProbeTime: null }, now);
  c = setCondition(c, { type: 'PodScheduled', status: 'True', lastProbeTime: null }, now);
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  return c.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** The status of a started pod: node addresses, pod IP, init containers done, containers running. */
function running(pod: KubeObject, ctx: StageContext, ready: boolean): PodStatus {
  const old = (pod.status ?? {}) as PodStatus;
  const now = rfc3339(ctx.now);
  const startTime = old.startTime ?? now;
  const podIP = old.podIP ?? ctx.allocatePodIP(pod.metadata.uid ?? '');
  const status: PodStatus = {
    ...old,
    phase: 'Running',
    conditions: podConditions(old.conditions, now, ready),
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime,
    qosClass: old.qosClass ?? qosClass(pod),
    containerStatuses: (spec(pod).containers ?? []).map((c) => {
      const prev = previous(old, c.name);
      const restartCount = prev?.restartCount ?? 0;
      const startedAt = (prev?.state?.running as { startedAt?: string } | undefined)?.startedAt ?? now;
      return {
        name: c.name,
        ...imageRef(c.image),
        containerID: containerId(pod, c.name, restartCount),
        ready,
        started: true,
        restartCount,
        state: { running: { startedAt } },
        lastState: prev?.lastState ?? {},
      };
    }),
  };
  const inits = spec(pod).initContainers ?? [];
  if (inits.length) {
    status.initContainerStatuses = inits.map((c) => ({
      name: c.name,
      ...imageRef(c.image),
      containerID: containerId(pod, c.name, 0),
      ready: true,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime, containerID: containerId(pod, c.name, 0) } },
      lastState: {},
    }));
  }
  return status;
}

/** All containers ended with `exitCode`/`reason`: the pod is terminal. */
function terminated(pod: KubeObject, ctx: StageContext, phase: 'Succeeded' | 'Failed', exitCode: number, reason: string): PodStatus {
  const base = running(pod, ctx, false);
  const now = rfc3339(ctx.now);
  const podReason = phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
  return {
    ...base,
    phase,
    conditions: podConditions(base.conditions, now, false, podReason),
    containerStatuses: (base.containerStatuses ?? []).map((c) => {
      const startedAt = (c.state?.running as { startedAt?: string } | undefined)?.startedAt ?? now;
      return {
        ...c,
        ready: false,
        started: false,
        state: { terminated: { exitCode, reason, startedAt, finishedAt: now, containerID: c.containerID } },
      };
    }),
  };
}

/** The container died and the kubelet restarts it (restartPolicy Always/OnFailure): CrashLoopBackOff. */
function restarted(pod: KubeObject, ctx: StageContext, exitCode: number, reason: string): PodStatus {
  const base = running(pod, ctx, false);
  const now = rfc3339(ctx.now);
  return {
    ...base,
    containerStatuses: (base.containerStatuses ?? []).map((c, i) => {
      if (i > 0) return { ...c, ready: true };
      const restartCount = (c.restartCount ?? 0) + 1;
      const startedAt = (c.state?.running as { startedAt?: string } | undefined)?.startedAt ?? base.startTime ?? now;
      return {
        ...c,
        ready: false,
        started: false,
        restartCount,
        containerID: containerId(pod, c.name, restartCount),
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
        lastState: { terminated: { exitCode, reason, startedAt, finishedAt: now, containerID: c.containerID } },
      };
    }),
  };
}

function restartsInPlace(pod: KubeObject): boolean {
  return (spec(pod).restartPolicy ?? 'Always') !== 'Never';
}

export function applyEffect(effect: PodEffect, pod: KubeObject, ctx: StageContext): PodStatus {
  const old = (pod.status ?? {}) as PodStatus;
  const now = rfc3339(ctx.now);
  switch (effect) {
    case 'scheduled':
      return { ...old, phase: old.phase ?? 'Pending', conditions: setCondition(old.conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null }, now) };
    case 'unschedulable':
      return {
        ...old,
        phase: 'Pending',
        conditions: setCondition(old.conditions, {
          type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastProbeTime: null,
          message: '0/1 nodes are available: 1 node(s) were held back by the harness stage "pending". preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
        }, now),
      };
    case 'ready':
      return running(pod, ctx, true);
    case 'complete':
      return terminated(pod, ctx, 'Succeeded', 0, 'Completed');
    case 'fail':
      return restartsInPlace(pod) ? restarted(pod, ctx, 1, 'Error') : terminated(pod, ctx, 'Failed', 1, 'Error');
    case 'oomkilled':
      return restartsInPlace(pod) ? restarted(pod, ctx, 137, 'OOMKilled') : terminated(pod, ctx, 'Failed', 137, 'OOMKilled');
    case 'crashloop':
      return restarted(pod, ctx, 1, 'Error');
    default:
      return old;
  }
}
