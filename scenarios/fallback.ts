// fallback: a create whose parent cannot be used must still succeed (201, never 5xx) with the
// caller's own identity (contract §3.1 step 5). Each case says who sends the request:
//  - a user through the proxy (no parent: what the UI sends);
//  - a runner, exactly as the runner sends it (naming its own session as parent): the runner of a
//    session whose userContext is empty or lacks userId, and the runner of a deleted parent, whose
//    token must then be refused (401/403) once its objects are garbage-collected (§8.6);
//  - a backend-contract probe (`fallback.probe.*`): an API caller naming, with the backend's key
//    `parent_session_id`, a parent that never existed, lives in another project, has an empty or
//    id-less userContext, or was deleted — no runner and no UI sends these.
import type { Scenario, ScenarioContext } from '../harness/index.ts';
import { PARENT_KEY_BACKEND, ROUTES, runnerSaUserId } from '../harness/platform/contract.ts';
import type { SimRunner } from '../harness/sim/runner.ts';
import type { SimUser } from '../harness/sim/users.ts';
import { readSession, userHeaders, type HttpResult, type ScenarioEnv, type SessionView } from './support/env.ts';
import { inEnv } from './support/run.ts';
import { deleteSessionCR, fullIdentityOf, sameContext, sleep, writeSessionCR } from './support/sessions.ts';
import { createAsUser, createWithRetry, Namer, runnerOf } from './support/tree.ts';

export const FALLBACK_SCENARIO = 'fallback';

export const fallbackAssertion = {
  noParent: 'fallback.no-parent',
  neverExisted: 'fallback.probe.parent-never-existed',
  otherProject: 'fallback.probe.parent-in-other-project',
  emptyUserContext: 'fallback.probe.parent-empty-userContext',
  withoutUserId: 'fallback.probe.parent-without-userId',
  runnerEmptyUserContext: 'fallback.runner.parent-empty-userContext',
  runnerWithoutUserId: 'fallback.runner.parent-without-userId',
  childrenKeepIdentity: 'fallback.deleted-parent.children-keep-identity',
  deletedParentFallsBack: 'fallback.probe.deleted-parent.create-falls-back',
  deadTokenRefused: 'fallback.runner.deleted-parent.token-refused',
};

const isProbe = (assertion: string) => assertion.includes('.probe.');

/** The backend's key only: what an API caller would send to name a parent. */
const parentBody = (parent: string) => ({ [PARENT_KEY_BACKEND]: parent, initialPrompt: 'harness fallback child' });

const RUNNER_TIMEOUT_MS = 60_000;

/** One create case: 201 and exactly the expected userContext, else a finding. */
async function checkCreate(
  ctx: ScenarioContext,
  env: ScenarioEnv,
  namer: Namer,
  c: { assertion: string; namespace: string; path: string[]; what: string; expected: SessionView['userContext']; send: () => Promise<HttpResult>; owner?: SimUser; creator?: SimRunner },
): Promise<string | undefined> {
  const probe = isProbe(c.assertion) ? { probe: true } : {};
  const r = await createWithRetry(env, c.send);
  const name: string | undefined = r.status === 201 ? r.body?.name : undefined;
  if (name) namer.add(name, c.path[c.path.length - 1]);
  env.tracker.track(c.namespace, name, { path: c.path, owner: c.owner, creator: c.creator, sentAt: r.sentAt });
  const view = name ? await readSession(env, c.namespace, name) : undefined;
  if (view && sameContext(view.userContext, c.expected)) {
    ctx.record({ assertion: c.assertion, status: 'passed', sessionPath: c.path, ...probe });
    return name;
  }
  const actual = name ? { status: r.status, userContext: namer.normalize(view?.userContext ?? null) } : { status: r.status, error: namer.normalize(r.body?.error ?? null) };
  ctx.record({
    assertion: c.assertion,
    sessionPath: c.path,
    expected: { status: 201, userContext: namer.normalize(c.expected) },
    actual,
    message:
      r.status >= 500
        ? `${c.what}: the backend answered ${r.status} instead of falling back`
        : r.status !== 201
          ? `${c.what}: create answered ${r.status}, expected 201`
          : `${c.what}: the child got ${JSON.stringify(namer.normalize(view?.userContext ?? null))} instead of the caller's own identity`,
    repro: ctx.repro(),
    ...probe,
  });
  return name;
}

