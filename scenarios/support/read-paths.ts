// Identity through the backend's read path: what each party that may read a session is served,
// compared with what storage holds. The owner reads it as the UI does (GET one, and the project's
// list page by page: the platform's list offers no parent filter); the runner that created it
// reads it with its own requests (get_session, and its list_sessions tool, parsed as the runner at
// its commit parses the answer); a user without rights in the project must be refused and served
// nothing of it. Each mismatch is a finding that names the path and what it served.
import type { ScenarioContext } from '../../harness/index.ts';
import { ROUTES } from '../../harness/platform/contract.ts';
import type { SimRunner } from '../../harness/sim/runner.ts';
import type { SimUser } from '../../harness/sim/users.ts';
import { userHeaders, type HttpResult, type ScenarioEnv } from './env.ts';
import { sameContext } from './sessions.ts';
import type { Namer } from './tree.ts';

export const readAssertion = {
  ownerGet: 'read.owner.get',
  ownerList: 'read.owner.list',
  runnerGet: 'read.runner.get',
  runnerList: 'read.runner.list',
  refused: 'read.refused',
};

export interface ReadTarget {
  namespace: string;
  name: string;
  sessionPath: string[];
  /** The human it belongs to (their proxy headers); undefined: read as the proxy alone. */
  owner?: SimUser;
  /** The runner that created it, when one did. */
  creator?: SimRunner;
  /** The creator's session was deleted (its token revoked): it reads nothing any more. */
  creatorGone?: boolean;
  /** What storage holds after the settle period. */
  stored: unknown;
}

type Item = { metadata?: { name?: string }; spec?: { userContext?: unknown } };
/** One read of a path: the answer, and the session's entry in it (if any). */
interface Served {
  r: HttpResult;
  item?: Item;
  /** Why the answer holds no entry for the session. */
  missing?: string;
}

const PAGE = 100;
const MAX_PAGES = 50;
const show = (v: unknown) => JSON.stringify(v ?? null);
const byName = (items: unknown, name: string): Item | undefined => (Array.isArray(items) ? (items as Item[]).find((i) => i?.metadata?.name === name) : undefined);

/** Pages of a list (limit/offset) until the backend says there is no more; bounded. */
async function listAll(get: (offset: number) => Promise<HttpResult>, itemsOf: (r: HttpResult) => unknown[]): Promise<{ r: HttpResult; items: unknown[] }> {
  const items: unknown[] = [];
  let r: HttpResult = { status: 0, body: undefined };
  for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
    r = await get(offset);
    if (r.status !== 200) return { r, items };
    const got = itemsOf(r);
    items.push(...got);
    if (!r.body?.hasMore || !got.length) break;
    offset = typeof r.body.nextOffset === 'number' ? r.body.nextOffset : offset + got.length;
  }
  return { r, items };
}

/** Runs `fn` over `xs`, `n` at a time. */
export async function eachLimited<T>(xs: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  const queue = [...xs];
  await Promise.all(Array.from({ length: Math.max(1, n) }, async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
  }));
}

/** Records one read path's outcome for a session: what it served against what storage holds. */
class PathRecorder {
  constructor(
    private readonly ctx: ScenarioContext,
    private readonly namer: Namer,
  ) {}

  record(t: ReadTarget, assertion: string, what: string, s: Served): void {
    const { ctx, namer } = this;
    const { r, item } = s;
    if (r.status === 200 && item && sameContext(item.spec?.userContext as never, t.stored as never)) {
      ctx.record({ assertion, status: 'passed', sessionPath: t.sessionPath });
      return;
    }
    const retried = r.attempts && r.attempts > 1 ? { attempts: r.attempts } : {};
    ctx.record({
      assertion,
      sessionPath: t.sessionPath,
      expected: { status: 200, userContext: namer.normalize(t.stored ?? null) },
      actual: r.status !== 200 ? { status: r.status, error: namer.normalize(r.body?.error ?? null), ...retried } : item ? { status: 200, userContext: namer.normalize(item.spec?.userContext ?? null) } : { status: 200, found: false },
      message:
        r.status !== 200
          ? `${what} answered ${r.status} ${namer.normalize(r.body?.error ?? '')}`.trim() + (retried.attempts ? ` (after ${retried.attempts} attempts)` : '')
          : item
            ? `${what} served userContext ${show(namer.normalize(item.spec?.userContext))}; storage holds ${show(namer.normalize(t.stored))}`
            : `${what}: ${s.missing ?? 'the session is not in the answer'}`,
      repro: ctx.repro(),
    });
  }
}

const headersOf = (u?: SimUser) => (u ? userHeaders(u) : {});
const whoOf = (t: ReadTarget) => (t.owner ? 'the owner' : 'the proxy');

