// `ambient-harness up --target T` brings a target and the platform up and leaves them running;
// `down --target T` removes what `up` (or a run with --keep) left. kind, k3s and existing return
// once up, recording what they created in the state dir (a kubeconfig copy for the next commands
// and, on existing, the objects to delete); embedded lives in this process, so `up` stays in the
// foreground until Ctrl-C.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeRunId, reportDirOf, type HarnessConfig, type TargetName } from '../config.ts';
import { InfraError, oneLine } from '../errors.ts';
import { kubeconfigPathOf } from '../targets/existing.ts';
import { deleteObjects, type ObjectRef } from '../targets/cleanup.ts';
import { processRunner, type ProcessRunner } from '../targets/exec.ts';
import { targetFor } from '../targets/index.ts';
import type { Cluster, KeptResources, Target } from '../targets/types.ts';

export interface UpState {
  target: TargetName;
  runId: string;
  createdAt: string;
  /** The cluster's kubeconfig (kind/k3s: a copy in the state dir, mode 0600), for `run --target existing` and `down`. */
  kubeconfig: string;
  context?: string;
  kept: KeptResources;
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'ambient-harness');
}

const stateDirOf = (config: HarnessConfig, env?: NodeJS.ProcessEnv) => path.resolve(config.stateDir ?? defaultStateDir(env));
const stateFile = (dir: string, target: TargetName) => path.join(dir, `${target}.json`);

export function readUpState(config: HarnessConfig, target: TargetName, env?: NodeJS.ProcessEnv): UpState | undefined {
  const file = stateFile(stateDirOf(config, env), target);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as UpState;
  } catch (err) {
    throw new InfraError(`state file ${file} is unreadable: ${oneLine(err)}`);
  }
}

export interface UpDownIo {
  out(line: string): void;
  env?: NodeJS.ProcessEnv;
  /** Resolves when an embedded `up` should stop; default: the first SIGINT or SIGTERM. */
  until?: Promise<unknown>;
  target?: Target;
}

function nextSignal(): { promise: Promise<void>; abort: AbortController; dispose(): void } {
  const abort = new AbortController();
  const on = () => abort.abort();
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  const promise = new Promise<void>((r) => abort.signal.addEventListener('abort', () => r(), { once: true }));
  return { promise, abort, dispose: () => (process.off('SIGINT', on), process.off('SIGTERM', on)) };
}

/** Brings `config.target` up and keeps it; returns the exit code. */
export async function upCommand(config: HarnessConfig, io: UpDownIo): Promise<number> {
  const target = io.target ?? targetFor(config.target);
  const pre = await target.prerequisites(config);
  if (!pre.ok) throw new InfraError(`target ${config.target}: ${pre.reason}`, { code: 'PREREQUISITE_MISSING' });
  const runId = makeRunId(config.seed, new Date());
  const workDir = mkdtempSync(path.join(os.tmpdir(), `ambient-harness-up-${runId}-`));
  const signals = nextSignal();
  let cluster: Cluster | undefined;
  try {
    const logDir = reportDirOf(config, runId);
    mkdirSync(logDir, { recursive: true });
    cluster = await target.up({ config: { ...config, keep: true }, runId, workDir, logDir, signal: signals.abort.signal });
    if (config.target === 'embedded') {
      io.out(`embedded control plane and platform up: backend ${cluster.backendUrl}, kubeconfig ${cluster.kubeconfig.path}`);
      io.out('running until Ctrl-C (the embedded target lives in this process)');
      await (io.until ?? signals.promise);
      return 0;
    }
    const dir = stateDirOf(config, io.env);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // existing: the user's own kubeconfig stays where it is; kind/k3s: theirs lived in the work dir.
    let kubeconfig = cluster.kubeconfig.path;
    if (config.target !== 'existing') {
      kubeconfig = path.join(dir, `${config.target}-kubeconfig.yaml`);
      writeFileSync(kubeconfig, cluster.kubeconfig.yaml, { mode: 0o600 });
    }
    const state: UpState = { target: config.target, runId, createdAt: new Date().toISOString(), kubeconfig, context: cluster.kubeconfig.context, kept: cluster.kept ?? {} };
    writeFileSync(stateFile(dir, config.target), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    io.out(`${config.target} up (run ${runId}); kubeconfig: ${kubeconfig}`);
    io.out(`run scenarios on it: ambient-harness run --target existing --kubeconfig ${kubeconfig}${cluster.kubeconfig.context ? ` --context ${cluster.kubeconfig.context}` : ''} --no-deploy`);
    io.out(`remove it: ambient-harness down --target ${config.target}`);
    return 0;
  } finally {
    signals.dispose();
    // Stops what lives in this process (port-forward, embedded server); what `up` kept stays.
    await cluster?.down();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Removes what `up` (or --keep) left for `config.target`; returns the exit code. */
export async function downCommand(config: HarnessConfig, io: UpDownIo, runner: ProcessRunner = processRunner): Promise<number> {
  const dir = stateDirOf(config, io.env);
  const state = readUpState(config, config.target, io.env);
  const forget = () => {
    rmSync(stateFile(dir, config.target), { force: true });
    if (state?.kubeconfig.startsWith(dir + path.sep)) rmSync(state.kubeconfig, { force: true });
  };
  switch (config.target) {
    case 'embedded':
      io.out('nothing to remove: the embedded target lives in the process that runs `up` (stop it with Ctrl-C)');
      return 0;
    case 'kind': {
      const { deleteKindCluster } = await import('../targets/kind.ts');
      const name = state?.kept.kindCluster ?? config.kindClusterName;
      await deleteKindCluster(runner, name, config.timeouts.downMs);
      forget();
      io.out(`kind cluster ${name} deleted`);
      return 0;
    }
    case 'k3s': {
      // Containers a kept run left carry the kept label (a running run's own container does not).
      const [{ getContainerRuntimeClient }, { KEPT_LABEL }] = await Promise.all([import('testcontainers'), import('../targets/k3s.ts')]);
      const client = await getContainerRuntimeClient().catch((err: unknown) => {
        throw new InfraError(`down --target k3s needs a Docker engine: ${oneLine(err)}`);
      });
      const kept = (await client.container.list()).filter((c) => c.Labels?.[KEPT_LABEL] === 'true');
      for (const c of kept) {
        const container = client.container.getById(c.Id);
        await client.container.stop(container, { timeout: 10_000 });
        await client.container.remove(container, { removeVolumes: true });
      }
      forget();
      io.out(kept.length ? `removed ${kept.length} k3s container(s)` : 'no k3s container of the harness was running');
      return 0;
    }
    case 'existing': {
      const created: ObjectRef[] = state?.kept.createdObjects ?? [];
      if (!state) {
        io.out('nothing recorded: `up --target existing` writes what it created to the state dir; nothing was deleted');
        return 0;
      }
      const k = { kubeconfig: state.kubeconfig ?? kubeconfigPathOf(config), context: state.context };
      await deleteObjects(k, created, config.timeouts.downMs);
      forget();
      io.out(`deleted ${created.length} object(s) that up created (run ${state.runId}); what was there before stays`);
      return 0;
    }
    default:
      throw new InfraError(`down: target ${config.target} keeps nothing`);
  }
}
