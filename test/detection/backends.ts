// Deliberately broken backends, one per class of regression the harness must catch, each a proxy
// in front of the reference backend (proxy.ts). Each one is a change a platform PR could
// plausibly make; the tests in this folder check that the default run reports it for what it is.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ANN_PARENT_SESSION, CRD_GROUP, CRD_VERSION, PARENT_KEY_BACKEND, PARENT_KEY_RUNNER, SESSION_PLURAL } from '../../harness/platform/contract.ts';
import { loadKubeConfig } from '../../harness/platform/kube.ts';
import { mulberry32 } from '../../harness/random.ts';
import type { Cluster } from '../../harness/targets/types.ts';
import type { ProxyHooks, ProxyReply, ProxyRequest, RunningProxy } from './proxy.ts';

const SESSIONS = /^\/api\/projects\/([^/]+)\/agentic-sessions$/;
const ONE_SESSION = /^\/api\/projects\/([^/]+)\/agentic-sessions\/([^/]+)$/;

const custom = (cluster: Cluster) => loadKubeConfig({ yaml: cluster.kubeconfig.yaml }).makeApiClient(CustomObjectsApi);

/** Passes everything through. */
export const neutral = (): ProxyHooks => ({});

/** Serves sessions without their groups on GET one and on the list: storage is right, what readers get is not. */
export const readPathDrift = (): ProxyHooks => ({
  response(req: ProxyRequest, reply: ProxyReply) {
    if (req.method !== 'GET' || reply.status !== 200 || !reply.json) return;
    const strip = (s: any) => (s?.spec?.userContext ? { ...s, spec: { ...s.spec, userContext: { ...s.spec.userContext, groups: [] } } } : s);
    const body = reply.json as any;
    if (ONE_SESSION.test(req.path)) return { status: 200, json: strip(body) };
    if (SESSIONS.test(req.path) && Array.isArray(body.items)) return { status: 200, json: { ...body, items: body.items.map(strip) } };
  },
});

/** A "display-name sync" that rewrites each new session's userContext 1.5 s after its create, as field manager `identity-sync`. */
export const lateWriter = (cluster: Cluster): ProxyHooks => {
  const api = custom(cluster);
  const timers = new Set<NodeJS.Timeout>();
  return {
    response(req, reply) {
      const m = SESSIONS.exec(req.path);
      const name = (reply.json as { name?: string } | undefined)?.name;
      if (req.method !== 'POST' || !m || reply.status !== 201 || !name) return;
      const t = setTimeout(() => {
        timers.delete(t);
        void api
          .patchNamespacedCustomObject(
            { group: CRD_GROUP, version: CRD_VERSION, namespace: m[1], plural: SESSION_PLURAL, name, body: { spec: { userContext: { displayName: 'Synced Later' } } }, fieldManager: 'identity-sync' },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )
          .catch(() => undefined);
      }, 1500);
      timers.add(t);
    },
    close() {
      for (const t of timers) clearTimeout(t);
    },
  };
};

/** `rate` of GETs answer 503 once (seeded); the retry of the same request goes through. */
export const transient503 = (seed: number, rate = 0.03): ProxyHooks & { faults: () => number } => {
  const rand = mulberry32(seed);
  const failedOnce = new Set<string>();
  let faults = 0;
  return {
    faults: () => faults,
    request(req) {
      if (req.method !== 'GET' || !req.path.startsWith('/api/')) return;
      const key = `${req.url} ${req.token ?? ''} ${String(req.headers['x-forwarded-user'] ?? '')}`;
      if (failedOnce.delete(key)) return;
      if (rand() < rate) {
        failedOnce.add(key);
        faults++;
        return { status: 503, text: 'upstream connect error or disconnect/reset before headers' };
      }
    },
  };
};

/** Answers every request after the first `after` by going away: connection refused from then on. */
export const dies = (after: number, proxy: () => RunningProxy): ProxyHooks => {
  let n = 0;
  return {
    async request() {
      if (++n === after) await proxy().kill();
    },
  };
};

/** Depth of a session below its root, following the recorded parent links. */
async function depthOf(api: CustomObjectsApi, namespace: string, name: string): Promise<number> {
  let depth = 0;
  for (let cur = name; depth < 50; depth++) {
    const s = (await api.getNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace, plural: SESSION_PLURAL, name: cur })) as { metadata?: { annotations?: Record<string, string> } };
    const parent = s.metadata?.annotations?.[ANN_PARENT_SESSION];
    if (!parent) return depth;
    cur = parent;
  }
  return depth;
}

/**
 * Loses the parent of creates whose child would be at depth `fromDepth` or deeper (1: every
 * child): the backend then resolves the caller's own identity, which for a runner is the owner's
 * userId alone (its ServiceAccount annotation) — displayName and groups are gone.
 */
export const dropsParent = (cluster: Cluster, fromDepth = 1): ProxyHooks => {
  const api = custom(cluster);
  return {
    async request(req) {
      const m = SESSIONS.exec(req.path);
      const parent = req.json?.[PARENT_KEY_RUNNER] ?? req.json?.[PARENT_KEY_BACKEND];
      if (req.method !== 'POST' || !m || typeof parent !== 'string') return;
      const childDepth = (await depthOf(api, m[1], parent).catch(() => 0)) + 1;
      if (childDepth < fromDepth) return;
      delete req.json[PARENT_KEY_RUNNER];
      delete req.json[PARENT_KEY_BACKEND];
    },
  };
};
