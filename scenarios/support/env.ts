// What every scenario needs from a Cluster, built only from its kubeconfig and backend URL (so it
// runs unchanged on every target): admin clients, seed-stable project namespaces, a "proxy"
// principal that speaks for human users with X-Forwarded-* headers (as oauth-proxy / the kind
// overlay's test-user do), seeded users with fake credentials, and one HTTP helper.
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ScenarioContext } from '../../harness/index.ts';
import {
  CRD_GROUP,
  CRD_VERSION,
  LABEL_HARNESS_RUN,
  LABEL_MANAGED,
  PROJECT_ROLES,
  RUNNER_SECRETS,
  SESSION_PLURAL,
} from '../../harness/platform/contract.ts';
import { MOCK_API_KEY } from '../../harness/platform/deploy.ts';
import { apiCode, describeError, loadKubeConfig } from '../../harness/platform/kube.ts';
import { makeUsers, seedViaEndpoints, seedViaSecrets, type SimUser } from '../../harness/sim/users.ts';
import type { RunnerOptions } from '../../harness/sim/runner.ts';
import { runnerCommitOf } from '../../harness/config.ts';
import { callBackend } from '../../harness/sim/backend-http.ts';

export const PROXY_SA = 'harness-proxy';

/** Users of a scenario run, from the seed; display names made header-safe (see toHeaderSafe). */
export function scenarioUsers(seed: number, count = 3): SimUser[] {
  return makeUsers(seed, count).map((u, i) => ({ ...u, displayName: toHeaderSafe(u.displayName, i) }));
}

/**
 * HTTP header values are bytes; fetch only sends Latin-1 strings. A proxy forwards UTF-8 bytes,
 * which a Go backend reads back as UTF-8 but Node's http server reads as Latin-1; to keep
 * expected and stored values equal on every backend, non-Latin-1 names are replaced.
 */
export function toHeaderSafe(name: string, index: number): string {
  return /^[\x20-\x7e\xa0-\xff]+$/.test(name) ? name : `Sim User ${index}`;
}

/** The proxy headers a human user's request carries. */
export function userHeaders(u: SimUser): Record<string, string> {
  return { 'X-Forwarded-User': u.rawId, 'X-Forwarded-Preferred-Username': u.displayName, 'X-Forwarded-Groups': u.groups.join(',') };
}

export interface HttpResult {
  status: number;
  body: any;
}

