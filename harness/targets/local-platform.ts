// What every target with an API server reachable from this machine shares when the platform runs
// as local processes (embedded, existing with local processes, envtest): start the programs
// (harness/platform/local), declare capabilities, build the Cluster handle. A target supplies its
// admin kubeconfig and its own teardown; this file does the rest.
//
//   connectLocalPlatform({ target, config, runId, workDir, logDir, adminKubeconfig, teardown, ... })
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { HarnessConfig, TargetName } from '../config.ts';
import { ConfigError, InfraError } from '../errors.ts';
import { startLocalPlatform, type LocalPlatform } from '../platform/local/index.ts';
import { parseMemoryQuantity } from '../probes/quantity.ts';
import { progress } from '../report/progress.ts';
import { redact, registerSecret } from '../report/redact.ts';
import { capability, type Capability, type Cluster } from './types.ts';

const MiB = 1024 * 1024;

export interface LocalPlatformTargetOptions {
  target: TargetName;
  config: HarnessConfig;
  runId: string;
  workDir: string;
  /** The report dir: program logs are copied there, redacted, at teardown. */
  logDir: string;
  /** Admin kubeconfig file of the target's API server, and its context. */
  adminKubeconfig: string;
  context?: string;
  /** What the target's API server offers beyond the programs (default: no pods run, no scheduler). */
  podMemory?: Capability;
  realScheduling?: Capability;
  /** Delete what the platform install created at teardown (an API server that outlives the run). */
  uninstall: boolean;
  /** The target's own teardown, after the programs stopped (stop a control plane, delete run objects). */
  teardown: () => Promise<void>;
}

/** Every bearer token in the kubeconfigs under `dir` is registered for redaction. */
function registerKubeconfigTokens(dir: string): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    try {
      const kc = parseYaml(readFileSync(path.join(dir, f), 'utf8')) as { users?: Array<{ user?: { token?: string } }> };
      for (const u of kc.users ?? []) registerSecret(u.user?.token);
    } catch {
      /* not a kubeconfig */
    }
  }
}

/** Process logs live in the private work dir; the report dir gets redacted copies. */
function copyLogsRedacted(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) {
    const src = path.join(from, f);
    try {
      writeFileSync(path.join(to, f), redact(readFileSync(src, 'utf8')));
    } catch {
      copyFileSync(src, path.join(to, f));
    }
  }
}

/** The operator's memory limit: its Deployment's in the checkout, else what the profile's commit declares (contract §5.4). */
function operatorMemoryLimit(config: HarnessConfig, p: LocalPlatform): number {
  const declared = p.manifests?.programs.operator.memoryLimit;
  if (declared) {
    try {
      return parseMemoryQuantity(declared);
    } catch {
      /* not a plain quantity: fall back */
    }
  }
  return config.profile === 'h-0b59fe7' ? 4096 * MiB : 512 * MiB;
}

function describePrograms(config: HarnessConfig, p: LocalPlatform): { real: boolean; text: string } {
  const real = p.kinds.backend !== 'reference' && p.kinds.operator !== 'reference';
  const from = (k: string) => (k === 'built' ? `built from ${config.platformDir}` : k === 'command' ? 'given command' : `reference, profile ${config.profile}`);
  return { real, text: `backend: ${from(p.kinds.backend)}; operator: ${from(p.kinds.operator)}` };
}

export async function connectLocalPlatform(o: LocalPlatformTargetOptions): Promise<Cluster> {
  const { config } = o;
  const programLogs = path.join(o.workDir, 'logs');
  let platform: LocalPlatform | undefined;
  let downed = false;
  const down = async () => {
    if (downed) return;
    downed = true;
    progress(`stopping the local platform processes (${o.target})`);
    await platform?.stop().catch(() => {});
    const refused = platform?.refusedHosts() ?? [];
    if (refused.length) progress(`outbound calls the programs made were refused (no live third parties): ${refused.join(', ')}`);
    copyLogsRedacted(programLogs, o.logDir);
    try {
      await o.teardown();
    } finally {
      // After the target's own cleanup: the run's sessions go before the CRD that defines them.
      if (o.uninstall && platform) for (const problem of await platform.uninstall()) progress(`cleanup: ${problem}`);
    }
  };
  try {
    platform = await startLocalPlatform({ adminKubeconfig: o.adminKubeconfig, context: o.context, config, runId: o.runId, workDir: o.workDir, logDir: programLogs, uninstall: o.uninstall });
    registerSecret(platform.testUserToken);
    registerKubeconfigTokens(path.join(o.workDir, 'kubeconfigs'));
    const programs = describePrograms(config, platform);
    const reference = platform.kinds.backend === 'reference' && platform.kinds.operator === 'reference';
    return {
      target: o.target,
      runId: o.runId,
      kubeconfig: { path: o.adminKubeconfig, yaml: readFileSync(o.adminKubeconfig, 'utf8'), context: o.context },
      backendUrl: `${platform.backendUrl}/api`,
      testUserToken: platform.testUserToken,
      namespaces: { platform: platform.namespace, projects: [] },
      credentialSeeding: platform.kinds.backend === 'reference' ? 'endpoints' : 'secrets',
      capabilities: {
        podMemory: o.podMemory ?? capability(false, `no pod runs the operator on ${o.target}: it is a local process (processMemory)`),
        processMemory: capability(!platform.operator.exited(), 'operator runs as a local process (RSS from /proc)'),
        realImages: capability(programs.real, programs.real ? `real programs (${programs.text})` : `${programs.text}; pass --platform-dir DIR --build, or --backend-cmd and --operator-cmd, for the real ones`),
        realScheduling: o.realScheduling ?? capability(false, `the ${o.target} API server has no scheduler or kubelet`),
        profiles: capability(reference, reference ? `reference platform, profile ${config.profile}` : `real programs ignore --profile (${programs.text})`),
      },
      probes: {
        operatorPid: platform.operator.pid,
        backendPid: platform.backend.pid,
        operatorMemoryLimitBytes: operatorMemoryLimit(config, platform),
      },
      down,
    };
  } catch (err) {
    await down().catch(() => {});
    throw err instanceof InfraError || err instanceof ConfigError ? err : new InfraError(`${o.target} target (local platform processes) failed: ${(err as Error).message}`, { cause: err });
  }
}
