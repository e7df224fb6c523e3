// Spawn-tree walker for scenarios: the plan comes from the sim's seeded planTree; the root is
// created by its user through the proxy, every child by its parent's simulated runner (SimRunner:
// the runner pod's env and BOT_TOKEN, backend_api.py's payload). Unlike sim's executeTree it
// retries a create that fails with 500 once the next second starts, because at m-6b21778 names are
// `session-<unix seconds>` and siblings collide; collisions are the naming scenario's finding, not
// an identity one. Every loop is bounded in count and time.
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { CRD_GROUP, CRD_VERSION, K8S_LIST_PAGE_SIZE, ROUTES, SESSION_PLURAL, sessionObjectNames } from '../../harness/platform/contract.ts';
import { InfraError } from '../../harness/errors.ts';
import { apiCode } from '../../harness/platform/kube.ts';
import type { TreeNode } from '../../harness/report/model.ts';
import { loopbackUrlMap, probeParentBody, secretReaderFor, SimRunner, type ParentKeyMode } from '../../harness/sim/runner.ts';
import { planTree } from '../../harness/sim/spawn-tree.ts';
import type { SimUser } from '../../harness/sim/users.ts';
import { userHeaders, type HttpResult, type ScenarioEnv, type SessionView } from './env.ts';

export interface WalkedNode {
  /** Seed-stable path id: "0", "0.1", "0.1.0". */
  id: string;
  parentId?: string;
  depth: number;
  key?: ParentKeyMode;
  /** Server-generated name (never in reports; see Namer). */
  name?: string;
  status: number;
  error?: string;
  attempts: number;
  view?: SessionView;
}

export interface WalkOptions {
  namespace: string;
  owner: SimUser;
  depth: number;
  fanout: number;
  wideLevels: number;
  /** `camel`: every child is created by its parent's runner; `snake`/`both`: by a backend-contract probe with that runner's token. */
  key: ParentKeyMode;
  seed: number;
  concurrency: number;
  deadlineMs: number;
  signal?: AbortSignal;
  /** Prefix of the nodes' path ids in reports (and in the tracker), e.g. `parentSessionId:`. */
  pathPrefix?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Maps server-generated session names to `<path id>`, so reports are identical for a seed. */
export class Namer {
  private readonly byName = new Map<string, string>();
  add(name: string | undefined, id: string): void {
    if (name) this.byName.set(name, `<${id}>`);
  }
  normalize<T>(value: T): T {
    if (typeof value === 'string') {
      let s: string = value;
      for (const [name, id] of [...this.byName].sort((a, b) => b[0].length - a[0].length)) s = s.split(name).join(id);
      return s as T;
    }
    if (Array.isArray(value)) return value.map((v) => this.normalize(v)) as T;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.normalize(v)])) as T;
    return value;
  }
}

class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * Sends a create; on 500 (a same-second name collision at m-6b21778) retries when the next second
 * starts, `attempts` times in all. A create that got no answer at all goes through `faults.once`.
 */
export async function createWithRetry(env: Pick<ScenarioEnv, 'faults'>, send: () => Promise<HttpResult>, attempts = 4): Promise<HttpResult & { attempts: number; sentAt: number }> {
  let last: HttpResult = { status: 0, body: undefined };
  let sentAt = Date.now();
  for (let i = 1; i <= attempts; i++) {
    sentAt = Date.now();
    last = await env.faults.once('POST agentic-sessions', send);
    if (last.status !== 500 || i === attempts) return { ...last, attempts: i, sentAt };
    await sleep(1000 - (Date.now() % 1000) + 30);
  }
  return { ...last, attempts, sentAt };
}

/** Waits (bounded) for a session's runner Pod and builds its simulated runner from it. */
export async function runnerOf(env: ScenarioEnv, namespace: string, session: string, deadline: number, signal?: AbortSignal): Promise<SimRunner> {
  const core = env.adminKc.makeApiClient(CoreV1Api);
  for (;;) {
    let pod: V1Pod | undefined;
    try {
      pod = await env.faults.kube(`GET pod ${namespace}/${sessionObjectNames(session).pod}`, () => core.readNamespacedPod({ namespace, name: sessionObjectNames(session).pod }));
    } catch (err) {
      if (apiCode(err) !== 404) throw err;
    }
    if (pod) {
      const found = pod;
      return env.faults.kube(`runner of ${namespace}/${session}`, () => SimRunner.fromPod(found, secretReaderFor(env.adminKc), loopbackUrlMap(env.origin), env.runnerOptions));
    }
    if (Date.now() > deadline || signal?.aborted) throw new Error(`runner pod of ${namespace}/${session} did not appear in time`);
    await sleep(200);
  }
}

/** A root session created by `user` through the proxy; tracked under `path` when given. */
export async function createAsUser(env: ScenarioEnv, namespace: string, user: SimUser, body: Record<string, unknown>, o: { attempts?: number; path?: string[] } = {}): Promise<HttpResult & { attempts: number; sentAt: number }> {
  const r = await createWithRetry(env, () => env.http('POST', ROUTES.sessions(namespace), { token: env.proxyToken, headers: userHeaders(user), body }), o.attempts);
  if (o.path && r.status === 201) env.tracker.track(namespace, r.body?.name, { path: o.path, owner: user, sentAt: r.sentAt });
  return r;
}

