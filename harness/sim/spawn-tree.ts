// Spawn trees: plan a tree of sessions from (seed, depth, fanout, key mix), then execute it: each
// root is created by a user through the backend, each child by its parent's simulated runner once
// the operator provisioned the parent (its runner Pod exists; seen through an informer, no
// per-session polling). Bounded concurrency and total time; results in plan order.
import { CoreV1Api, CustomObjectsApi, makeInformer, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ANN_PARENT_SESSION, APP_RUNNER_POD, CRD_GROUP, CRD_VERSION, K8S_LIST_PAGE_SIZE, LABEL_APP, LABEL_SESSION, ROUTES, SESSION_PLURAL, sessionObjectNames } from '../platform/contract.ts';
import { loopbackUrlMap, probeParentBody, secretReaderFor, SimRunner, type ParentKeyMode } from './runner.ts';
import { forwardedHeaders, type SimUser } from './users.ts';
import { mulberry32 } from '../random.ts';

export interface KeyMix {
  camel: number;
  snake: number;
  both: number;
}

export interface TreePlanOptions {
  seed: number;
  /** Levels below the roots (depth 4, fanout 10 → 11,111 nodes per root). */
  depth: number;
  fanout: number;
  /**
   * Levels that fan out (default: all). Below them the tree narrows to a spine: one chain under
   * the first node of the last wide level, down to `depth` — deep without growing wide.
   */
  wideLevels?: number;
  keyMix: KeyMix;
  roots?: number;
  /** Number of users the roots are spread over (round-robin). */
  userCount: number;
}

export interface PlannedNode {
  /** Path id: "0", "0.3", "0.3.1". */
  id: string;
  parentId?: string;
  depth: number;
  /** How this node is created from its parent: `camel` by the parent's runner, `snake`/`both` by a backend-contract probe with the runner's token (roots: none). */
  key?: ParentKeyMode;
  /** Index of the user who owns the root of this node's tree. */
  userIndex: number;
}


/** Nodes of one root's tree: the wide levels' geometric sum, plus one per spine level. */
export function treeSize(depth: number, fanout: number, wideLevels = depth): number {
  const wide = Math.min(depth, Math.max(0, wideLevels));
  let total = 1;
  let level = 1;
  for (let d = 0; d < wide; d++) total += level *= fanout;
  return total + (level > 0 ? depth - wide : 0);
}

export function planTree(o: TreePlanOptions): PlannedNode[] {
  if (o.depth < 0 || o.fanout < 0) throw new Error('depth and fanout must be >= 0');
  const wide = o.wideLevels ?? o.depth;
  const total = (o.roots ?? 1) * treeSize(o.depth, o.fanout, wide);
  if (total > 200_000) throw new Error(`tree of ${total} nodes is over the 200,000 limit`);
  const rand = mulberry32(o.seed);
  const weights = (['camel', 'snake', 'both'] as const).map((k) => [k, Math.max(0, o.keyMix[k])] as const);
  const sum = weights.reduce((s, [, w]) => s + w, 0);
  if (sum <= 0) throw new Error('keyMix needs a positive weight');
  const pickKey = (): ParentKeyMode => {
    let x = rand() * sum;
    for (const [k, w] of weights) if ((x -= w) < 0) return k;
    return weights[weights.length - 1][0];
  };
  const nodes: PlannedNode[] = [];
  let level: PlannedNode[] = [];
  for (let r = 0; r < (o.roots ?? 1); r++) level.push({ id: String(r), depth: 0, userIndex: r % Math.max(1, o.userCount) });
  nodes.push(...level);
  for (let d = 1; d <= o.depth; d++) {
    const next: PlannedNode[] = [];
    // Spine levels: one child, under the first node of the level above (per root).
    const parents = d <= wide ? level : level.filter((p, i) => i === 0 || p.id.split('.')[0] !== level[i - 1].id.split('.')[0]);
    const fan = d <= wide ? o.fanout : 1;
    for (const p of parents) for (let i = 0; i < fan; i++) next.push({ id: `${p.id}.${i}`, parentId: p.id, depth: d, key: pickKey(), userIndex: p.userIndex });
    nodes.push(...next);
    level = next;
  }
  return nodes;
}

