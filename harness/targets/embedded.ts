// embedded target (default): the in-process Kubernetes API server, with the platform's programs
// as local processes against it (targets/local-platform.ts): the reference backend and operator,
// --backend-cmd / --operator-cmd, or the binaries --platform-dir DIR --build compiled. They reach
// the API server only through their kubeconfigs, over HTTPS.
import path from 'node:path';
import type { HarnessConfig } from '../config.ts';
import { progress } from '../report/progress.ts';
import { registerSecret } from '../report/redact.ts';
import { connectLocalPlatform } from './local-platform.ts';
import { firstMissing, onPath, type Prerequisite } from './prerequisites.ts';
import type { Cluster, Target, TargetUpOptions } from './types.ts';

export function embeddedPrerequisites(config: HarnessConfig): Promise<Prerequisite> {
  // kubectl is what users (and scenarios that shell out) drive the embedded API server with, and
  // what renders a checkout's overlay; --build needs Go.
  return firstMissing([
    onPath('kubectl', 'install kubectl (1.27–1.33)'),
    config.build ? onPath('go', '--build compiles the platform with the local Go toolchain: install Go 1.24 or newer') : { ok: true },
  ]);
}

export const embeddedTarget: Target = {
  name: 'embedded',
  prerequisites: embeddedPrerequisites,
  async up({ config, runId, workDir, logDir }: TargetUpOptions): Promise<Cluster> {
    const { startControlPlane } = await import('../controlplane/index.ts');
    progress('starting embedded control plane');
    const cp = await startControlPlane({ kubernetesVersion: '1.33', serviceAccountSigningAlg: config.saSigningAlg });
    registerSecret(cp.adminToken);
    const adminKubeconfig = path.join(workDir, 'kubeconfig-admin.yaml');
    try {
      await cp.writeKubeconfig(adminKubeconfig);
    } catch (err) {
      await cp.stop();
      throw err;
    }
    return connectLocalPlatform({
      target: 'embedded',
      config,
      runId,
      workDir,
      logDir,
      adminKubeconfig,
      podMemory: { available: false, reason: 'the embedded control plane runs no pods (status is simulated); use --target kind for pod memory' },
      realScheduling: { available: false, reason: 'the embedded control plane has no scheduler or kubelet' },
      uninstall: false, // the control plane goes with the run
      teardown: () => cp.stop(),
    });
  },
};