export async function walkTree(env: ScenarioEnv, o: WalkOptions): Promise<WalkedNode[]> {
  const plan = planTree({ seed: o.seed, depth: o.depth, fanout: o.fanout, wideLevels: o.wideLevels, keyMix: { camel: o.key === 'camel' ? 1 : 0, snake: o.key === 'snake' ? 1 : 0, both: o.key === 'both' ? 1 : 0 }, roots: 1, userCount: 1 });
  const deadline = Date.now() + o.deadlineMs;
  // At most one create per second succeeds at m-6b21778: k simultaneous creators need k seconds.
  const attempts = Math.min(60, plan.length + 3);
  const sem = new Semaphore(Math.max(1, o.concurrency));
  const nodes = new Map<string, WalkedNode>();
  const kids = new Map<string, typeof plan>();
  for (const n of plan) if (n.parentId !== undefined) kids.set(n.parentId, [...(kids.get(n.parentId) ?? []), n]);

  const visit = async (n: (typeof plan)[number], parent?: WalkedNode): Promise<void> => {
    const node: WalkedNode = { id: n.id, parentId: n.parentId, depth: n.depth, key: n.key, status: 0, attempts: 0 };
    nodes.set(n.id, node);
    try {
      if (Date.now() > deadline || o.signal?.aborted) throw new Error('deadline reached before this session was created');
      let r: HttpResult & { attempts: number; sentAt: number };
      let runner: SimRunner | undefined;
      if (!parent) {
        r = await sem.run(() => createAsUser(env, o.namespace, o.owner, { initialPrompt: `harness root ${n.id}`, displayName: `root ${n.id}` }, { attempts }));
      } else {
        if (!parent.name) throw new Error('parent was not created');
        const parentRunner = await runnerOf(env, o.namespace, parent.name, deadline, o.signal);
        runner = parentRunner;
        const opts = { sessionName: `sim-${n.id}`, initialPrompt: `harness child ${n.id}` };
        const key = n.key ?? o.key;
        r = await sem.run(() => createWithRetry(env, () => (key === 'camel' ? parentRunner.createSession(opts) : parentRunner.probe('POST', probeParentBody(key, parentRunner.sessionName, opts))), attempts));
      }
      node.status = r.status;
      node.attempts = r.attempts;
      if (r.status === 201) {
        node.name = r.body?.name;
        env.tracker.track(o.namespace, node.name, { path: pathOf([...nodes.values()], n.id, o.pathPrefix), owner: o.owner, creator: runner, sentAt: r.sentAt });
      }
      else node.error = typeof r.body === 'object' ? (r.body?.error ?? JSON.stringify(r.body)) : String(r.body ?? '');
    } catch (err) {
      if (err instanceof InfraError) throw err; // the run fails as infrastructure, not as a finding
      node.error = (err as Error).message;
    }
    await Promise.all((kids.get(n.id) ?? []).map((k) => visit(k, node)));
  };
  await visit(plan[0]);
  const out = plan.map((n) => nodes.get(n.id) as WalkedNode);
  // Every created session is checked: its view comes from paged lists of the namespace (one
  // request per 500 sessions instead of one each); a session missing from them has no view.
  const views = await readSessionViews(env, o.namespace);
  for (const node of out) if (node.name) node.view = views.get(node.name);
  return out;
}

/** userContext and annotations of every session in the namespace, by name, read with the admin client in pages. */
export async function readSessionViews(env: ScenarioEnv, namespace: string): Promise<Map<string, SessionView>> {
  const views = new Map<string, SessionView>();
  let cont: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const list = (await env.faults.kube(`LIST ${SESSION_PLURAL} ${namespace}`, () =>
      env.custom.listNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace, plural: SESSION_PLURAL, limit: K8S_LIST_PAGE_SIZE, _continue: cont }),
    )) as { items?: { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: { userContext?: SessionView['userContext'] } }[]; metadata?: { continue?: string } };
    for (const o of list.items ?? []) if (o.metadata?.name) views.set(o.metadata.name, { userContext: o.spec?.userContext, annotations: o.metadata.annotations });
    cont = list.metadata?.continue;
    if (!cont) break;
  }
  return views;
}

/** Path root -> ... -> node as seed-stable ids. */
export function pathOf(nodes: WalkedNode[], id: string, prefix = ''): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  for (let cur = byId.get(id); cur; cur = cur.parentId !== undefined ? byId.get(cur.parentId) : undefined) out.unshift(prefix + cur.id);
  return out;
}

/** The walked tree for the report: ids, key, status and (normalised) userId. */
export function reportTree(nodes: WalkedNode[], namer: Namer, prefix = ''): TreeNode[] {
  const build = (n: WalkedNode): TreeNode => ({
    id: prefix + n.id,
    attrs: {
      status: String(n.status),
      ...(n.key ? { key: n.key } : {}),
      userId: namer.normalize(n.view?.userContext?.userId ?? ''),
    },
    children: nodes.filter((c) => c.parentId === n.id).map(build),
  });
  return nodes.filter((n) => n.parentId === undefined).map(build);
}

export function nameAll(nodes: WalkedNode[], namer: Namer, prefix = ''): void {
  for (const n of nodes) namer.add(n.name, prefix + n.id);
}
