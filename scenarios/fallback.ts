// fallback: a create whose parent cannot be used must still succeed (201, never 5xx) with the
// caller's own identity (contract §3.1 step 5): no parent, a parent that never existed, one in
// another project, one with an empty userContext, one whose userContext lacks userId. A parent
// deleted mid-tree: its children keep their identity, a create naming it falls back, and its
// runner token is refused (401/403) once the operator's objects are garbage-collected (§8.6).
import type { Scenario, ScenarioContext } from '../harness/index.ts';
import { PARENT_KEY_BACKEND, PARENT_KEY_RUNNER, ROUTES } from '../harness/platform/contract.ts';
import type { SimUser } from '../harness/sim/users.ts';
import { readSession, setupEnv, userHeaders, type HttpResult, type ScenarioEnv, type SessionView } from './support/env.ts';
import { deleteSessionCR, fullIdentityOf, runnerToken, sameContext, sleep, writeSessionCR } from './support/sessions.ts';
import { createAsUser, createWithRetry, Namer } from './support/tree.ts';

export const FALLBACK_SCENARIO = 'fallback';

export const fallbackAssertion = {
  noParent: 'fallback.no-parent',
  neverExisted: 'fallback.parent-never-existed',
  otherProject: 'fallback.parent-in-other-project',
  emptyUserContext: 'fallback.parent-empty-userContext',
  withoutUserId: 'fallback.parent-without-userId',
  childrenKeepIdentity: 'fallback.deleted-parent.children-keep-identity',
  deletedParentFallsBack: 'fallback.deleted-parent.create-falls-back',
  deadTokenRefused: 'fallback.deleted-parent.token-refused',
};

/** Both spellings, so the lookup happens whichever key the backend reads. */
const parentBody = (parent: string) => ({ [PARENT_KEY_BACKEND]: parent, [PARENT_KEY_RUNNER]: parent, initialPrompt: 'harness fallback child' });

/** One create case: 201 and exactly the expected userContext, else a finding. */
async function checkCreate(
  ctx: ScenarioContext,
  env: ScenarioEnv,
  namer: Namer,
  c: { assertion: string; namespace: string; path: string[]; what: string; expected: SessionView['userContext']; send: () => Promise<HttpResult> },
): Promise<string | undefined> {
  const r = await createWithRetry(c.send);
  const name: string | undefined = r.status === 201 ? r.body?.name : undefined;
  if (name) namer.add(name, c.path[c.path.length - 1]);
  const view = name ? await readSession(env, c.namespace, name) : undefined;
  if (view && sameContext(view.userContext, c.expected)) {
    ctx.record({ assertion: c.assertion, status: 'passed', sessionPath: c.path });
    return name;
  }
  const actual = name ? { status: r.status, userContext: namer.normalize(view?.userContext ?? null) } : { status: r.status, error: namer.normalize(r.body?.error ?? null) };
  ctx.record({
    assertion: c.assertion,
    sessionPath: c.path,
    expected: { status: 201, userContext: c.expected },
    actual,
    message:
      r.status >= 500
        ? `${c.what}: the backend answered ${r.status} instead of falling back`
        : r.status !== 201
          ? `${c.what}: create answered ${r.status}, expected 201`
          : `${c.what}: the child got ${JSON.stringify(namer.normalize(view?.userContext ?? null))} instead of the caller's own identity`,
    repro: ctx.repro(),
  });
  return name;
}

async function humanCases(ctx: ScenarioContext, env: ScenarioEnv, namer: Namer, ns: string, other: string, caller: SimUser, stranger: SimUser): Promise<void> {
  const seed = ctx.config.seed;
  const asCaller = (body: Record<string, unknown>) => () => env.http('POST', ROUTES.sessions(ns), { token: env.proxyToken, headers: userHeaders(caller), body });
  const expected = fullIdentityOf(caller);
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.noParent, namespace: ns, path: ['no-parent'], what: 'a create without a parent', expected, send: asCaller({ initialPrompt: 'harness no parent' }) });

  const ghost = `session-never-existed-s${seed}`;
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.neverExisted, namespace: ns, path: [ghost, 'child'], what: `a parent (${ghost}) that never existed`, expected, send: asCaller(parentBody(ghost)) });

  // A session of another user, in another project: names are namespace-local.
  const foreign = await createAsUser(env, other, stranger, { initialPrompt: 'harness foreign parent' });
  if (foreign.status === 201) {
    namer.add(foreign.body.name, 'other-project-parent');
    await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.otherProject, namespace: ns, path: ['other-project-parent', 'child'], what: 'a parent in another project', expected, send: asCaller(parentBody(foreign.body.name)) });
  } else ctx.skip(fallbackAssertion.otherProject, `could not create the other project's session (${foreign.status})`);

  const empty = `harness-parent-empty-s${seed}`;
  await writeSessionCR(env, ns, empty, ctx.runId, {});
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.emptyUserContext, namespace: ns, path: [empty, 'child'], what: 'a parent with an empty userContext', expected, send: asCaller(parentBody(empty)) });

  const noId = `harness-parent-no-userid-s${seed}`;
  await writeSessionCR(env, ns, noId, ctx.runId, { displayName: 'Parent Without UserId', groups: ['orphans'] });
  await checkCreate(ctx, env, namer, { assertion: fallbackAssertion.withoutUserId, namespace: ns, path: [noId, 'child'], what: 'a parent whose userContext lacks userId', expected, send: asCaller(parentBody(noId)) });
}