/** The reads of one session: GET as the owner, as the creating runner, and as a user who must be refused. */
export async function checkSessionReads(ctx: ScenarioContext, env: ScenarioEnv, namer: Namer, t: ReadTarget): Promise<void> {
  const rec = new PathRecorder(ctx, namer);
  const path = namer.normalize(ROUTES.session(t.namespace, t.name));
  const get = await env.http('GET', ROUTES.session(t.namespace, t.name), { token: env.proxyToken, headers: headersOf(t.owner) });
  rec.record(t, readAssertion.ownerGet, `GET ${path} as ${whoOf(t)}`, { r: get, item: get.status === 200 ? (get.body as Item) : undefined, missing: 'no session in the answer' });

  if (t.creator && !t.creatorGone) {
    const rg = await t.creator.getSession(t.name);
    rec.record(t, readAssertion.runnerGet, `the creating runner's get_session`, { r: rg, item: rg.status === 200 ? (rg.body as Item) : undefined, missing: 'no session in the answer' });
  }

  // A user with a valid token and no rights in the project, as the proxy would pass it on.
  const refused = await env.http('GET', ROUTES.session(t.namespace, t.name), { token: env.outsiderToken, headers: { 'X-Forwarded-User': 'harness-outsider' } });
  const userId = (t.stored as { userId?: unknown } | undefined)?.userId;
  const leaked = refused.status === 200 || (typeof userId === 'string' && userId !== '' && JSON.stringify(refused.body ?? '').includes(userId));
  if ((refused.status === 401 || refused.status === 403) && !leaked) ctx.record({ assertion: readAssertion.refused, status: 'passed', sessionPath: t.sessionPath });
  else
    ctx.record({
      assertion: readAssertion.refused,
      sessionPath: t.sessionPath,
      expected: { status: '401 or 403', servesIdentity: false },
      actual: { status: refused.status, servesIdentity: leaked },
      message: `GET ${path} as a user without rights in the project answered ${refused.status}${leaked ? " and served the session's identity" : ''}`,
      repro: ctx.repro(),
    });
}

/** The list reads, once every session has settled: the owner's list of each project, each creating runner's list_sessions tool. */
export async function checkListReads(ctxOf: (t: ReadTarget) => ScenarioContext, env: ScenarioEnv, namer: Namer, targets: ReadTarget[], concurrency: number): Promise<void> {
  const ownerLists = new Map<string, Promise<{ r: HttpResult; items: unknown[] }>>();
  const runnerLists = new Map<SimRunner, Promise<{ r: HttpResult; items: unknown[]; note: string }>>();
  const ownerList = (t: ReadTarget) => {
    const key = `${t.namespace}/${t.owner?.userId ?? ''}`;
    if (!ownerLists.has(key))
      ownerLists.set(key, listAll((offset) => env.http('GET', `${ROUTES.sessions(t.namespace)}?limit=${PAGE}&offset=${offset}`, { token: env.proxyToken, headers: headersOf(t.owner) }), (r) => (Array.isArray(r.body?.items) ? r.body.items : [])));
    return ownerLists.get(key)!;
  };
  const runnerList = (c: SimRunner) => {
    if (!runnerLists.has(c))
      runnerLists.set(
        c,
        (async () => {
          let note = '';
          const all = await listAll(
            async (offset) => {
              const tool = await c.listSessionsTool({ limit: PAGE, ...(offset ? { offset } : {}) });
              const keys = tool.response.body && typeof tool.response.body === 'object' ? Object.keys(tool.response.body).sort().join(', ') : '';
              note = `the tool reads the answer's \`${tool.readKey}\`; the backend answered ${tool.response.status} with {${keys}}, and the agent is handed ${tool.items.length} session(s), not this one`;
              return { ...tool.response, body: { ...tool.response.body, toolItems: tool.items } };
            },
            (r) => r.body.toolItems,
          );
          return { ...all, note };
        })(),
      );
    return runnerLists.get(c)!;
  };
  await eachLimited(targets, concurrency, async (t) => {
    const ctx = ctxOf(t);
    if (ctx.signal.aborted) return;
    const rec = new PathRecorder(ctx, namer);
    const ol = await ownerList(t);
    rec.record(t, readAssertion.ownerList, `the project's list as ${whoOf(t)}`, { r: ol.r, item: byName(ol.items, t.name), missing: `the session is not among the ${ol.items.length} listed` });
    if (t.creator && !t.creatorGone) {
      const rl = await runnerList(t.creator);
      rec.record(t, readAssertion.runnerList, `the creating runner's list_sessions tool (runner at ${t.creator.commit})`, { r: rl.r, item: byName(rl.items, t.name), missing: rl.note });
    }
  });
}