export interface ScenarioEnv {
  adminKc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** Backend origin without `/api` (ROUTES paths start with `/api`). */
  origin: string;
  platformNamespace: string;
  /** Token of the proxy ServiceAccount (never logged; registered for redaction). */
  proxyToken: string;
  users: SimUser[];
  /** How simulated runners are built: the platform commit whose requests they send. */
  runnerOptions: RunnerOptions;
  http(method: string, route: string, opts?: { token?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number }): Promise<HttpResult>;
  /** Creates (or recreates) a managed project namespace with ambient-runner-secrets; the proxy gets admin in it. */
  project(suffix: string): Promise<string>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seed-stable project name: reports of the same seed name the same namespaces. */
export function projectName(seed: number, suffix: string): string {
  return `ah-s${seed}-${suffix}`.slice(0, 63).replace(/-+$/, '');
}

export async function setupEnv(ctx: ScenarioContext, opts: { users?: number; seedCredentials?: boolean } = {}): Promise<ScenarioEnv> {
  const { cluster, config } = ctx;
  const adminKc = loadKubeConfig({ yaml: cluster.kubeconfig.yaml });
  const core = adminKc.makeApiClient(CoreV1Api);
  const custom = adminKc.makeApiClient(CustomObjectsApi);
  const rbac = adminKc.makeApiClient(RbacAuthorizationV1Api);
  const origin = cluster.backendUrl.replace(/\/+$/, '').replace(/\/api$/, '');
  const platformNamespace = cluster.namespaces.platform;
  const runLabel = { [LABEL_HARNESS_RUN]: cluster.runId };
  const created: string[] = [];

  const http: ScenarioEnv['http'] = (method, route, o = {}) => callBackend(`${origin}${route}`, { method, ...o });

  // The proxy principal: a ServiceAccount in the platform namespace, bound per project.
  try {
    await core.createNamespacedServiceAccount({ namespace: platformNamespace, body: { metadata: { name: PROXY_SA, labels: runLabel } } });
  } catch (err) {
    if (apiCode(err) !== 409) throw new Error(`creating ServiceAccount ${PROXY_SA}: ${describeError(err)}`);
  }
  const tr = await core.createNamespacedServiceAccountToken({
    namespace: platformNamespace,
    name: PROXY_SA,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const proxyToken = tr.status?.token ?? '';
  if (!proxyToken) throw new Error(`TokenRequest for ${PROXY_SA} returned no token`);
  ctx.secret(proxyToken);

  const users = scenarioUsers(config.seed, opts.users ?? 3);
  for (const u of users) {
    ctx.secret(u.credentials.github.token);
    ctx.secret(u.credentials.jira.apiToken);
    ctx.secret(u.credentials.gitlab.token);
  }
  if (opts.seedCredentials && cluster.credentialSeeding === 'secrets') await seedViaSecrets(adminKc, users, undefined, platformNamespace);
  else if (opts.seedCredentials) await seedViaEndpoints(origin, proxyToken, users);

  const project = async (suffix: string): Promise<string> => {
    const ns = projectName(config.seed, suffix);
    // A namespace left by an earlier run of the same seed (real clusters) is removed first.
    try {
      await core.deleteNamespace({ name: ns });
      for (let i = 0; i < 120; i++) {
        await sleep(500);
        try {
          await core.readNamespace({ name: ns });
        } catch (err) {
          if (apiCode(err) === 404) break;
        }
        if (i === 119) throw new Error(`namespace ${ns} from an earlier run is still terminating after 60 s`);
      }
    } catch (err) {
      if (apiCode(err) !== 404) throw err;
    }
    await core.createNamespace({ body: { metadata: { name: ns, labels: { ...runLabel, [LABEL_MANAGED]: 'true' } } } });
    created.push(ns);
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: RUNNER_SECRETS, labels: runLabel }, type: 'Opaque', data: { ANTHROPIC_API_KEY: Buffer.from(MOCK_API_KEY).toString('base64') } },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: `${PROXY_SA}-admin`, labels: runLabel },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: PROJECT_ROLES.admin },
        subjects: [{ kind: 'ServiceAccount', name: PROXY_SA, namespace: platformNamespace }],
      },
    });
    return ns;
  };

  const cleanup = async () => {
    for (const ns of created) await core.deleteNamespace({ name: ns }).catch(() => undefined);
    await core.deleteNamespacedServiceAccount({ namespace: platformNamespace, name: PROXY_SA }).catch(() => undefined);
  };
  const runnerOptions: RunnerOptions = { commit: runnerCommitOf(config) };
  return { adminKc, core, custom, origin, platformNamespace, proxyToken, users, runnerOptions, http, project, cleanup };
}

export interface SessionView {
  userContext?: { userId?: string; displayName?: string; groups?: string[] };
  annotations?: Record<string, string>;
}

/**
 * Idempotent reads only: retried (3 attempts) when a pooled keep-alive connection was closed by the
 * server just as it was reused (ECONNRESET / socket hang up), which a loaded machine makes likely.
 */
export async function retryTransient<T>(read: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (err) {
      const text = `${(err as { code?: string }).code ?? ''} ${(err as Error).message ?? ''}`;
      if (i >= 3 || !/ECONNRESET|EPIPE|socket hang up/i.test(text)) throw err;
      await sleep(200 * i);
    }
  }
}

/** Reads one session CR with the admin kubeconfig; undefined when it does not exist. */
export async function readSession(env: ScenarioEnv, namespace: string, name: string): Promise<SessionView | undefined> {
  try {
    const o = (await retryTransient(() => env.custom.getNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace, plural: SESSION_PLURAL, name }))) as {
      spec?: { userContext?: SessionView['userContext'] };
      metadata?: { annotations?: Record<string, string> };
    };
    return { userContext: o.spec?.userContext, annotations: o.metadata?.annotations };
  } catch (err) {
    if (apiCode(err) === 404) return undefined;
    throw err;
  }
}
