// The contract's §3.3 matrix and §9 assertions, parameterised by what each behaviour profile must
// produce. Each profile's test file calls describeProfile() with its expectations; everything is
// driven through the backend's HTTP API and the admin kubeconfig.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN_PARENT_SESSION, CREDENTIAL_SECRETS, ERR, LOG, ROUTES, runnerSaUserId, SESSION_NAME_PATTERNS } from '../../harness/platform/contract.ts';
import type { ProfileName } from '../../harness/platform/reference/profiles.ts';
import { headerValue } from '../../harness/sim/users.ts';
import { call, getSessionCR, makeProject, runnerToken, startStack, type Stack } from './stack.ts';

export interface ProfileExpectations {
  /** Child created by the parent's runner with `parentSessionId` (A2). */
  camelChild: 'sa-identity' | 'owner-id-only' | 'full-copy';
  /** A human (bob) naming alice's session as parent_session_id (A4): whose identity wins. */
  humanNamingOthersParent: 'alice' | 'bob';
  /** A runner (owned by alice) asking for bob's session's credentials (A6 at H). */
  foreignCredentialStatus: 200 | 403;
  /** 20 creates within one second (A8). */
  collisions: boolean;
  namePattern: RegExp;
}

const P = 'proj-a';
const alice = { raw: 'alice@example.com', id: 'alice-example.com', name: 'Alice Ångström', groups: 'dev,ops' };
const bob = { raw: 'bob', id: 'bob', name: 'Bob', groups: 'qa' };

