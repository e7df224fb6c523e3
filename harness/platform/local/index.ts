// The platform's programs as local processes against any API server reachable from this machine
// (the embedded control plane, an existing cluster, envtest): the reference backend/operator,
// `--backend-cmd` / `--operator-cmd`, or the binaries `--platform-dir DIR --build` compiled.
//
//   startLocalPlatform({ adminKubeconfig, config, runId, workDir, logDir }) → LocalPlatform
//
// installs the CRDs and RBAC (the checkout's own with --platform-dir), mints ServiceAccount
// kubeconfigs, gives each program the environment its pod would have (environment.ts), starts
// the loopback doubles it talks to (doubles.ts), waits for each program's own health endpoint,
// and stops the whole process tree on stop() — or when the harness dies (harness/process).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { PROJECT_ROOT } from '../../bundle/bundle.mjs';
import type { HarnessConfig } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import { progress } from '../../report/progress.ts';
import { referenceCommands, startExternalBackend, startExternalOperator, type ExternalProcess, type StartOptions } from '../external.ts';
import { installReferencePlatform, uninstall } from '../install.ts';
import { loadKubeConfig } from '../kube.ts';
import { buildPlatform, PLATFORM_COMPONENTS, type PlatformComponent } from './build.ts';
import { readPlatformManifests, type PlatformManifests } from './checkout.ts';
import { startEgressGuard, startOtlpSink } from './doubles.ts';
import { egressEnv, materializeMounts, outsideClusterEnv } from './environment.ts';

/** What runs as a component: the project's reference model, a user's command, or a binary built from a checkout. */
export type ProgramKind = 'reference' | 'command' | 'built';

export type LocalPlatformConfig = Pick<HarnessConfig, 'profile' | 'backendCmd' | 'operatorCmd' | 'platformDir' | 'build' | 'overlay' | 'timeouts'>;

export interface LocalPlatformOptions {
  /** Admin kubeconfig file of the API server, and its context (default: current). */
  adminKubeconfig: string;
  context?: string;
  config: LocalPlatformConfig;
  /** Value of the run label on every object installed. */
  runId: string;
  /** Private per-run directory: kubeconfigs (tokens), the programs' state and config files. */
  workDir: string;
  /** Where the programs' logs go (callers copy them, redacted, into the report dir). */
  logDir: string;
  /** Extra env for both programs (tests). */
  env?: Record<string, string>;
  /** When start-up fails, delete what the install had created (an API server that outlives the run). */
  uninstall?: boolean;
}

export interface LocalPlatform {
  /** Backend origin, without /api. */
  backendUrl: string;
  namespace: string;
  backend: ExternalProcess;
  operator: ExternalProcess;
  kinds: Record<PlatformComponent, ProgramKind>;
  /** The checkout's manifests, when --platform-dir was given. */
  manifests?: PlatformManifests;
  testUserToken: string;
  /** Hosts the programs tried to reach and were refused (no live third parties). */
  refusedHosts(): string[];
  /** Stops both process trees and the doubles. */
  stop(): Promise<void>;
  /** Deletes what the install created, newest first; returns the problems (an API server that outlives the run). */
  uninstall(): Promise<string[]>;
}

/** How to start one component, and where. */
interface Program {
  cmd: StartOptions['cmd'];
  cwd: string;
}

/** Which program runs as each component: commands win, then --build, then the reference model. */
export function programKinds(config: LocalPlatformConfig): Record<PlatformComponent, ProgramKind> {
  const kind = (cmd: string | undefined): ProgramKind => (cmd ? 'command' : config.build ? 'built' : 'reference');
  return { backend: kind(config.backendCmd), operator: kind(config.operatorCmd) };
}

/**
 * Compiles (or finds in the cache) the components that run as built binaries. Runs before
 * bring-up under its own timeout (timeouts.buildMs); bring-up then finds the binaries cached.
 */
export function buildRequestedPrograms(config: LocalPlatformConfig, logDir: string): ReturnType<typeof buildPlatform> {
  const kinds = programKinds(config);
  const toBuild = PLATFORM_COMPONENTS.filter((c) => kinds[c] === 'built');
  if (!toBuild.length) return Promise.resolve({});
  return buildPlatform({ platformDir: config.platformDir!, components: toBuild, timeoutMs: config.timeouts.buildMs, logDir });
}