export interface NodeResult {
  id: string;
  parentId?: string;
  depth: number;
  key?: ParentKeyMode;
  name?: string;
  parentName?: string;
  creator: { kind: 'user'; userId: string } | { kind: 'runner'; serviceAccount: string };
  /** HTTP status of the create; 0 when it was never sent (parent failed, deadline). */
  status: number;
  error?: string;
  userContext?: { userId?: string; displayName?: string; groups?: string[] };
  annotations?: Record<string, string>;
  timings: { startedMs?: number; finishedMs?: number; latencyMs?: number; parentReadyMs?: number };
}

export interface ExecuteOptions {
  backendUrl: string;
  project: string;
  /** Kubelet-like reader: runner Pods and their token Secrets. */
  adminKc: KubeConfig;
  /** Token the root creators use (with X-Forwarded-User), e.g. the test-user token. */
  userToken: string;
  users: SimUser[];
  concurrency: number;
  /** Upper bound on the whole run. */
  deadlineMs: number;
  mapUrl?: (url: string) => string;
  /** A runner's "think time" between its pod starting and its create (default 0). */
  thinkTimeMs?: number;
}

class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export async function executeTree(plan: PlannedNode[], o: ExecuteOptions): Promise<{ results: NodeResult[]; durationMs: number }> {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const deadline = Date.now() + o.deadlineMs;
  const mapUrl = o.mapUrl ?? loopbackUrlMap(o.backendUrl);
  const core = o.adminKc.makeApiClient(CoreV1Api);
  const readSecret = secretReaderFor(o.adminKc);
  const sem = new Semaphore(Math.max(1, o.concurrency));

  // Runner Pods of the project, through one informer; waiters keyed by session name.
  const selector = `${LABEL_APP}=${APP_RUNNER_POD}`;
  const pods = makeInformer<V1Pod>(o.adminKc, `/api/v1/namespaces/${o.project}/pods`, () => core.listNamespacedPod({ namespace: o.project, labelSelector: selector }), selector);
  const podWaiters = new Map<string, ((p: V1Pod) => void)[]>();
  const onPod = (p: V1Pod) => {
    const s = p.metadata?.labels?.[LABEL_SESSION];
    const ws = s ? podWaiters.get(s) : undefined;
    if (s && ws) {
      podWaiters.delete(s);
      for (const w of ws) w(p);
    }
  };
  pods.on('add', onPod);
  pods.on('update', onPod);
  let stopped = false;
  pods.on('error', () => {
    if (!stopped) setTimeout(() => void pods.start().catch(() => undefined), 500).unref();
  });
  await pods.start();

  const runners = new Map<string, Promise<SimRunner>>();
  const runnerFor = (session: string): Promise<SimRunner> => {
    let r = runners.get(session);
    if (!r) {
      r = (async () => {
        const cached = pods.get(sessionObjectNames(session).pod, o.project);
        const pod =
          cached ??
          (await new Promise<V1Pod>((resolve, reject) => {
            const left = deadline - Date.now();
            const timer = setTimeout(() => reject(new Error('deadline waiting for parent runner pod')), Math.max(0, left));
            timer.unref();
            const list = podWaiters.get(session) ?? [];
            list.push((p) => {
              clearTimeout(timer);
              resolve(p);
            });
            podWaiters.set(session, list);
          }));
        // The token Secret is created before the Pod (operator order), so it exists now.
        return SimRunner.fromPod(pod, readSecret, mapUrl);
      })();
      runners.set(session, r);
    }
    return r;
  };

