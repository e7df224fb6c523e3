// Reference backend HTTP surface beyond identity: list paging/search, get/delete/start/stop codes,
// projects, credential save validation, health. Profile reference (UUID names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN_DESIRED_PHASE, ERR, LABEL_MANAGED, ROUTES } from '../../harness/platform/contract.ts';
import { call, getSessionCR, makeProject, startStack, type Stack } from './stack.ts';

const P = 'api';

describe('reference backend API', () => {
  let st: Stack;
  let token: string;
  const names: string[] = [];
  beforeAll(async () => {
    st = await startStack('reference');
    token = st.platform.testUserToken;
    await makeProject(st.core, P);
    for (let i = 0; i < 5; i++) {
      const r = await call(st.backendUrl, 'POST', ROUTES.sessions(P), { token, headers: { 'X-Forwarded-User': 'lister' }, body: { displayName: `item ${i}`, initialPrompt: i === 3 ? 'find the needle' : 'hay', annotations: { [ANN_DESIRED_PHASE]: 'Stopped' } } });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ message: 'Agentic session created successfully', autoBranch: `ambient/${r.body.name}` });
      names.push(r.body.name);
      await new Promise((res) => setTimeout(res, 1100)); // distinct creationTimestamps (second resolution)
    }
  }, 150_000);
  afterAll(async () => st?.stop());

  it('health', async () => {
    expect(await call(st.backendUrl, 'GET', ROUTES.health)).toEqual({ status: 200, body: { status: 'healthy' } });
  });

  it('lists newest first with limit/offset/hasMore/nextOffset and search', async () => {
    const page = await call(st.backendUrl, 'GET', `${ROUTES.sessions(P)}?limit=2&offset=1`, { token });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ totalCount: 5, limit: 2, offset: 1, hasMore: true, nextOffset: 3 });
    expect(page.body.items.map((i: any) => i.metadata.name)).toEqual([names[3], names[2]]);
    const last = await call(st.backendUrl, 'GET', `${ROUTES.sessions(P)}?limit=2&offset=4`, { token });
    expect(last.body).toMatchObject({ hasMore: false, totalCount: 5 });
    expect(last.body.nextOffset).toBeUndefined();
    const found = await call(st.backendUrl, 'GET', `${ROUTES.sessions(P)}?search=NEEDLE`, { token });
    expect(found.body.items.map((i: any) => i.metadata.name)).toEqual([names[3]]);
    const capped = await call(st.backendUrl, 'GET', `${ROUTES.sessions(P)}?limit=1000`, { token });
    expect(capped.body.limit).toBe(100);
  });

  it('get / delete / start / stop status codes', async () => {
    const got = await call(st.backendUrl, 'GET', ROUTES.session(P, names[0]), { token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ kind: 'AgenticSession', metadata: { name: names[0] }, autoBranch: `ambient/${names[0]}` });
    expect(await call(st.backendUrl, 'GET', ROUTES.session(P, 'session-nope'), { token })).toEqual({ status: 404, body: { error: ERR.sessionNotFound } });
    expect((await call(st.backendUrl, 'POST', ROUTES.sessionStop(P, names[1]), { token })).status).toBe(202);
    expect((await getSessionCR(st.custom, P, names[1])).metadata.annotations?.[ANN_DESIRED_PHASE]).toBe('Stopped');
    expect((await call(st.backendUrl, 'POST', ROUTES.sessionStop(P, 'session-nope'), { token })).status).toBe(404);
    expect((await call(st.backendUrl, 'POST', ROUTES.sessionStart(P, 'session-nope'), { token })).status).toBe(404);
    const del = await call(st.backendUrl, 'DELETE', ROUTES.session(P, names[4]), { token });
    expect(del).toEqual({ status: 204, body: undefined });
    expect((await call(st.backendUrl, 'DELETE', ROUTES.session(P, names[4]), { token })).status).toBe(404);
  });

  it('create validation: bad body, partial userContext, negative inactivityTimeout, disabled runner', async () => {
    const post = (body: unknown) => call(st.backendUrl, 'POST', ROUTES.sessions(P), { token, body });
    expect(await post('not json')).toEqual({ status: 400, body: { error: ERR.invalidBody } });
    expect((await post({ userContext: { userId: 'x' } })).status).toBe(400);
    expect((await post({ inactivityTimeout: -1 })).status).toBe(400);
    expect((await post({ runnerType: 'gemini-cli' })).body.error).toBe(ERR.runnerNotEnabled('gemini-cli'));
    // userId in the body is never trusted
    const r = await call(st.backendUrl, 'POST', ROUTES.sessions(P), { token, headers: { 'X-Forwarded-User': 'real' }, body: { userContext: { userId: 'forged', displayName: 'F', groups: [] } } });
    expect((await getSessionCR(st.custom, P, r.body.name)).spec.userContext.userId).toBe('real');
  });

  it('projects: create (managed namespace + admin binding), 409 on repeat, list; 400 on bad names', async () => {
    const c = await call(st.backendUrl, 'POST', ROUTES.projects, { token, body: { name: 'made-by-api' } });
    expect(c.status).toBe(201);
    const ns = await st.core.readNamespace({ name: 'made-by-api' });
    expect(ns.metadata?.labels?.[LABEL_MANAGED]).toBe('true');
    expect((await call(st.backendUrl, 'POST', ROUTES.projects, { token, body: { name: 'made-by-api' } })).status).toBe(409);
    expect((await call(st.backendUrl, 'POST', ROUTES.projects, { token, body: { name: 'Bad_Name' } })).status).toBe(400);
    const list = await call(st.backendUrl, 'GET', ROUTES.projects, { token });
    expect(list.body.items.map((i: any) => i.name)).toEqual(expect.arrayContaining(['made-by-api', P]));
  });

  it('credential save endpoints need an identity and a valid user id / token shape', async () => {
    expect(await call(st.backendUrl, 'POST', ROUTES.githubPat, { token, body: { token: 'ghp_x' } })).toEqual({ status: 401, body: { error: ERR.userAuthRequired } });
    expect((await call(st.backendUrl, 'POST', ROUTES.githubPat, { token, headers: { 'X-Forwarded-User': 'u' }, body: { token: 'nope' } })).status).toBe(400);
    expect((await call(st.backendUrl, 'POST', ROUTES.githubPat, { token, headers: { 'X-Forwarded-User': 'u' }, body: { token: `ghp_${'a'.repeat(36)}` } })).status).toBe(200);
    expect((await call(st.backendUrl, 'POST', ROUTES.gitlabConnect, { token, headers: { 'X-Forwarded-User': 'u' }, body: { personalAccessToken: `glpat-${'b'.repeat(20)}` } })).status).toBe(200);
  });
});