async function deletedParentCases(ctx: ScenarioContext, env: ScenarioEnv, namer: Namer, ns: string, owner: SimUser): Promise<void> {
  const root = await createAsUser(env, ns, owner, { initialPrompt: 'harness parent to delete' });
  if (root.status !== 201) {
    for (const a of [fallbackAssertion.childrenKeepIdentity, fallbackAssertion.deletedParentFallsBack, fallbackAssertion.deadTokenRefused]) ctx.skip(a, `root create answered ${root.status}`);
    return;
  }
  const rootName: string = root.body.name;
  namer.add(rootName, 'R');
  const rootToken = await runnerToken(ctx, env, ns, rootName);
  const child = await createWithRetry(() => env.http('POST', ROUTES.sessions(ns), { token: rootToken, body: { [PARENT_KEY_BACKEND]: rootName, initialPrompt: 'harness child of R' } }));
  if (child.status !== 201) {
    for (const a of [fallbackAssertion.childrenKeepIdentity, fallbackAssertion.deletedParentFallsBack, fallbackAssertion.deadTokenRefused]) ctx.skip(a, `child create answered ${child.status}`);
    return;
  }
  const childName: string = child.body.name;
  namer.add(childName, 'R.0');
  const childToken = await runnerToken(ctx, env, ns, childName);
  const before = await readSession(env, ns, childName);
  // The child runner's own identity, from a create that names no parent.
  const base = await createWithRetry(() => env.http('POST', ROUTES.sessions(ns), { token: childToken, body: { initialPrompt: 'harness baseline' } }));
  const baseline = base.status === 201 ? (await readSession(env, ns, base.body.name))?.userContext : undefined;
  if (base.status === 201) namer.add(base.body.name, 'R.0-baseline');

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

  if (!baseline) ctx.skip(fallbackAssertion.deletedParentFallsBack, `the child runner's baseline create answered ${base.status}`);
  else
    await checkCreate(ctx, env, namer, {
      assertion: fallbackAssertion.deletedParentFallsBack,
      namespace: ns,
      path: ['R', 'R.0', 'R.0.0'],
      what: 'a create naming the deleted parent',
      expected: baseline,
      send: () => env.http('POST', ROUTES.sessions(ns), { token: childToken, body: parentBody(rootName) }),
    });

  await deadTokenCase(ctx, env, ns, rootToken);
}

/**
 * The dead parent's token: refused (401/403) once its ServiceAccount is garbage-collected. Until
 * then it may still work (200); a 5xx on the way is a finding (the backend let a revoked token
 * through its project check, e.g. from a cache, and failed later). Bounded wait.
 */
async function deadTokenCase(ctx: ScenarioContext, env: ScenarioEnv, ns: string, rootToken: string): Promise<void> {
  const refused = (s: number) => s === 401 || s === 403;
  const started = Date.now();
  let last: HttpResult = { status: 0, body: undefined };
  while (Date.now() - started < 30_000 && !ctx.signal.aborted) {
    last = await env.http('GET', ROUTES.sessions(ns), { token: rootToken });
    if (refused(last.status) || last.status >= 500) break;
    await sleep(250);
  }
  if (refused(last.status)) last = await env.http('POST', ROUTES.sessions(ns), { token: rootToken, body: { initialPrompt: 'harness dead token' } });
  if (refused(last.status)) {
    ctx.record({ assertion: fallbackAssertion.deadTokenRefused, status: 'passed', sessionPath: ['R'] });
    return;
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  ctx.record({
    assertion: fallbackAssertion.deadTokenRefused,
    sessionPath: ['R'],
    expected: { status: '401 or 403' },
    actual: { status: last.status, error: last.body?.error ?? null },
    message:
      last.status >= 500
        ? `the deleted parent's runner token got ${last.status} (${last.body?.error ?? 'no error body'}) instead of 401/403`
        : `the deleted parent's runner token still works ${seconds} s after the delete (last answer ${last.status})`,
    repro: ctx.repro(),
  });
}

export const fallback: Scenario = {
  name: FALLBACK_SCENARIO,
  description: 'unusable parents (none, missing, deleted, foreign project, empty or id-less userContext) fall back to the caller with 201',
  async run(ctx) {
    const env = await setupEnv(ctx, { users: 2 });
    try {
      const ns = await env.project('fallback');
      const other = await env.project('fallback-other');
      const namer = new Namer();
      await humanCases(ctx, env, namer, ns, other, env.users[0], env.users[1]);
      await deletedParentCases(ctx, env, namer, ns, env.users[0]);
    } finally {
      await env.cleanup();
    }
  },
};