  const results = new Map<string, NodeResult>();
  const children = new Map<string, PlannedNode[]>();
  for (const n of plan) if (n.parentId !== undefined) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n]);

  const runNode = async (n: PlannedNode, parent?: NodeResult): Promise<void> => {
    const user = o.users[n.userIndex % o.users.length];
    const res: NodeResult = {
      id: n.id,
      parentId: n.parentId,
      depth: n.depth,
      key: n.key,
      parentName: parent?.name,
      creator: parent?.name ? { kind: 'runner', serviceAccount: sessionObjectNames(parent.name).serviceAccount } : { kind: 'user', userId: user.userId },
      status: 0,
      timings: {},
    };
    results.set(n.id, res);
    try {
      if (Date.now() > deadline) throw new Error('deadline');
      let runner: SimRunner | undefined;
      if (parent) {
        if (!parent.name) throw new Error('parent was not created');
        runner = await runnerFor(parent.name);
        res.timings.parentReadyMs = now();
        if (o.thinkTimeMs) await new Promise((r) => setTimeout(r, Math.min(o.thinkTimeMs as number, Math.max(0, deadline - Date.now()))));
      }
      await sem.acquire();
      try {
        if (Date.now() > deadline) throw new Error('deadline');
        res.timings.startedMs = now();
        if (runner) {
          const opts = { sessionName: `sim-${n.id}`, initialPrompt: `simulated child ${n.id}` };
          const r = !n.key || n.key === 'camel' ? await runner.createSession(opts) : await runner.probe('POST', probeParentBody(n.key, runner.sessionName, opts));
          res.status = r.status;
          res.name = r.body?.name;
          if (r.status !== 201) res.error = r.body?.error ?? String(r.body);
        } else {
          const r = await fetch(`${o.backendUrl}${ROUTES.sessions(o.project)}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${o.userToken}`, ...forwardedHeaders(user) },
            body: JSON.stringify({ initialPrompt: `simulated root ${n.id}`, displayName: `root ${n.id}` }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await r.json().catch(() => ({}))) as { name?: string; error?: string };
          res.status = r.status;
          res.name = body.name;
          if (r.status !== 201) res.error = body.error;
        }
        res.timings.finishedMs = now();
        res.timings.latencyMs = res.timings.finishedMs - (res.timings.startedMs ?? res.timings.finishedMs);
      } finally {
        sem.release();
      }
    } catch (err) {
      res.error = (err as Error).message;
    }
    const kids = children.get(n.id) ?? [];
    await Promise.all(kids.map((k) => runNode(k, res)));
  };

  try {
    await Promise.all(plan.filter((n) => n.parentId === undefined).map((n) => runNode(n)));
  } finally {
    stopped = true;
    await pods.stop().catch(() => undefined);
  }

  // Outcomes: one paged list of the project's sessions.
  const custom = o.adminKc.makeApiClient(CustomObjectsApi);
  const byName = new Map<string, { spec?: { userContext?: NodeResult['userContext'] }; metadata?: { annotations?: Record<string, string> } }>();
  let cont: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const l = (await custom.listNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: o.project, plural: SESSION_PLURAL, limit: K8S_LIST_PAGE_SIZE, _continue: cont })) as { items: any[]; metadata?: { continue?: string; _continue?: string } };
    for (const it of l.items) byName.set(it.metadata?.name, it);
    cont = l.metadata?._continue ?? l.metadata?.continue;
    if (!cont) break;
  }
  const ordered = plan.map((n) => results.get(n.id) as NodeResult);
  for (const r of ordered) {
    const cr = r?.name ? byName.get(r.name) : undefined;
    if (cr) {
      r.userContext = cr.spec?.userContext;
      r.annotations = cr.metadata?.annotations;
    }
  }
  return { results: ordered, durationMs: now() };
}

/**
 * Checks every created session of an executed tree against what full inheritance requires (the
 * reference profile): the root user's whole userContext on every node, and each child's parent
 * annotation naming its parent. Reads only the results (executeTree filled them from one paged
 * list). Returns how many sessions passed and the first that did not.
 */
export function verifyInheritance(plan: PlannedNode[], results: NodeResult[], users: SimUser[]): { verified: number; firstProblem?: string } {
  let verified = 0;
  let firstProblem: string | undefined;
  results.forEach((r, i) => {
    if (r.status !== 201) return;
    const u = users[plan[i].userIndex % users.length];
    const uc = r.userContext;
    const sameUser = uc?.userId === u.userId && uc.displayName === u.displayName && JSON.stringify(uc.groups ?? []) === JSON.stringify(u.groups);
    const parentOk = !r.parentName || r.annotations?.[ANN_PARENT_SESSION] === r.parentName;
    if (sameUser && parentOk) verified++;
    else firstProblem ??= `${r.id}: ${sameUser ? `parent annotation ${JSON.stringify(r.annotations?.[ANN_PARENT_SESSION])}, want ${r.parentName}` : `userContext ${JSON.stringify(uc)}, want user ${u.userId}`}`;
  });
  return { verified, firstProblem };
}