export function describeProfile(profile: ProfileName, want: ProfileExpectations): void {
  describe(`profile ${profile}`, () => {
    let st: Stack;
    let userToken: string;
    let aliceRoot: string;
    let bobRoot: string;
    let aliceRunner: string;
    // Header bytes are UTF-8 on the wire, as the oauth-proxy sends them.
    const asUser = (u: typeof alice) => ({ 'X-Forwarded-User': u.raw, 'X-Forwarded-Preferred-Username': headerValue(u.name), 'X-Forwarded-Groups': u.groups });
    let lastCreateSecond = 0;
    const create = async (token: string, body: unknown, headers: Record<string, string> = {}) => {
      // Second-based names (M) collide when two creates share a second; only A8 wants that.
      // The backend names at processing time, so the previous create's second ended by its response.
      if (want.collisions && Math.floor(Date.now() / 1000) <= lastCreateSecond) await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 10));
      const res = await call(st.backendUrl, 'POST', ROUTES.sessions(P), { token, body, headers });
      lastCreateSecond = Math.max(lastCreateSecond, Math.floor(Date.now() / 1000));
      return res;
    };

    beforeAll(async () => {
      st = await startStack(profile);
      userToken = st.platform.testUserToken;
      await makeProject(st.core, P);
      await makeProject(st.core, 'proj-b');
      for (const u of [alice, bob]) {
        const r = await call(st.backendUrl, 'POST', ROUTES.githubPat, { token: userToken, headers: { 'X-Forwarded-User': u.raw }, body: { token: `ghp_${'x'.repeat(35)}${u === alice ? 'A' : 'B'}` } });
        expect(r.status).toBe(200);
      }
      const a = await create(userToken, { initialPrompt: 'root of alice' }, asUser(alice));
      const b = await create(userToken, { initialPrompt: 'root of bob' }, asUser(bob));
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      aliceRoot = a.body.name;
      bobRoot = b.body.name;
      aliceRunner = await runnerToken(st.core, P, aliceRoot);
    }, 150_000);

    afterAll(async () => {
      await st?.stop();
    });

    it('root sessions carry the forwarded identity; names follow the profile (A5, A8 shape)', async () => {
      const cr = await getSessionCR(st.custom, P, aliceRoot);
      expect(cr.spec.userContext).toEqual({ userId: alice.id, displayName: alice.name, groups: ['dev', 'ops'] });
      expect(aliceRoot).toMatch(want.namePattern);
    });

    it('A1: runner + parent_session_id copies the whole userContext and records the parent', async () => {
      const r = await create(aliceRunner, { parent_session_id: aliceRoot, initialPrompt: 'child' });
      expect(r.status).toBe(201);
      const child = await getSessionCR(st.custom, P, r.body.name);
      const parent = await getSessionCR(st.custom, P, aliceRoot);
      expect(child.spec.userContext).toEqual(parent.spec.userContext);
      expect(child.metadata.annotations?.[ANN_PARENT_SESSION]).toBe(aliceRoot);
      expect(child.spec.environmentVariables.PARENT_SESSION_ID).toBe(aliceRoot);
    });

    it('A2/A6: runner + parentSessionId (the runner\'s real payload) and the child\'s GitHub credentials', async () => {
      const r = await create(aliceRunner, { sessionName: 'ignored', parentSessionId: aliceRoot, initialPrompt: 'child' });
      expect(r.status).toBe(201);
      const child = await getSessionCR(st.custom, P, r.body.name);
      const expected =
        want.camelChild === 'sa-identity'
          ? { userId: runnerSaUserId(P, aliceRoot), displayName: '', groups: [] }
          : want.camelChild === 'owner-id-only'
            ? { userId: alice.id, displayName: '', groups: [] }
            : { userId: alice.id, displayName: alice.name, groups: ['dev', 'ops'] };
      expect(child.spec.userContext).toEqual(expected);
      const recorded = want.camelChild === 'full-copy';
      expect(child.metadata.annotations?.[ANN_PARENT_SESSION]).toBe(recorded ? aliceRoot : undefined);
      expect(child.spec.environmentVariables.PARENT_SESSION_ID).toBe(recorded ? aliceRoot : undefined);
      const childRunner = await runnerToken(st.core, P, r.body.name);
      const cred = await call(st.backendUrl, 'GET', ROUTES.credentials(P, r.body.name, 'github'), { token: childRunner });
      if (want.camelChild === 'sa-identity') {
        expect(cred).toEqual({ status: 404, body: { error: ERR.githubNotAvailable } });
      } else {
        expect(cred.status).toBe(200);
        expect(cred.body.provider).toBe('github');
        expect(cred.body.token).toMatch(/^ghp_x+A$/);
      }
    });

    it('A3: a missing parent still records the parent, falls back to the caller, logs the failure', async () => {
      const r = await create(aliceRunner, { parent_session_id: 'session-does-not-exist' });
      expect(r.status).toBe(201);
      const child = await getSessionCR(st.custom, P, r.body.name);
      expect(child.metadata.annotations?.[ANN_PARENT_SESSION]).toBe('session-does-not-exist');
      expect(child.spec.environmentVariables.PARENT_SESSION_ID).toBe('session-does-not-exist');
      const fallbackId = want.camelChild === 'sa-identity' ? runnerSaUserId(P, aliceRoot) : alice.id;
      expect(child.spec.userContext.userId).toBe(fallbackId);
      const log = await readFile(st.platform.backend.logPath, 'utf8');
      expect(log).toContain(LOG.parentFetchFailed);
    });

    it('A4: a human naming another user\'s session as parent', async () => {
      const r = await create(userToken, { parent_session_id: aliceRoot }, asUser(bob));
      expect(r.status).toBe(201);
      const child = await getSessionCR(st.custom, P, r.body.name);
      expect(child.spec.userContext.userId).toBe(want.humanNamingOthersParent === 'alice' ? alice.id : bob.id);
    });

    it('A5: no parent, no headers → SelfSubjectReview identity; X-Forwarded-User is sanitized', async () => {
      const r1 = await create(userToken, {});
      expect(r1.status).toBe(201);
      expect((await getSessionCR(st.custom, P, r1.body.name)).spec.userContext).toEqual({ userId: 'system-serviceaccount-ambient-code-test-user', displayName: '', groups: [] });
      const r2 = await create(userToken, {}, { 'X-Forwarded-User': 'Foo@Bar.com' });
      expect((await getSessionCR(st.custom, P, r2.body.name)).spec.userContext.userId).toBe('Foo-Bar.com');
    });

    it('A6: a runner asking for another user\'s session credentials', async () => {
      const r = await call(st.backendUrl, 'GET', ROUTES.credentials(P, bobRoot, 'github'), { token: aliceRunner });
      expect(r.status).toBe(want.foreignCredentialStatus);
      if (r.status === 403) expect(r.body).toEqual({ error: ERR.accessDenied });
    });

    it('A7: Jira 500 without the Secret, 404 without the key, 200 with it', async () => {
      const path = ROUTES.credentials(P, aliceRoot, 'jira');
      expect(await call(st.backendUrl, 'GET', path, { token: aliceRunner })).toEqual({ status: 500, body: { error: ERR.jiraFailed } });
      const other = Buffer.from(JSON.stringify({ userId: 'someone-else', url: 'https://x.atlassian.net', email: 'x@example.com', apiToken: 'fake' })).toString('base64');
      await st.core.createNamespacedSecret({ namespace: 'ambient-code', body: { metadata: { name: CREDENTIAL_SECRETS.jira }, data: { 'someone-else': other } } });
      expect(await call(st.backendUrl, 'GET', path, { token: aliceRunner })).toEqual({ status: 404, body: { error: ERR.jiraNotConfigured } });
      const saved = await call(st.backendUrl, 'POST', ROUTES.jiraConnect, { token: userToken, headers: { 'X-Forwarded-User': alice.raw }, body: { url: 'https://acme.atlassian.net', email: alice.raw, apiToken: 'fake-jira-token' } });
      expect(saved.status).toBe(200);
      const got = await call(st.backendUrl, 'GET', path, { token: aliceRunner });
      if (want.camelChild === 'sa-identity') expect(got.status).toBe(200); // M: bot token skips the check
      expect(got).toEqual({ status: 200, body: { url: 'https://acme.atlassian.net', email: alice.raw, apiToken: 'fake-jira-token' } });
    });

    it('A9: other project 403, no token 401, garbage token 401/500', async () => {
      expect(await call(st.backendUrl, 'GET', ROUTES.sessions('proj-b'), { token: aliceRunner })).toEqual({ status: 403, body: { error: ERR.projectForbidden } });
      expect(await call(st.backendUrl, 'GET', ROUTES.sessions(P))).toEqual({ status: 401, body: { error: ERR.userTokenRequired } });
      const g = await call(st.backendUrl, 'GET', ROUTES.sessions(P), { token: 'garbage' });
      expect([401, 500]).toContain(g.status);
      expect((await call(st.backendUrl, 'GET', ROUTES.sessions('Bad_Name'), { token: userToken })).status).toBe(400);
    });

    it('A17: a chain of 5 nested creates with parent_session_id keeps the root identity', async () => {
      let parent = aliceRoot;
      for (let depth = 1; depth <= 5; depth++) {
        const token = await runnerToken(st.core, P, parent);
        const r = await create(token, { parent_session_id: parent, initialPrompt: `depth ${depth}` });
        expect(r.status).toBe(201);
        const cr = await getSessionCR(st.custom, P, r.body.name);
        expect(cr.spec.userContext).toEqual({ userId: alice.id, displayName: alice.name, groups: ['dev', 'ops'] });
        parent = r.body.name;
      }
    }, 60_000);

    it('A8: 20 parallel creates in the same second', async () => {
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20)); // start of a fresh second
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => create(userToken, { initialPrompt: `burst ${i}`, annotations: { 'ambient-code.io/desired-phase': 'Stopped' } }, asUser(alice))));
      const statuses = rs.map((r) => r.status);
      if (want.collisions) {
        expect(statuses.filter((s) => s === 500).length).toBeGreaterThanOrEqual(1);
        expect(rs.find((r) => r.status === 500)?.body).toEqual({ error: ERR.createFailed });
        for (const r of rs.filter((x) => x.status === 201)) expect(r.body.name).toMatch(SESSION_NAME_PATTERNS['unix-seconds']);
      } else {
        expect(statuses).toEqual(Array(20).fill(201));
        for (const r of rs) expect(r.body.name).toMatch(SESSION_NAME_PATTERNS.uuid);
      }
    }, 30_000);
  });
}