async function probeCases(ctx: ScenarioContext, env: ScenarioEnv, namer: Namer, ns: string, other: string, caller: SimUser, stranger: SimUser): Promise<{ empty: string; noId: string }> {
  const seed = ctx.config.seed;
  const asCaller = (body: Record<string, unknown>) => () => env.http('POST', ROUTES.sessions(ns), { token: env.proxyToken, headers: userHeaders(caller), body });
  const expected = fullIdentityOf(caller);
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.noParent, namespace: ns, path: ['no-parent'], what: 'a user\'s create without a parent', expected, owner: caller, send: asCaller({ initialPrompt: 'harness no parent' }) });

  const ghost = `session-never-existed-s${seed}`;
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.neverExisted, namespace: ns, path: [ghost, 'child'], what: `an API caller naming a parent (${ghost}) that never existed`, expected, owner: caller, send: asCaller(parentBody(ghost)) });

  // A session of another user, in another project: names are namespace-local.
  const foreign = await createAsUser(env, other, stranger, { initialPrompt: 'harness foreign parent' }, { path: ['other-project-parent'] });
  if (foreign.status === 201) {
    namer.add(foreign.body.name, 'other-project-parent');
    await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.otherProject, namespace: ns, path: ['other-project-parent', 'child'], what: 'an API caller naming a parent in another project', expected, owner: caller, send: asCaller(parentBody(foreign.body.name)) });
  } else ctx.skip(fallbackAssertion.otherProject, `could not create the other project's session (${foreign.status})`, { probe: true });

  // Parents the backend would never write: with pods (no desired phase), so their runners run.
  const empty = `harness-parent-empty-s${seed}`;
  await writeSessionCR(env, ns, empty, ctx.runId, {}, { runner: true });
  namer.add(empty, 'empty-parent');
  env.tracker.track(ns, empty, { path: ['empty-parent'] });
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.emptyUserContext, namespace: ns, path: ['empty-parent', 'child'], what: 'an API caller naming a parent with an empty userContext', expected, owner: caller, send: asCaller(parentBody(empty)) });

  const noId = `harness-parent-no-userid-s${seed}`;
  await writeSessionCR(env, ns, noId, ctx.runId, { displayName: 'Parent Without UserId', groups: ['orphans'] }, { runner: true });
  namer.add(noId, 'id-less-parent');
  env.tracker.track(ns, noId, { path: ['id-less-parent'] });
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.withoutUserId, namespace: ns, path: ['id-less-parent', 'child'], what: 'an API caller naming a parent whose userContext lacks userId', expected, owner: caller, send: asCaller(parentBody(noId)) });
  return { empty, noId };
}

/** The runners of the harness-written parents create their children as runners do: nothing to inherit, so the runner's own identity. */
async function runnerCases(ctx: ScenarioContext, env: ScenarioEnv, namer: Namer, ns: string, parents: { empty: string; noId: string }): Promise<void> {
  const cases = [
    { assertion: fallbackAssertion.runnerEmptyUserContext, parent: parents.empty, id: 'empty-parent', what: 'the runner of a session with an empty userContext' },
    { assertion: fallbackAssertion.runnerWithoutUserId, parent: parents.noId, id: 'id-less-parent', what: 'the runner of a session whose userContext lacks userId' },
  ];
  for (const c of cases) {
    let runner: SimRunner;
    try {
      runner = await runnerOf(env, ns, c.parent, Date.now() + RUNNER_TIMEOUT_MS, ctx.signal);
    } catch (err) {
      ctx.skip(c.assertion, `the parent's runner pod did not appear: ${(err as Error).message}`);
      continue;
    }
    // No userId on the session: its runner ServiceAccount carries no owner, so it is who it is.
    const expected = { userId: runnerSaUserId(ns, c.parent), displayName: '', groups: [] };
    await checkCreate(ctx, env, namer, { assertion: c.assertion, namespace: ns, path: [c.id, 'runner-child'], what: c.what, expected, creator: runner, send: () => runner.createSession({ initialPrompt: 'harness runner child' }) });
  }
}

