// Brings the platform up on a cluster reachable with an admin kubeconfig: install prerequisites
// (install.ts), then start the backend and operator as processes (external.ts) — the reference
// ones by default, or the commands given by `--backend-cmd` / `--operator-cmd`.
import path from 'node:path';
import { installReferencePlatform } from './install.ts';
import { referenceCommands, startExternalBackend, startExternalOperator, type ExternalProcess } from './external.ts';
import { loadKubeConfig } from './kube.ts';
import type { ProfileName } from './reference/profiles.ts';

export interface PlatformUpOptions {
  adminKubeconfig: string;
  /** Report/run directory: kubeconfigs and process logs go here. */
  runDir: string;
  profile?: ProfileName;
  backendCmd?: string;
  operatorCmd?: string;
  crdDir?: string;
  /** Extra env for both processes (e.g. GITHUB_API_URL of a loopback stub). */
  env?: Record<string, string>;
}

export interface RunningPlatform {
  backendUrl: string;
  backendNamespace: string;
  backend: ExternalProcess;
  operator: ExternalProcess;
  testUserToken: string;
  stop(): Promise<void>;
}

/** The given commands, the reference platform's for any not given. */
async function commandsFor(opts: PlatformUpOptions): Promise<{ backend: string; operator: string }> {
  if (opts.backendCmd && opts.operatorCmd) return { backend: opts.backendCmd, operator: opts.operatorCmd };
  const reference = await referenceCommands();
  return { backend: opts.backendCmd ?? reference.backend, operator: opts.operatorCmd ?? reference.operator };
}

export async function platformUp(opts: PlatformUpOptions): Promise<RunningPlatform> {
  const adminKc = loadKubeConfig({ yaml: opts.adminKubeconfig });
  const [installed, cmds] = await Promise.all([
    installReferencePlatform({ adminKc, outDir: path.join(opts.runDir, 'kubeconfigs'), crdDir: opts.crdDir }),
    commandsFor(opts),
  ]);
  const env = { AMBIENT_PROFILE: opts.profile ?? 'reference', ...(opts.env ?? {}) };
  const logDir = path.join(opts.runDir, 'logs');
  // Both processes start in parallel: each spends time loading client-node.
  const [op, be] = await Promise.allSettled([
    startExternalOperator({ cmd: cmds.operator, kubeconfigPath: installed.operatorKubeconfigPath, namespace: installed.backendNamespace, logDir, env }),
    startExternalBackend({ cmd: cmds.backend, kubeconfigPath: installed.backendKubeconfigPath, namespace: installed.backendNamespace, logDir, env }),
  ]);
  if (op.status === 'rejected' || be.status === 'rejected') {
    if (op.status === 'fulfilled') await op.value.stop();
    if (be.status === 'fulfilled') await be.value.stop();
    throw op.status === 'rejected' ? op.reason : (be as PromiseRejectedResult).reason;
  }
  const operator: ExternalProcess = op.value;
  const backend: ExternalProcess = be.value;
  return {
    backendUrl: backend.url ?? '',
    backendNamespace: installed.backendNamespace,
    backend,
    operator,
    testUserToken: installed.testUserToken,
    stop: async () => {
      await Promise.allSettled([backend.stop(), operator.stop()]);
    },
  };
}
