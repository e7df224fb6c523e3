// The declarative stage model (after KWOK's Stage): which objects a stage applies to, after how
// long, and what it does to them. Stages are data, so scenarios can pass their own.
import type { JsonObject, KubeObject } from '../../types.ts';

/**
 * A condition over an object. `key` is a path: dotted with optional ["..."] segments
 * (`.metadata.deletionTimestamp`, `.metadata.labels["app"]`) or a shorthand (`deletionTimestamp`,
 * `nodeName`, `phase`, `podIP`, `restartPolicy`, `fault`, `jobName`; see match.ts).
 */
export interface StageExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface StageSelector {
  matchLabels?: Record<string, string>;
  matchAnnotations?: Record<string, string>;
  matchExpressions?: StageExpression[];
  /**
   * Short textual conditions, all of which must hold: "deletionTimestamp exists",
   * "nodeName unset", "phase=Running", "phase!=Running", "phase in (Pending,Running)",
   * "fault notin (pending,fail)".
   */
  when?: string[];
}

/** Named status generators for Pods (see effects.ts); they compute status from the pod spec. */
export type PodEffect = 'scheduled' | 'unschedulable' | 'ready' | 'complete' | 'fail' | 'oomkilled' | 'crashloop';

export interface StageContext {
  nodeName: string;
  now: number;
  /** Allocates a pod IP from 10.244.0.0/16. */
  allocatePodIP(uid: string): string;
  hostIP: string;
}

export interface StageNext {
  /** Built-in pod status effect; applied before `status`. */
  effect?: PodEffect;
  /** Merged (deep, JSON merge-patch style) into `.status`. */
  status?: JsonObject;
  /** Computes extra status from the object (merged like `status`). */
  statusFrom?: (obj: KubeObject, ctx: StageContext) => JsonObject;
  /** Merged into the main object (spec/metadata), written with a main-resource update. */
  patch?: JsonObject;
  /** Sets `spec.nodeName` to the embedded node (what the scheduler's binding does). */
  bind?: boolean;
  finalizers?: { add?: string[]; remove?: string[] };
  /** Delete the object (gracePeriodSeconds 0, as the kubelet does after a graceful delete). */
  delete?: boolean;
}

export interface StageSpec {
  name: string;
  /** Kind the stage applies to; only "Pod" is driven by the default stage controller. */
  resource?: string;
  selector?: StageSelector;
  /** Delay before `next` is applied, in ms (default 0). A pod annotation can override it. */
  delayMs?: number;
  /** Higher runs first when several stages match (default 0); ties keep list order. */
  priority?: number;
  /** Each repeat waits `backoffFactor` times longer than the previous one (like kubelet restart back-off). */
  backoffFactor?: number;
  /** Upper bound of applications per object (guards repeating stages such as restarts). */
  maxApplications?: number;
  next: StageNext;
}
