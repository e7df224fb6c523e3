// Test support: an embedded control plane plus the platform (reference profile of choice) started
// through the same path as real binaries, and helpers that act as a cluster admin via kubectl's
// client library. Used by test/platform and test/sim.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { startControlPlane } from '../../harness/controlplane/index.ts';
import { CRD_GROUP, CRD_VERSION, LABEL_MANAGED, RUNNER_SECRETS, SESSION_PLURAL, sessionObjectNames, TOKEN_SECRET_KEY } from '../../harness/platform/contract.ts';
import { apiCode, loadKubeConfig } from '../../harness/platform/kube.ts';
import type { ProfileName } from '../../harness/platform/reference/profiles.ts';
import { platformUp, type RunningPlatform } from '../../harness/platform/up.ts';
import { callBackend } from '../../harness/sim/backend-http.ts';

export interface Stack {
  adminKc: KubeConfig;
  platform: RunningPlatform;
  backendUrl: string;
  runDir: string;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  stop(): Promise<void>;
}

export async function startStack(profile: ProfileName, env: Record<string, string> = {}): Promise<Stack> {
  const cp = await startControlPlane();
  const runDir = await mkdtemp(path.join(os.tmpdir(), `h7-${profile}-`));
  let platform: RunningPlatform;
  try {
    platform = await platformUp({ adminKubeconfig: cp.kubeconfig(), runDir, profile, env });
  } catch (err) {
    await cp.stop();
    throw err;
  }
  const adminKc = loadKubeConfig({ yaml: cp.kubeconfig() });
  return {
    adminKc,
    platform,
    backendUrl: platform.backendUrl,
    runDir,
    core: adminKc.makeApiClient(CoreV1Api),
    custom: adminKc.makeApiClient(CustomObjectsApi),
    stop: async () => {
      await platform.stop();
      await cp.stop();
      if (!process.env.H7_KEEP_RUNDIR) await rm(runDir, { recursive: true, force: true });
    },
  };
}

/** A managed project namespace, optionally with ambient-runner-secrets (fake key). */
export async function makeProject(core: CoreV1Api, name: string, opts: { runnerSecrets?: boolean; managed?: boolean } = {}): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels: opts.managed === false ? {} : { [LABEL_MANAGED]: 'true' } } } });
  if (opts.runnerSecrets !== false) {
    await core.createNamespacedSecret({ namespace: name, body: { metadata: { name: RUNNER_SECRETS }, data: { ANTHROPIC_API_KEY: Buffer.from('mock-replay-key').toString('base64') } } });
  }
}

export type SessionCR = { metadata: { name: string; annotations?: Record<string, string>; uid: string }; spec: Record<string, any>; status?: Record<string, any> };

export async function getSessionCR(custom: CustomObjectsApi, ns: string, name: string): Promise<SessionCR> {
  return (await custom.getNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: ns, plural: SESSION_PLURAL, name })) as SessionCR;
}

/** Bounded wait (test-only) until `pred` holds for the session; returns the last seen object. */
export async function waitSession(custom: CustomObjectsApi, ns: string, name: string, pred: (s: SessionCR) => boolean, timeoutMs = 15_000): Promise<SessionCR> {
  const deadline = Date.now() + timeoutMs;
  let last: SessionCR | undefined;
  while (Date.now() < deadline) {
    try {
      last = await getSessionCR(custom, ns, name);
      if (pred(last)) return last;
    } catch (err) {
      if (apiCode(err) !== 404) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`session ${ns}/${name} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last?.status ?? null)}`);
}

/** The runner token of a provisioned session (what its pod gets as BOT_TOKEN). */
export async function runnerToken(core: CoreV1Api, ns: string, session: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const s = await core.readNamespacedSecret({ namespace: ns, name: sessionObjectNames(session).tokenSecret });
      const v = s.data?.[TOKEN_SECRET_KEY];
      if (v) return Buffer.from(v, 'base64').toString('utf8');
    } catch (err) {
      if (apiCode(err) !== 404) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`runner token for ${ns}/${session} not provisioned in ${timeoutMs} ms`);
}

export interface CallOpts {
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One HTTP call to the backend; returns status and parsed JSON (or text). */
export function call(baseUrl: string, method: string, route: string, opts: CallOpts = {}): Promise<{ status: number; body: any }> {
  return callBackend(`${baseUrl}${route}`, { method, ...opts, timeoutMs: 20_000 });
}
