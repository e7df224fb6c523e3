// embedded target (default): the in-process Kubernetes API server plus the platform brought up on
// it by harness/platform/up.ts (CRDs, RBAC, ServiceAccounts with their own tokens, then the
// reference backend and operator — or --backend-cmd / --operator-cmd — as child processes that
// reach the API server only through their kubeconfigs, over HTTPS).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { HarnessConfig } from '../config.ts';
import { ConfigError, InfraError } from '../errors.ts';
import { BACKEND_NAMESPACE } from '../platform/contract.ts';
import { progress } from '../report/progress.ts';
import { redact, registerSecret } from '../report/redact.ts';
import { onPath, type Prerequisite } from './prerequisites.ts';
import { capability, type Cluster, type Target, type TargetUpOptions } from './types.ts';

const MiB = 1024 * 1024;

/** CRDs: the platform's own (--platform-dir) or, when undefined, the ones this project authored. */
export function crdDirOf(config: Pick<HarnessConfig, 'platformDir'>): string | undefined {
  if (!config.platformDir) return undefined;
  const dir = path.join(config.platformDir, 'components', 'manifests', 'base', 'crds');
  if (!existsSync(dir)) throw new ConfigError(`--platform-dir ${config.platformDir} has no components/manifests/base/crds`);
  return dir;
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

export function embeddedPrerequisites(_config: HarnessConfig): Promise<Prerequisite> {
  // kubectl is what users (and scenarios that shell out) drive the embedded API server with.
  return Promise.resolve(onPath('kubectl', 'install kubectl (1.27–1.33)'));
}

export const embeddedTarget: Target = {
  name: 'embedded',
  prerequisites: embeddedPrerequisites,
  async up({ config, runId, workDir, logDir }: TargetUpOptions): Promise<Cluster> {
    const crdDir = crdDirOf(config);
    const { startControlPlane } = await import('../controlplane/index.ts');
    const { platformUp } = await import('../platform/up.ts');
    progress('starting embedded control plane');
    const cp = await startControlPlane({ kubernetesVersion: '1.33', serviceAccountSigningAlg: config.saSigningAlg });
    registerSecret(cp.adminToken);
    let platform: Awaited<ReturnType<typeof platformUp>> | undefined;
    let downed = false;
    const down = async () => {
      if (downed) return;
      downed = true;
      progress('stopping embedded platform and control plane');
      await platform?.stop().catch(() => {});
      copyLogsRedacted(path.join(workDir, 'logs'), logDir);
      await cp.stop();
    };
    try {
      const adminKubeconfig = path.join(workDir, 'kubeconfig-admin.yaml');
      await cp.writeKubeconfig(adminKubeconfig);
      progress(`installing and starting the platform (${config.backendCmd || config.operatorCmd ? 'given commands' : `reference, profile ${config.profile}`})`);
      platform = await platformUp({
        adminKubeconfig: cp.kubeconfig(),
        runDir: workDir,
        profile: config.profile,
        backendCmd: config.backendCmd,
        operatorCmd: config.operatorCmd,
        crdDir,
      });
      registerSecret(platform.testUserToken);
      registerKubeconfigTokens(path.join(workDir, 'kubeconfigs'));
      const realBinaries = !!(config.backendCmd && config.operatorCmd);
      const anyCmd = !!(config.backendCmd || config.operatorCmd);
      return {
        target: 'embedded',
        runId,
        kubeconfig: { path: adminKubeconfig, yaml: readFileSync(adminKubeconfig, 'utf8') },
        backendUrl: `${platform.backendUrl}/api`,
        testUserToken: platform.testUserToken,
        namespaces: { platform: platform.backendNamespace ?? BACKEND_NAMESPACE, projects: [] },
        capabilities: {
          podMemory: capability(false, 'the embedded control plane runs no pods (status is simulated); use --target kind for pod memory'),
          processMemory: capability(!platform.operator.exited(), 'operator runs as a local process (RSS from /proc)'),
          realImages: capability(realBinaries, realBinaries ? 'real backend and operator binaries (--backend-cmd, --operator-cmd)' : 'reference platform model; pass --backend-cmd and --operator-cmd for the real binaries'),
          realScheduling: capability(false, 'the embedded control plane has no scheduler or kubelet'),
          profiles: capability(!anyCmd, anyCmd ? 'real binaries ignore --profile' : `reference platform, profile ${config.profile}`),
        },
        probes: {
          operatorPid: platform.operator.pid,
          backendPid: platform.backend.pid,
          // What the operator's Deployment declares at each commit (contract §5.4).
          operatorMemoryLimitBytes: config.profile === 'h-0b59fe7' ? 4096 * MiB : 512 * MiB,
        },
        down,
      };
    } catch (err) {
      await down();
      throw err instanceof InfraError || err instanceof ConfigError ? err : new InfraError(`embedded target failed: ${(err as Error).message}`, { cause: err });
    }
  },
};
