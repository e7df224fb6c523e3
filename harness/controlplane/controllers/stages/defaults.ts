// The default pod lifecycle, KWOK-style: schedule, start, and delete pods; plus the fault stages
// a pod can ask for through the `harness.ambient-code.io/stage` annotation (or the
// `harness.ambient-code.io/fault` label): pending | fail | oomkilled | crashloop | complete.
import type { StageSpec } from './types.ts';

export interface DefaultStageOptions {
  /** How long a Job's pod runs before it succeeds (ms). */
  jobPodDurationMs?: number;
  /** Delay of the fault stages and between simulated restarts (ms). */
  faultDelayMs?: number;
  /** Delay before a scheduled pod is Running and Ready (ms). */
  readyDelayMs?: number;
}

export const FAULTS = ['pending', 'fail', 'oomkilled', 'crashloop', 'complete'] as const;
export type Fault = (typeof FAULTS)[number];

const LIVE = 'deletionTimestamp unset';
const NOT_TERMINAL = 'phase notin (Succeeded,Failed)';
/** Simulated restarts stop after this many, leaving the pod in CrashLoopBackOff. */
const MAX_RESTARTS = 5;

export function defaultStages(opts: DefaultStageOptions = {}): StageSpec[] {
  const faultDelayMs = opts.faultDelayMs ?? 200;
  const fault = (name: 'fail' | 'oomkilled' | 'crashloop'): StageSpec => ({
    name: `pod-${name}`,
    resource: 'Pod',
    priority: 40,
    delayMs: faultDelayMs,
    maxApplications: MAX_RESTARTS,
    backoffFactor: 2,
    selector: { when: [`fault=${name}`, 'nodeName exists', LIVE, NOT_TERMINAL] },
    next: { effect: name },
  });
  return [
    {
      // The kubelet finishes a graceful delete with gracePeriodSeconds=0 (finalizers still hold).
      name: 'pod-delete',
      resource: 'Pod',
      priority: 100,
      maxApplications: 10,
      selector: { when: ['deletionTimestamp exists'] },
      next: { delete: true },
    },
    {
      name: 'pod-unschedulable',
      resource: 'Pod',
      priority: 60,
      selector: { when: ['fault=pending', 'nodeName unset', LIVE] },
      next: { effect: 'unschedulable' },
    },
    {
      name: 'pod-scheduler',
      resource: 'Pod',
      priority: 50,
      selector: { when: ['nodeName unset', LIVE, 'fault notin (pending)'] },
      next: { bind: true, effect: 'scheduled' },
    },
    fault('fail'),
    fault('oomkilled'),
    fault('crashloop'),
    {
      name: 'pod-complete',
      resource: 'Pod',
      priority: 30,
      delayMs: opts.jobPodDurationMs ?? 200,
      selector: { when: ['fault=complete', 'phase=Running', 'nodeName exists', LIVE] },
      next: { effect: 'complete' },
    },
    {
      // Job pods without a fault run for a short while and succeed.
      name: 'job-pod-complete',
      resource: 'Pod',
      priority: 30,
      delayMs: opts.jobPodDurationMs ?? 200,
      selector: { when: ['jobName exists', 'fault unset', 'phase=Running', 'nodeName exists', LIVE] },
      next: { effect: 'complete' },
    },
    {
      name: 'pod-ready',
      resource: 'Pod',
      priority: 0,
      delayMs: opts.readyDelayMs ?? 0,
      selector: { when: ['nodeName exists', LIVE, 'phase notin (Running,Succeeded,Failed)', 'fault notin (pending)'] },
      next: { effect: 'ready' },
    },
  ];
}
