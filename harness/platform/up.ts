// The reference platform (or given commands) on an API server from its admin kubeconfig YAML, for
// tests and benchmarks that hold a control plane of their own. A thin door into local/ (the
// platform's programs as local processes), which the targets use directly.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../config.ts';
import type { ExternalProcess } from './external.ts';
import { startLocalPlatform } from './local/index.ts';
import type { ProfileName } from './reference/profiles.ts';

export interface PlatformUpOptions {
  /** Admin kubeconfig as YAML. */
  adminKubeconfig: string;
  /** Run directory: kubeconfigs, state and process logs go here. */
  runDir: string;
  profile?: ProfileName;
  backendCmd?: string;
  operatorCmd?: string;
  /** A platform checkout whose CRDs and RBAC are installed. */
  platformDir?: string;
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

export async function platformUp(opts: PlatformUpOptions): Promise<RunningPlatform> {
  const adminKubeconfig = path.join(opts.runDir, 'kubeconfig-admin.yaml');
  writeFileSync(adminKubeconfig, opts.adminKubeconfig, { mode: 0o600 });
  const config = parseConfig({ profile: opts.profile, backendCmd: opts.backendCmd, operatorCmd: opts.operatorCmd, platformDir: opts.platformDir });
  const p = await startLocalPlatform({ adminKubeconfig, config, runId: 'platform-up', workDir: opts.runDir, logDir: path.join(opts.runDir, 'logs'), env: opts.env });
  return { backendUrl: p.backendUrl, backendNamespace: p.namespace, backend: p.backend, operator: p.operator, testUserToken: p.testUserToken, stop: p.stop };
}