async function deletedParentCases(ctx: ScenarioContext, env: ScenarioEnv, namer: Namer, ns: string, owner: SimUser): Promise<void> {
  const all = [fallbackAssertion.childrenKeepIdentity, fallbackAssertion.deletedParentFallsBack, fallbackAssertion.deadTokenRefused];
  const skipAll = (reason: string) => {
    for (const a of all) ctx.skip(a, reason, isProbe(a) ? { probe: true } : undefined);
  };
  const root = await createAsUser(env, ns, owner, { initialPrompt: 'harness parent to delete' }, { path: ['R'] });
  if (root.status !== 201) return skipAll(`root create answered ${root.status}`);
  const rootName: string = root.body.name;
  namer.add(rootName, 'R');
  const rootRunner = await runnerOf(env, ns, rootName, Date.now() + RUNNER_TIMEOUT_MS, ctx.signal);
  const child = await createWithRetry(env, () => rootRunner.createSession({ initialPrompt: 'harness child of R' }));
  if (child.status !== 201) return skipAll(`the runner of R answered ${child.status} to its create`);
  const childName: string = child.body.name;
  namer.add(childName, 'R.0');
  env.tracker.track(ns, childName, { path: ['R', 'R.0'], owner, creator: rootRunner, sentAt: child.sentAt });
  const childRunner = await runnerOf(env, ns, childName, Date.now() + RUNNER_TIMEOUT_MS, ctx.signal);
  const before = await readSession(env, ns, childName);
  // The child runner's own identity, from a create that names no parent (a probe: runners always name one).
  const base = await createWithRetry(env, () => childRunner.probe('POST', { initialPrompt: 'harness baseline' }));
  const baseline = base.status === 201 ? (await readSession(env, ns, base.body.name))?.userContext : undefined;
  if (base.status === 201) {
    namer.add(base.body.name, 'R.0-baseline');
    env.tracker.track(ns, base.body.name, { path: ['R', 'R.0', 'R.0-baseline'], creator: childRunner, sentAt: base.sentAt });
  }

  env.tracker.expectDeleted(ns, rootName);
  await deleteSessionCR(env, ns, rootName);

  const after = await readSession(env, ns, childName);
  const path = ['R', 'R.0'];
  if (after && sameContext(after.userContext, before?.userContext)) ctx.record({ assertion: fallbackAssertion.childrenKeepIdentity, status: 'passed', sessionPath: path });
  else
    ctx.record({
      assertion: fallbackAssertion.childrenKeepIdentity,
      sessionPath: path,
      expected: { exists: true, userContext: namer.normalize(before?.userContext ?? null) },
      actual: after ? { exists: true, userContext: namer.normalize(after.userContext ?? null) } : { exists: false },
      message: after ? 'deleting the parent changed its child\'s userContext' : 'deleting the parent deleted its child',
      repro: ctx.repro(),
    });

  if (!baseline) ctx.skip(fallbackAssertion.deletedParentFallsBack, `the child runner's baseline create answered ${base.status}`, { probe: true });
  else
    await checkCreate(ctx, env, namer, {
      assertion: fallbackAssertion.deletedParentFallsBack,
      namespace: ns,
      path: ['R', 'R.0', 'R.0.0'],
      what: 'an API caller with the child runner\'s token naming the deleted parent',
      expected: baseline,
      creator: childRunner,
      send: () => childRunner.probe('POST', parentBody(rootName)),
    });

  await deadTokenCase(ctx, rootRunner);
}

/**
 * The deleted parent's runner keeps running with its token (the kubelet keeps the file): its
 * list_sessions and create_session must be refused (401/403) once its ServiceAccount is
 * garbage-collected. Until then they may still work (200); a 5xx on the way is a finding (the
 * backend let a revoked token through its project check, e.g. from a cache, and failed later).
 */
async function deadTokenCase(ctx: ScenarioContext, runner: SimRunner): Promise<void> {
  const refused = (s: number) => s === 401 || s === 403;
  const started = Date.now();
  let last: HttpResult = { status: 0, body: undefined };
  let request = 'list_sessions';
  while (Date.now() - started < 30_000 && !ctx.signal.aborted) {
    last = await runner.listSessions();
    if (refused(last.status) || last.status >= 500) break;
    await sleep(250);
  }
  if (refused(last.status)) {
    request = 'create_session';
    last = await runner.createSession({ initialPrompt: 'harness dead token' });
  }
  if (refused(last.status)) {
    ctx.record({ assertion: fallbackAssertion.deadTokenRefused, status: 'passed', sessionPath: ['R'] });
    return;
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  ctx.record({
    assertion: fallbackAssertion.deadTokenRefused,
    sessionPath: ['R'],
    expected: { status: '401 or 403' },
    actual: { request, status: last.status, error: last.body?.error ?? null },
    message:
      last.status >= 500
        ? `the deleted parent's runner (${request}) got ${last.status} (${last.body?.error ?? 'no error body'}) instead of 401/403`
        : `the deleted parent's runner token still works ${seconds} s after the delete (${request} answered ${last.status})`,
    repro: ctx.repro(),
  });
}

export const fallback: Scenario = {
  name: FALLBACK_SCENARIO,
  description: 'unusable parents (none, missing, deleted, foreign project, empty or id-less userContext) fall back to the caller with 201',
  async run(ctx) {
    await inEnv(ctx, { users: 2 }, async (env) => {
      const ns = await env.project('fallback');
      const other = await env.project('fallback-other');
      const namer = new Namer();
      const parents = await probeCases(ctx, env, namer, ns, other, env.users[0], env.users[1]);
      await runnerCases(ctx, env, namer, ns, parents);
      await deletedParentCases(ctx, env, namer, ns, env.users[0]);
    });
  },
};
