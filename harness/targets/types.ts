// The one seam: every scenario talks to a Cluster, whatever brought it up.
import type { HarnessConfig, TargetName } from '../config.ts';
import type { ObjectRef } from './cleanup.ts';
import type { Prerequisite } from './prerequisites.ts';

/** What a target can or cannot offer; a scenario needing a missing one reports "skipped: <reason>". */
export type CapabilityName =
  /** Real pod memory (metrics.k8s.io or the operator pod's /metrics). */
  | 'podMemory'
  /** RSS of a local operator/backend process (by pid). */
  | 'processMemory'
  /** The platform's real container images run (not the reference model). */
  | 'realImages'
  /** Pods are scheduled onto nodes with real resource accounting. */
  | 'realScheduling'
  /** The reference platform's behaviour profiles (--profile) apply. */
  | 'profiles';

export interface Capability {
  available: boolean;
  reason: string;
}

export type Capabilities = Record<CapabilityName, Capability>;

export interface KubeconfigHandle {
  /** File path, for kubectl --kubeconfig and child processes. */
  path: string;
  /** The same kubeconfig as YAML, for in-process clients. */
  yaml: string;
  context?: string;
}

/** Where probes can measure things. */
export interface ClusterProbes {
  /** pid of the local operator program itself (never a shell wrapper around it): /proc/<pid> is its memory. */
  operatorPid?: number;
  backendPid?: number;
  /** The operator's pod, for metrics.k8s.io / port-forward on real clusters. */
  operatorPod?: { namespace: string; labelSelector: string };
  /** Memory limit the operator runs under, in bytes, when known. */
  operatorMemoryLimitBytes?: number;
  /** Rendered platform manifests (multi-doc YAML) when the target deployed them. */
  renderedManifests?: string;
}

export interface Cluster {
  target: TargetName;
  runId: string;
  kubeconfig: KubeconfigHandle;
  /** Base URL of the backend API, including `/api` (what the runner's BACKEND_API_URL holds). */
  backendUrl: string;
  /**
   * Token of a user with cluster-wide rights (the kind overlay's `test-user` SA, cluster-admin), for
   * scenarios acting as a human caller; registered for redaction. Undefined if the cluster has none.
   */
  testUserToken?: string;
  namespaces: { platform: string; projects: string[] };
  /**
   * How scenarios give users credentials: through the backend's save endpoints (what the UI does),
   * or straight into the Secrets the backend reads (a real backend validates tokens against live
   * GitHub/GitLab on save, which a run must never reach). Default: endpoints.
   */
  credentialSeeding?: 'endpoints' | 'secrets';
  capabilities: Capabilities;
  probes: ClusterProbes;
  /** Tears everything down that up() created. Idempotent; never throws for already-gone resources. */
  down(): Promise<void>;
  /** What --keep (or `up`) left in place and down() will not remove; `down --target` removes it. */
  kept?: KeptResources;
}

export interface KeptResources {
  kindCluster?: string;
  k3sContainerId?: string;
  /** existing: the objects the deploy created (they did not exist before it). */
  createdObjects?: ObjectRef[];
}

export interface TargetUpOptions {
  config: HarnessConfig;
  runId: string;
  /** Private scratch directory for kubeconfigs (they hold tokens): outside the report dir, deleted after the run. */
  workDir: string;
  /** Where process logs go (the report dir); everything written there is redacted. */
  logDir: string;
  signal?: AbortSignal;
}

export interface Target {
  readonly name: TargetName;
  /** Cheap checks before anything is created (tools on PATH, Docker engine, kubeconfig readable). */
  prerequisites(config: HarnessConfig): Promise<Prerequisite>;
  /** Brings the cluster and platform up; on failure it cleans up what it created, then throws InfraError. */
  up(opts: TargetUpOptions): Promise<Cluster>;
}

export const PLATFORM_NAMESPACE = 'ambient-code';
export const RUN_LABEL = 'harness.ambient-code.io/run';

export function capability(available: boolean, reason: string): Capability {
  return { available, reason };
}
