// Printer columns for pods and workload controllers, as kube-apiserver 1.33's built-in table
// printers (pkg/printers/internalversion) produce them. Computed cells follow kubectl's rules.

import type { KubeObject, PrinterColumn } from '../types.ts';
import { ageSince, humanDuration } from '../printers/age.ts';
import { AGE, NONE, arr, computed, condition, formatLabels, num, obj, spec, status, str, templateColumns, type Obj } from './column-helpers.ts';

/** Pod STATUS as kubectl shows it: init progress, container waiting/terminated reasons, Terminating. */
export function podStatusReason(pod: KubeObject): string {
  const st = status(pod);
  let reason = str(st.phase);
  if (str(st.reason)) reason = str(st.reason);
  const scheduled = condition(pod, 'PodScheduled');
  if (scheduled && scheduled.status === 'False' && scheduled.reason === 'SchedulingGated') reason = 'SchedulingGated';

  const initSpecs = arr(spec(pod).initContainers);
  let initializing = false;
  const initStatuses = arr(st.initContainerStatuses).map(obj);
  for (let i = 0; i < initStatuses.length; i++) {
    const state = obj(initStatuses[i].state);
    const terminated = state.terminated ? obj(state.terminated) : undefined;
    const waiting = state.waiting ? obj(state.waiting) : undefined;
    if (terminated && num(terminated.exitCode) === 0) continue;
    initializing = true;
    if (terminated) {
      reason = str(terminated.reason)
        ? `Init:${str(terminated.reason)}`
        : num(terminated.signal) !== 0
          ? `Init:Signal:${num(terminated.signal)}`
          : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (waiting && str(waiting.reason) && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    break;
  }

  if (!initializing || condition(pod, 'Initialized')?.status === 'True') {
    let hasRunning = false;
    const statuses = arr(st.containerStatuses).map(obj);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      const state = obj(c.state);
      const waiting = state.waiting ? obj(state.waiting) : undefined;
      const terminated = state.terminated ? obj(state.terminated) : undefined;
      if (waiting && str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated) reason = num(terminated.signal) !== 0 ? `Signal:${num(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
      else if (c.ready === true && state.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = condition(pod, 'Ready')?.status === 'True' ? 'Running' : 'NotReady';
  }

  const phase = str(st.phase);
  if (pod.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  return reason;
}

function podReady(pod: KubeObject): string {
  const total = arr(spec(pod).containers).length;
  const ready = arr(status(pod).containerStatuses).map(obj).filter((c) => c.ready === true && obj(c.state).running).length;
  return `${ready}/${total}`;
}

/** RESTARTS: the sum of restart counts, with the last restart's age ("2 (5m ago)"). */
function podRestarts(pod: KubeObject, now: Date): string {
  let restarts = 0;
  let last = 0;
  for (const c of arr(status(pod).containerStatuses).map(obj)) {
    restarts += num(c.restartCount);
    const finished = str(obj(obj(c.lastState).terminated).finishedAt);
    if (finished && Date.parse(finished) > last) last = Date.parse(finished);
  }
  return restarts !== 0 && last ? `${restarts} (${humanDuration(now.getTime() - last)} ago)` : String(restarts);
}

export const POD_COLUMNS: PrinterColumn[] = [
  computed('Ready', 'string', podReady, 0, 'The aggregate readiness state of this pod for accepting traffic.'),
  computed('Status', 'string', podStatusReason, 0, 'The aggregate status of the containers in this pod.'),
  computed('Restarts', 'string', podRestarts, 0, 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  AGE,
  computed('IP', 'string', (p) => str(obj(arr(status(p).podIPs)[0]).ip) || str(status(p).podIP) || NONE, 1, 'IP address allocated to the pod.'),
  computed('Node', 'string', (p) => str(spec(p).nodeName) || NONE, 1, 'Name of the node the pod is assigned to.'),
  computed('Nominated Node', 'string', (p) => str(status(p).nominatedNodeName) || NONE, 1, 'Name of the node the pod is nominated to.'),
  computed('Readiness Gates', 'string', (p) => {
    const gates = arr(spec(p).readinessGates).map(obj);
    if (gates.length === 0) return NONE;
    const conds = arr(status(p).conditions).map(obj);
    const ok = gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length;
    return `${ok}/${gates.length}`;
  }, 1, 'Readiness gates of the pod.'),
];

const replicas = (o: KubeObject) => num(spec(o).replicas, 1);

export const DEPLOYMENT_COLUMNS: PrinterColumn[] = [
  computed('Ready', 'string', (o) => `${num(status(o).readyReplicas)}/${replicas(o)}`, 0, 'Number of the pod with ready state'),
  computed('Up-to-date', 'integer', (o) => num(status(o).updatedReplicas), 0, 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  computed('Available', 'integer', (o) => num(status(o).availableReplicas), 0, 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
  AGE,
  ...templateColumns(),
];

export const REPLICASET_COLUMNS: PrinterColumn[] = [
  computed('Desired', 'integer', replicas, 0, 'Number of desired pods.'),
  computed('Current', 'integer', (o) => num(status(o).replicas), 0, 'Number of actual replicas.'),
  computed('Ready', 'integer', (o) => num(status(o).readyReplicas), 0, 'Number of ready replicas.'),
  AGE,
  ...templateColumns(),
];

export const STATEFULSET_COLUMNS: PrinterColumn[] = [
  computed('Ready', 'string', (o) => `${num(status(o).readyReplicas)}/${replicas(o)}`, 0, 'Number of the pod with ready state'),
  AGE,
  ...templateColumns(false),
];

export const DAEMONSET_COLUMNS: PrinterColumn[] = [
  computed('Desired', 'integer', (o) => num(status(o).desiredNumberScheduled), 0, 'The total number of nodes that should be running the daemon pod.'),
  computed('Current', 'integer', (o) => num(status(o).currentNumberScheduled), 0, 'The number of nodes running at least one daemon pod.'),
  computed('Ready', 'integer', (o) => num(status(o).numberReady), 0, 'The number of nodes that should be running the daemon pod and have one or more running and ready.'),
  computed('Up-to-date', 'integer', (o) => num(status(o).updatedNumberScheduled), 0, 'The total number of nodes that are running updated daemon pod.'),
  computed('Available', 'integer', (o) => num(status(o).numberAvailable), 0, 'The number of nodes that should be running the daemon pod and have one or more available.'),
  computed('Node Selector', 'string', (o) => formatLabels(obj(obj(spec(o).template).spec).nodeSelector), 0, 'The node selector of the daemon pods.'),
  AGE,
  ...templateColumns(),
];

function jobStatus(job: KubeObject): string {
  const has = (t: string) => condition(job, t)?.status === 'True';
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobCompletions(job: KubeObject): string {
  const s = spec(job);
  const succeeded = num(status(job).succeeded);
  if (typeof s.completions === 'number') return `${succeeded}/${s.completions}`;
  if (typeof s.parallelism === 'number' && s.parallelism > 1) return `${succeeded}/1 of ${s.parallelism}`;
  return `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: Date): string {
  const start = Date.parse(str(status(job).startTime));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(str(status(job).completionTime));
  return humanDuration((Number.isNaN(end) ? now.getTime() : end) - start);
}

export const JOB_COLUMNS: PrinterColumn[] = [
  computed('Status', 'string', jobStatus, 0, 'Status of the job.'),
  computed('Completions', 'string', jobCompletions, 0, 'The completion status of the job.'),
  computed('Duration', 'string', jobDuration, 0, 'Time required to complete the job.'),
  AGE,
  ...templateColumns(),
];

const jobTemplatePodSpec = (o: KubeObject): Obj => obj(obj(obj(obj(spec(o).jobTemplate).spec).template).spec);

export const CRONJOB_COLUMNS: PrinterColumn[] = [
  computed('Schedule', 'string', (o) => str(spec(o).schedule), 0, 'The schedule in Cron format.'),
  computed('Timezone', 'string', (o) => str(spec(o).timeZone) || NONE, 0, 'The time zone the schedule uses.'),
  computed('Suspend', 'boolean', (o) => (typeof spec(o).suspend === 'boolean' ? (spec(o).suspend ? 'True' : 'False') : '<unset>'), 0, 'Whether the cron job is suspended.'),
  computed('Active', 'integer', (o) => arr(status(o).active).length, 0, 'Number of running jobs.'),
  computed('Last Schedule', 'string', (o, now) => (status(o).lastScheduleTime ? ageSince(status(o).lastScheduleTime, now) : NONE), 0, 'When the job was last scheduled.'),
  AGE,
  computed('Containers', 'string', (o) => arr(jobTemplatePodSpec(o).containers).map((c) => str(obj(c).name)).join(','), 1),
  computed('Images', 'string', (o) => arr(jobTemplatePodSpec(o).containers).map((c) => str(obj(c).image)).join(','), 1),
  computed('Selector', 'string', (o) => (obj(obj(spec(o).jobTemplate).spec).selector ? formatLabels(obj(obj(obj(spec(o).jobTemplate).spec).selector).matchLabels) : NONE), 1),
];
