// Small spawn trees on the embedded target, through the backend and simulated runners only:
// reference keeps the root's whole userContext at every depth whichever key is sent; m-6b21778
// loses the user at the first `parentSessionId` hop (each level gets its parent's runner SA).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN_PARENT_SESSION, runnerSaUserId } from '../../harness/platform/contract.ts';
import { loopbackUrlMap, SimRunner } from '../../harness/sim/runner.ts';
import { executeTree, planTree, verifyInheritance } from '../../harness/sim/spawn-tree.ts';
import { executeTreeInWorker } from '../../harness/sim/tree-worker.ts';
import { makeUsers, seedViaEndpoints, seedViaSecrets } from '../../harness/sim/users.ts';
import { makeProject, startStack, type Stack } from '../platform/stack.ts';

const P = 'tree';

/** Bounded retry (test-only): the leaf's pod appears shortly after the tree finished. */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('spawn tree, profile reference', () => {
  let st: Stack;
  const users = makeUsers(11, 2);
  beforeAll(async () => {
    st = await startStack('reference');
    await makeProject(st.core, P);
    await seedViaEndpoints(st.backendUrl, st.platform.testUserToken, users);
  }, 150_000);
  afterAll(async () => st?.stop());

  it('depth 3 / fanout 2 with mixed keys: every node carries its root user\'s whole userContext', async () => {
    const plan = planTree({ seed: 3, depth: 3, fanout: 2, keyMix: { camel: 1, snake: 1, both: 1 }, roots: 2, userCount: 2 });
    const { results, durationMs } = await executeTree(plan, { backendUrl: st.backendUrl, project: P, adminKc: st.adminKc, userToken: st.platform.testUserToken, users, concurrency: 8, deadlineMs: 40_000 });
    expect(results.map((r) => r.id)).toEqual(plan.map((n) => n.id)); // plan order
    expect(results.map((r) => [r.id, r.status, r.error])).toEqual(plan.map((n) => [n.id, 201, undefined]));
    for (const r of results) {
      const u = users[plan.find((n) => n.id === r.id)!.userIndex];
      expect(r.userContext, r.id).toEqual({ userId: u.userId, displayName: u.displayName, groups: u.groups });
      if (r.parentName) {
        expect(r.annotations?.[ANN_PARENT_SESSION]).toBe(r.parentName);
        expect(r.creator).toEqual({ kind: 'runner', serviceAccount: `ambient-session-${r.parentName}` });
      }
    }
    expect(durationMs).toBeLessThan(40_000);
    expect(verifyInheritance(plan, results, users)).toEqual({ verified: results.length, firstProblem: undefined });
    // What the check catches: another user's context, a wrong parent annotation.
    const bad = results.map((r) => ({ ...r }));
    bad[3] = { ...bad[3], userContext: { ...bad[3].userContext, userId: 'someone-else' } };
    bad[5] = { ...bad[5], annotations: { ...bad[5].annotations, [ANN_PARENT_SESSION]: 'not-the-parent' } };
    const v = verifyInheritance(plan, bad, users);
    expect(v.verified).toBe(results.length - 2);
    expect(v.firstProblem).toMatch(new RegExp(`^${bad[3].id.replace(/\./g, '\\.')}: userContext`));
    // A leaf's runner gets its root user's GitHub PAT through auth.py's path.
    const leaf = results[results.length - 1];
    const runner = await eventually(() => SimRunner.forSession(st.adminKc, P, leaf.name!, loopbackUrlMap(st.backendUrl)));
    const cred = await runner.credentials('github');
    expect(cred.status).toBe(200);
    expect(cred.body.token).toBe(users[plan[plan.length - 1].userIndex].credentials.github.token);
  }, 60_000);
});

describe('spawn tree on a worker thread, profile reference', () => {
  let st: Stack;
  const users = makeUsers(13, 1);
  beforeAll(async () => {
    st = await startStack('reference');
    await makeProject(st.core, P);
  }, 150_000);
  afterAll(async () => st?.stop());

  it('gives the same results as on the calling thread: every session created and verified', async () => {
    const plan = planTree({ seed: 9, depth: 2, fanout: 2, keyMix: { camel: 1, snake: 1, both: 1 }, userCount: 1 });
    const { results } = await executeTreeInWorker(plan, { backendUrl: st.backendUrl, project: P, adminKubeconfig: st.adminKc.exportConfig(), userToken: st.platform.testUserToken, users, concurrency: 4, deadlineMs: 40_000 });
    expect(results.map((r) => [r.id, r.status])).toEqual(plan.map((n) => [n.id, 201]));
    expect(verifyInheritance(plan, results, users).verified).toBe(plan.length);
  }, 60_000);
});

describe('spawn tree, profile m-6b21778', () => {
  let st: Stack;
  const users = makeUsers(12, 1);
  beforeAll(async () => {
    st = await startStack('m-6b21778');
    await makeProject(st.core, P);
  }, 150_000);
  afterAll(async () => st?.stop());

  it('the runner\'s real payload (camel) loses the user at the first hop', async () => {
    // Think time keeps each create in its own second: M's second-based names would collide otherwise.
    const plan = planTree({ seed: 5, depth: 2, fanout: 1, keyMix: { camel: 1, snake: 0, both: 0 }, userCount: 1 });
    const { results } = await executeTree(plan, { backendUrl: st.backendUrl, project: P, adminKc: st.adminKc, userToken: st.platform.testUserToken, users, concurrency: 1, deadlineMs: 40_000, thinkTimeMs: 1100 });
    expect(results.map((r) => [r.status, r.error])).toEqual([[201, undefined], [201, undefined], [201, undefined]]);
    expect(results[0].userContext?.userId).toBe(users[0].userId);
    expect(results[1].userContext).toEqual({ userId: runnerSaUserId(P, results[0].name!), displayName: '', groups: [] });
    expect(results[2].userContext?.userId).toBe(runnerSaUserId(P, results[1].name!));
    expect(results[1].annotations?.[ANN_PARENT_SESSION]).toBeUndefined();
    // Credentials seeded straight into the Secrets: the root's runner gets them, the child's does not.
    await seedViaSecrets(st.adminKc, users);
    const map = loopbackUrlMap(st.backendUrl);
    const root = await eventually(() => SimRunner.forSession(st.adminKc, P, results[0].name!, map));
    expect(root.env.BOT_TOKEN).toBeTruthy(); // M: env from secretKeyRef, resolved like the kubelet
    expect((await root.credentials('github')).body.token).toBe(users[0].credentials.github.token);
    expect((await root.credentials('gitlab')).body).toMatchObject({ token: users[0].credentials.gitlab.token, provider: 'gitlab' });
    const child = await eventually(() => SimRunner.forSession(st.adminKc, P, results[1].name!, map));
    expect((await child.credentials('github')).status).toBe(404);
  }, 60_000);
});
