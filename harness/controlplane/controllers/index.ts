// The embedded control plane's controllers: what kube-controller-manager, the scheduler and a
// kubelet would do, in-process, against the InternalClient.
import type { Controller } from '../types.ts';
import { CrdCleanupController } from './crd-cleanup.ts';
import { EndpointsController } from './endpoints.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { NamespaceLifecycleController } from './namespace-lifecycle.ts';
import { DEFAULT_NODE_NAME, NODE_INTERNAL_IP, NodeController } from './node.ts';
import { type Clock, realClock } from './runtime.ts';
import { StageController } from './stages/controller.ts';
import { type DefaultStageOptions, defaultStages } from './stages/defaults.ts';
import type { StageSpec } from './stages/types.ts';
import { VolumeBinder } from './volumes.ts';
import { DaemonSetController } from './workloads/daemonset.ts';
import { DeploymentController } from './workloads/deployment.ts';
import { JobController } from './workloads/job.ts';
import { ReplicaSetController } from './workloads/replicaset.ts';
import { StatefulSetController } from './workloads/statefulset.ts';

export type { Clock } from './runtime.ts';
export { realClock } from './runtime.ts';
export type { StageSpec, StageSelector, StageExpression, StageNext, PodEffect } from './stages/types.ts';
export { defaultStages, FAULTS, type Fault } from './stages/defaults.ts';
export { FAULT_LABEL, STAGE_ANNOTATION, STAGE_DELAY_ANNOTATION } from './stages/match.ts';
export { DEFAULT_NODE_NAME } from './node.ts';

export interface ControllerOptions extends DefaultStageOptions {
  /** Extra pod stages; they run before the default ones at equal priority. */
  stages?: StageSpec[];
  /** Replace the default stages entirely with `stages`. */
  replaceDefaultStages?: boolean;
  clock?: Clock;
  nodeName?: string;
  /** Controllers to leave out, by name (e.g. "endpoints"). */
  disable?: string[];
}

export function defaultControllers(opts: ControllerOptions = {}): Controller[] {
  const clock = opts.clock ?? realClock;
  const nodeName = opts.nodeName ?? DEFAULT_NODE_NAME;
  const stages = opts.replaceDefaultStages ? (opts.stages ?? []) : [...(opts.stages ?? []), ...defaultStages(opts)];
  const all: Controller[] = [
    new NodeController(clock, nodeName),
    new NamespaceLifecycleController(clock),
    new GarbageCollector(clock),
    new CrdCleanupController(clock),
    new StageController(stages, clock, nodeName, NODE_INTERNAL_IP),
    new DeploymentController(clock),
    new ReplicaSetController(clock),
    new StatefulSetController(clock),
    new DaemonSetController(clock, nodeName),
    new JobController(clock),
    new EndpointsController(clock),
    new VolumeBinder(clock),
  ];
  const disabled = new Set(opts.disable ?? []);
  return all.filter((c) => !disabled.has(c.name));
}