async function resolvePrograms(config: LocalPlatformConfig, logDir: string, workDir: string): Promise<Record<PlatformComponent, Program>> {
  const kinds = programKinds(config);
  const built = await buildRequestedPrograms(config, logDir);
  const reference = PLATFORM_COMPONENTS.some((c) => kinds[c] === 'reference') ? await referenceCommands() : undefined;
  const out = {} as Record<PlatformComponent, Program>;
  for (const c of PLATFORM_COMPONENTS) {
    const given = c === 'backend' ? config.backendCmd : config.operatorCmd;
    if (kinds[c] === 'command') out[c] = { cmd: given!, cwd: process.cwd() };
    // A built program runs in its state dir: it reads .env files from its cwd, and a checkout may have some.
    else if (kinds[c] === 'built') out[c] = { cmd: { file: built[c]!.binary, args: [] }, cwd: path.join(workDir, c) };
    else out[c] = { cmd: reference![c], cwd: PROJECT_ROOT };
  }
  return out;
}

export async function startLocalPlatform(opts: LocalPlatformOptions): Promise<LocalPlatform> {
  const { config } = opts;
  const adminKc = loadKubeConfig({ file: opts.adminKubeconfig });
  if (opts.context) adminKc.setCurrentContext(opts.context);
  const server = adminKc.getCurrentCluster()?.server;
  if (!server) throw new ConfigError(`kubeconfig ${opts.adminKubeconfig} has no cluster for ${opts.context ? `context ${opts.context}` : 'its current context'}`);
  const kinds = programKinds(config);
  const [manifests, programs] = await Promise.all([
    config.platformDir ? readPlatformManifests(config.platformDir, config.overlay) : Promise.resolve(undefined),
    resolvePrograms(config, opts.logDir, opts.workDir),
  ]);
  const created: KubernetesObject[] = [];
  const processes: ExternalProcess[] = [];
  const doubles: Array<{ close(): Promise<void> }> = [];
  const stopAll = async () => {
    await Promise.allSettled(processes.map((p) => p.stop()));
    await Promise.allSettled(doubles.map((d) => d.close()));
  };
  try {
    const installed = await installReferencePlatform({ adminKc, manifests, outDir: path.join(opts.workDir, 'kubeconfigs'), runId: opts.runId, created });
    const [sink, guard] = await Promise.all([startOtlpSink(), startEgressGuard()]);
    doubles.push(sink, guard);
    const host = new URL(server).hostname;
    // What the harness sets wins over the Deployment's values (its OTLP endpoint names a Service).
    const harnessEnv = { AMBIENT_PROFILE: config.profile, BACKEND_NAMESPACE: installed.backendNamespace, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, ...egressEnv(guard.url, host) };
    /** A program's env: the harness's own without in-cluster variables, its Deployment's (with a checkout), the harness's settings. */
    const baseEnv = (c: PlatformComponent): NodeJS.ProcessEnv => {
      const own = manifests && kinds[c] !== 'reference' ? materializeMounts(manifests.programs[c], path.join(opts.workDir, c, 'mounts')) : {};
      return { ...outsideClusterEnv(), ...own, ...harnessEnv };
    };
    const start = (c: PlatformComponent) => {
      const p = programs[c];
      if (p.cwd !== PROJECT_ROOT) mkdirSync(p.cwd, { recursive: true });
      const cmd = typeof p.cmd === 'string' || !manifests ? p.cmd : { file: p.cmd.file, args: manifests.programs[c].args };
      const kubeconfigPath = c === 'backend' ? installed.backendKubeconfigPath : installed.operatorKubeconfigPath;
      return { cmd, cwd: p.cwd, kubeconfigPath, baseEnv: baseEnv(c), namespace: installed.backendNamespace, logDir: opts.logDir, env: opts.env, readyTimeoutMs: config.timeouts.upMs };
    };
    progress(`starting backend (${kinds.backend}) and operator (${kinds.operator}) as local processes`);
    // In parallel: each spends its start-up loading its client libraries.
    const [op, be] = await Promise.allSettled([startExternalOperator(start('operator')), startExternalBackend(start('backend'))]);
    for (const r of [op, be]) if (r.status === 'fulfilled') processes.push(r.value);
    if (op.status === 'rejected') throw op.reason;
    if (be.status === 'rejected') throw be.reason;
    const [operator, backend] = [op.value, be.value];
    return {
      backendUrl: backend.url ?? '',
      namespace: installed.backendNamespace,
      backend,
      operator,
      kinds,
      manifests,
      testUserToken: installed.testUserToken,
      refusedHosts: () => guard.refused(),
      stop: stopAll,
      uninstall: () => uninstall(adminKc, created),
    };
  } catch (err) {
    await stopAll();
    if (opts.uninstall) for (const problem of await uninstall(adminKc, created)) progress(`cleanup: ${problem}`);
    throw err;
  }
}
