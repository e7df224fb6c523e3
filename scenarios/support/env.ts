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
import type { RunnerOptions, SimRunner } from '../../harness/sim/runner.ts';
import { runnerCommitOf } from '../../harness/config.ts';
import { Faults, type HttpOptions, type HttpResult } from './faults.ts';

export type { HttpResult };

export const PROXY_SA = 'harness-proxy';
/** A user with a valid token and no rights in any project: what the backend must refuse. */
export const OUTSIDER_SA = 'harness-outsider';

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

export interface TrackOptions {
  /** Seed-stable path of the session in reports (its last element names it). */
  path: string[];
  /** The human it belongs to. */
  owner?: SimUser;
  /** The simulated runner that created it. */
  creator?: SimRunner;
  /** Date.now() when its create was sent. */
  sentAt?: number;
}

/** Follows the sessions a scenario creates until its end (the Ledger; a no-op when none is given). */
export interface Tracker {
  watchNamespace(namespace: string): Promise<void>;
  track(namespace: string, name: string | undefined, o: TrackOptions): void;
  expectDeleted(namespace: string, name: string): void;
}

const NO_TRACKER: Tracker = { watchNamespace: async () => {}, track: () => {}, expectDeleted: () => {} };

export interface ScenarioEnv {
  adminKc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** Backend origin without `/api` (ROUTES paths start with `/api`). */
  origin: string;
  platformNamespace: string;
  /** Token of the proxy ServiceAccount (never logged; registered for redaction). */
  proxyToken: string;
  /** Token of a ServiceAccount bound to nothing: reads with it must be refused. */
  outsiderToken: string;
  /** Retries of transient faults (counted on the scenario), resends, infrastructure failures. */
  faults: Faults;
  users: SimUser[];
  /** How simulated runners are built: the platform commit whose requests they send. */
  runnerOptions: RunnerOptions;
  /** One backend call: GETs retry transient faults, other methods are sent once (see faults.ts). */
  http(method: string, route: string, opts?: HttpOptions): Promise<HttpResult>;
  /** Creates (or recreates) a managed project namespace with ambient-runner-secrets; the proxy gets admin in it. */
  project(suffix: string): Promise<string>;
  /** Where created sessions are registered for the end-of-scenario re-check. */
  tracker: Tracker;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seed-stable project name: reports of the same seed name the same namespaces. */
export function projectName(seed: number, suffix: string): string {
  return `ah-s${seed}-${suffix}`.slice(0, 63).replace(/-+$/, '');
}

export interface EnvOptions {
  users?: number;
  seedCredentials?: boolean;
  tracker?: Tracker;
}

export async function setupEnv(ctx: ScenarioContext, opts: EnvOptions = {}): Promise<ScenarioEnv> {
  const tracker = opts.tracker ?? NO_TRACKER;
  const { cluster, config } = ctx;
  const adminKc = loadKubeConfig({ yaml: cluster.kubeconfig.yaml });
  const core = adminKc.makeApiClient(CoreV1Api);
  const custom = adminKc.makeApiClient(CustomObjectsApi);
  const rbac = adminKc.makeApiClient(RbacAuthorizationV1Api);
  const origin = cluster.backendUrl.replace(/\/+$/, '').replace(/\/api$/, '');
  const platformNamespace = cluster.namespaces.platform;
  const runLabel = { [LABEL_HARNESS_RUN]: cluster.runId };
  const created: string[] = [];

  const faults = new Faults(ctx, origin);
  const http: ScenarioEnv['http'] = (method, route, o = {}) => faults.http(origin, method, route, o);

  /** A ServiceAccount in the platform namespace and a token for it (registered for redaction). */
  const serviceAccountToken = async (name: string): Promise<string> => {
    try {
      await core.createNamespacedServiceAccount({ namespace: platformNamespace, body: { metadata: { name, labels: runLabel } } });
    } catch (err) {
      if (apiCode(err) !== 409) throw new Error(`creating ServiceAccount ${name}: ${describeError(err)}`);
    }
    const tr = await core.createNamespacedServiceAccountToken({
      namespace: platformNamespace,
      name,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = tr.status?.token ?? '';
    if (!token) throw new Error(`TokenRequest for ${name} returned no token`);
    ctx.secret(token);
    return token;
  };
  // The proxy principal is bound per project; the outsider never is.
  const [proxyToken, outsiderToken] = await Promise.all([serviceAccountToken(PROXY_SA), serviceAccountToken(OUTSIDER_SA)]);

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
    await tracker.watchNamespace(ns);
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
    for (const name of [PROXY_SA, OUTSIDER_SA]) await core.deleteNamespacedServiceAccount({ namespace: platformNamespace, name }).catch(() => undefined);
  };
  const runnerOptions: RunnerOptions = { commit: runnerCommitOf(config), read: faults.runnerReads };
  return { adminKc, core, custom, origin, platformNamespace, proxyToken, outsiderToken, faults, users, runnerOptions, http, project, tracker, cleanup };
}

export interface SessionView {
  userContext?: { userId?: string; displayName?: string; groups?: string[] };
  annotations?: Record<string, string>;
}

/** Reads one session CR with the admin kubeconfig; undefined when it does not exist. */
export async function readSession(env: ScenarioEnv, namespace: string, name: string): Promise<SessionView | undefined> {
  try {
    const o = (await env.faults.kube(`GET ${SESSION_PLURAL} ${namespace}/${name}`, () => env.custom.getNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace, plural: SESSION_PLURAL, name }))) as {
      spec?: { userContext?: SessionView['userContext'] };
      metadata?: { annotations?: Record<string, string> };
    };
    return { userContext: o.spec?.userContext, annotations: o.metadata?.annotations };
  } catch (err) {
    if (apiCode(err) === 404) return undefined;
    throw err;
  }
}
