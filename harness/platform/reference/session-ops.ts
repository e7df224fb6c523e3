// Get, list (limit/offset/search, newest first, Kubernetes pages of 500), delete, start, stop
// (contract §1.1, §1.4). All with the caller's client.
import {
  ANN_DESIRED_PHASE,
  ANN_PARENT_SESSION,
  ANN_STOP_REQUESTED_AT,
  CRD_GROUP,
  CRD_VERSION,
  ERR,
  K8S_LIST_PAGE_SIZE,
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  SESSION_PLURAL,
} from '../contract.ts';
import { apiCode, describeError } from '../kube.ts';
import type { RequestCtx } from './backend-context.ts';
import { MERGE_PATCH } from './kube-apis.ts';
import { HttpError, sendEmpty, sendJson } from './http-util.ts';

type Session = { metadata?: { name?: string; creationTimestamp?: string | Date; annotations?: Record<string, string> }; spec?: Record<string, unknown>; [k: string]: unknown };
const crd = (namespace: string) => ({ group: CRD_GROUP, version: CRD_VERSION, namespace, plural: SESSION_PLURAL });

/** The session CR, read with the caller's token: 404 `Session not found`, other errors 500. */
async function readSession(ctx: RequestCtx, project: string, name: string): Promise<Session> {
  try {
    return (await ctx.caller.custom.getNamespacedCustomObject({ ...crd(project), name })) as Session;
  } catch (err) {
    if (apiCode(err) === 404) throw new HttpError(404, ERR.sessionNotFound);
    throw new HttpError(500, ERR.getFailed);
  }
}

export async function getSession(ctx: RequestCtx, project: string, name: string): Promise<void> {
  const s = await readSession(ctx, project, name);
  sendJson(ctx.res, 200, { ...s, autoBranch: `ambient/${name}` });
}

function intParam(v: string | null, dflt: number): number {
  if (v === null || v === '') return dflt;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : dflt;
}

export async function listSessions(ctx: RequestCtx, project: string): Promise<void> {
  const q = ctx.url.searchParams;
  let limit = intParam(q.get('limit'), LIST_DEFAULT_LIMIT);
  if (limit <= 0) limit = LIST_DEFAULT_LIMIT;
  if (limit > LIST_MAX_LIMIT) limit = LIST_MAX_LIMIT;
  const offset = Math.max(0, intParam(q.get('offset'), 0));
  const search = (q.get('search') ?? '').trim().toLowerCase();

  const all: Session[] = [];
  let cont: string | undefined;
  try {
    // Bounded: at most 1,000 pages of 500.
    for (let page = 0; page < 1000; page++) {
      const r = (await ctx.caller.custom.listNamespacedCustomObject({ ...crd(project), limit: K8S_LIST_PAGE_SIZE, _continue: cont })) as { items?: Session[]; metadata?: { _continue?: string; continue?: string } };
      all.push(...(r.items ?? []));
      cont = r.metadata?._continue ?? r.metadata?.continue;
      if (!cont) break;
    }
  } catch (err) {
    ctx.deps.log(`list sessions ${project}: ${describeError(err)}`);
    throw new HttpError(500, ERR.listFailed);
  }
  const matches = search
    ? all.filter((s) =>
        [s.metadata?.name, s.spec?.displayName, s.spec?.initialPrompt].some((f) => typeof f === 'string' && f.toLowerCase().includes(search)),
      )
    : all;
  const ts = (s: Session) => new Date(s.metadata?.creationTimestamp ?? 0).getTime();
  matches.sort((a, b) => ts(b) - ts(a) || (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? ''));
  const items = matches.slice(offset, offset + limit);
  const hasMore = offset + limit < matches.length;
  sendJson(ctx.res, 200, { items, totalCount: matches.length, limit, offset, hasMore, ...(hasMore ? { nextOffset: offset + limit } : {}) });
}

export async function deleteSession(ctx: RequestCtx, project: string, name: string): Promise<void> {
  try {
    await ctx.caller.custom.deleteNamespacedCustomObject({ ...crd(project), name });
  } catch (err) {
    if (apiCode(err) === 404) throw new HttpError(404, ERR.sessionNotFound);
    throw new HttpError(500, ERR.deleteFailed);
  }
  sendEmpty(ctx.res, 204);
}

async function patchAnnotations(ctx: RequestCtx, project: string, name: string, annotations: Record<string, string | null>): Promise<void> {
  try {
    await ctx.caller.custom.patchNamespacedCustomObject({ ...crd(project), name, body: { metadata: { annotations } } }, MERGE_PATCH);
  } catch (err) {
    if (apiCode(err) === 404) throw new HttpError(404, ERR.sessionNotFound);
    ctx.deps.log(`patch session ${project}/${name}: ${describeError(err)}`);
    throw new HttpError(500, ERR.updateFailed);
  }
}

/** StartSession: desired-phase=Running; drops a self-referential parent annotation (§3.2). */
export async function startSession(ctx: RequestCtx, project: string, name: string): Promise<void> {
  const s = await readSession(ctx, project, name);
  const patch: Record<string, string | null> = { [ANN_DESIRED_PHASE]: 'Running' };
  if (s.metadata?.annotations?.[ANN_PARENT_SESSION] === name) patch[ANN_PARENT_SESSION] = null;
  await patchAnnotations(ctx, project, name, patch);
  sendJson(ctx.res, 202, { message: 'Session start requested', name });
}

export async function stopSession(ctx: RequestCtx, project: string, name: string): Promise<void> {
  await patchAnnotations(ctx, project, name, { [ANN_DESIRED_PHASE]: 'Stopped', [ANN_STOP_REQUESTED_AT]: new Date().toISOString() });
  sendJson(ctx.res, 202, { message: 'Session stop requested', name });
}
