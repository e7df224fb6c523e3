// Job controller: runs pods until `completions` succeed or `backoffLimit` failures, with the
// 1.31+ conditions (SuccessCriteriaMet/FailureTarget before Complete/Failed), counts and times.
import type { KubeObject, StoreEvent } from '../../types.ts';
import { GVR, type Condition, clone, controllerRef, isTerminating, jsonEqual, keyOf, nsName, rfc3339, setCondition, splitNsName } from '../resources.ts';
import { type Clock, QueuedController, logError } from '../runtime.ts';
import { type PodTemplate, createPodFromTemplate, isPodActive, isPodReady, ownedPods, podPhase } from './pod-template.ts';

const NAME = 'job';
const MANAGER = 'job-controller';
const BURST = 500;

interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
  completionMode?: 'NonIndexed' | 'Indexed';
  template?: PodTemplate;
}

interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: Record<string, unknown>;
}

/** [0,1,2,5] -> "0-2,5", the format of status.completedIndexes. */
function compressIndexes(sorted: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function isTrue(status: JobStatus, type: string): boolean {
  return (status.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export class JobController extends QueuedController {
  constructor(clock: Clock) {
    super(NAME, clock, GVR.jobs);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.jobs)) {
      if (e.type !== 'DELETED') this.queue.add(nsName(e.object));
      return;
    }
    if (e.key !== keyOf(GVR.pods)) return;
    const ref = controllerRef(e.object);
    if (ref?.kind === 'Job') this.queue.add(`${e.object.metadata.namespace ?? ''}/${ref.name}`);
  }

  protected reconcile(key: string): { requeueAfterMs: number } | void {
    const [ns, name] = splitNsName(key);
    const job = this.client.get(GVR.jobs, ns, name);
    if (!job || isTerminating(job)) return;
    const spec = (job.spec ?? {}) as JobSpec;
    const old = (job.status ?? {}) as JobStatus;
    const status: JobStatus = clone(old);
    const nowMs = this.clock.now();
    const now = rfc3339(nowMs);
    const pods = ownedPods(this.client, job);
    const active = pods.filter(isPodActive);
    const succeededPods = pods.filter((p) => podPhase(p) === 'Succeeded');
    const failedPods = pods.filter((p) => podPhase(p) === 'Failed');
    // Counts never go down when finished pods are removed (the real controller tracks them with a finalizer).
    status.succeeded = Math.max(old.succeeded ?? 0, succeededPods.length);
    status.failed = Math.max(old.failed ?? 0, failedPods.length);
    const completions = spec.completions === null ? undefined : (spec.completions ?? 1);
    const parallelism = spec.parallelism ?? 1;
    const backoffLimit = spec.backoffLimit ?? 6;
    let requeue: number | undefined;

    const finished = isTrue(status, 'Complete') || isTrue(status, 'Failed');
    if (!finished) {
      if (spec.suspend) {
        this.deletePods(active);
        status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastProbeTime: now }, now);
      } else {
        if (status.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True')) {
          status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: now }, now);
        }
        status.startTime ??= now;
        const deadline = spec.activeDeadlineSeconds !== undefined ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
        if (spec.completionMode === 'Indexed') {
          const done = [...new Set(succeededPods.map((p) => Number(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'])))].filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
          status.completedIndexes = compressIndexes(done);
          if (!status.completedIndexes) delete status.completedIndexes;
        }
        const succeededEnough = completions !== undefined ? status.succeeded >= completions : status.succeeded > 0 && active.length === 0;
        const decided = isTrue(status, 'SuccessCriteriaMet') || isTrue(status, 'FailureTarget');
        if (decided) {
          // The outcome is fixed; what is left is waiting for pods to stop (below).
        } else if (succeededEnough) {
          status.conditions = setCondition(status.conditions, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: now }, now);
        } else if (status.failed > backoffLimit) {
          status.conditions = setCondition(status.conditions, { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now }, now);
        } else if (deadline !== undefined && nowMs >= deadline) {
          status.conditions = setCondition(status.conditions, { type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', lastProbeTime: now }, now);
        } else {
          const remaining = completions !== undefined ? completions - status.succeeded : parallelism;
          const want = Math.max(0, Math.min(parallelism, remaining));
          if (active.length < want) this.createPods(job, spec, Math.min(want - active.length, BURST), this.freeIndexes(spec, succeededPods, active, completions ?? 0));
          else if (active.length > want) this.deletePods(active.slice(want));
          if (deadline !== undefined) requeue = Math.max(0, deadline - nowMs) + 10;
        }
        // Terminal conditions follow the targets once no pod is left running (1.31+ ordering).
        const stillActive = ownedPods(this.client, job).filter(isPodActive);
        if (isTrue(status, 'SuccessCriteriaMet') || isTrue(status, 'FailureTarget')) {
          this.deletePods(stillActive);
          const running = ownedPods(this.client, job).filter((p) => isPodActive(p) || (p.metadata.deletionTimestamp && !podPhase(p)?.match(/Succeeded|Failed/)));
          if (running.length === 0) {
            if (isTrue(status, 'SuccessCriteriaMet')) {
              status.conditions = setCondition(status.conditions, { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: now }, now);
              status.completionTime ??= now;
            } else {
              const target = status.conditions?.find((c) => c.type === 'FailureTarget');
              status.conditions = setCondition(status.conditions, { type: 'Failed', status: 'True', reason: target?.reason ?? 'BackoffLimitExceeded', message: target?.message ?? 'Job has reached the specified backoff limit', lastProbeTime: now }, now);
            }
          }
        }
      }
    }
    const live = ownedPods(this.client, job);
    status.active = live.filter(isPodActive).length;
    status.ready = live.filter((p) => isPodActive(p) && isPodReady(p)).length;
    status.terminating = live.filter((p) => p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(podPhase(p) ?? '')).length;
    status.uncountedTerminatedPods = {};
    for (const k of ['active', 'succeeded', 'failed'] as const) if (status[k] === 0) delete status[k];
    if (status.terminating === 0) delete status.terminating;
    const latest = this.client.get(GVR.jobs, ns, name);
    if (latest && latest.metadata.uid === job.metadata.uid && !jsonEqual(latest.status, status)) {
      const next = clone(latest);
      next.status = status as unknown as Record<string, unknown>;
      this.client.update(GVR.jobs, ns, next, { subresource: 'status', fieldManager: MANAGER });
    }
    return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
  }

  /** Indexed jobs: the completion indexes that neither succeeded nor run, lowest first. */
  private freeIndexes(spec: JobSpec, succeeded: KubeObject[], active: KubeObject[], completions: number): number[] {
    if (spec.completionMode !== 'Indexed') return [];
    const taken = new Set([...succeeded, ...active].map((p) => Number(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'])));
    const out: number[] = [];
    for (let i = 0; i < completions; i++) if (!taken.has(i)) out.push(i);
    return out;
  }

  private createPods(job: KubeObject, spec: JobSpec, count: number, indexes: number[]): void {
    const uid = job.metadata.uid ?? '';
    const jobName = job.metadata.name ?? '';
    for (let i = 0; i < count; i++) {
      const labels: Record<string, string> = {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': jobName,
        'controller-uid': uid,
        'job-name': jobName,
      };
      const annotations: Record<string, string> = {};
      if (spec.completionMode === 'Indexed') {
        if (i >= indexes.length) return;
        const index = String(indexes[i]);
        labels['batch.kubernetes.io/job-completion-index'] = index;
        annotations['batch.kubernetes.io/job-completion-index'] = index;
      }
      try {
        createPodFromTemplate(this.client, job, spec.template, { generateName: `${jobName}-`, labels, annotations, manager: MANAGER });
      } catch (err) {
        logError(NAME, `create pod for job ${nsName(job)}`, err);
        return;
      }
    }
  }

  private deletePods(pods: KubeObject[]): void {
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      try {
        this.client.delete(GVR.pods, p.metadata.namespace, p.metadata.name ?? '', { preconditions: { uid: p.metadata.uid } });
      } catch (err) {
        logError(NAME, `delete pod ${p.metadata.name}`, err);
      }
    }
  }
}
