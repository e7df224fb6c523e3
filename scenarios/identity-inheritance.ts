// identity-inheritance: spawn trees (depth/fanout/concurrency/seed from the config) where every
// child is created by its parent's runner, once with the runner's real payload (`parentSessionId`)
// and once with the backend's key (`parent_session_id`). Every child at every depth must carry the
// root user's userId; with `--strict-identity all` also displayName and groups (contract §3.3).
import type { Scenario, ScenarioContext } from '../harness/index.ts';
import { PARENT_KEY_BACKEND, PARENT_KEY_RUNNER, runnerSaUserId, type ParentKey } from '../harness/platform/contract.ts';
import type { ParentKeyMode } from '../harness/sim/runner.ts';
import type { SimUser } from '../harness/sim/users.ts';
import { setupEnv, type ScenarioEnv } from './support/env.ts';
import { nameAll, Namer, pathOf, reportTree, walkTree, type WalkedNode } from './support/tree.ts';

export const IDENTITY_SCENARIO = 'identity-inheritance';

/** The two spellings a runner may use, named by the JSON key they send. */
export const KEY_MODES: { mode: ParentKeyMode; key: ParentKey }[] = [
  { mode: 'camel', key: PARENT_KEY_RUNNER },
  { mode: 'snake', key: PARENT_KEY_BACKEND },
];

export const identityAssertion = {
  created: (key: string) => `identity.${key}.created`,
  userId: (key: string) => `identity.${key}.userId`,
  displayNameGroups: (key: string) => `identity.${key}.displayName-groups`,
};

export function treeDeadlineMs(ctx: ScenarioContext, nodes: number): number {
  return Math.max(10_000, Math.min(ctx.config.timeouts.scenarioMs - 15_000, 60_000 + nodes * 3_000));
}

export function treeSize(depth: number, fanout: number): number {
  let total = 1;
  let level = 1;
  for (let d = 0; d < depth; d++) total += level *= fanout;
  return total;
}

/** Checks every non-root node of a walked tree against the root user. */
export function checkInheritance(ctx: ScenarioContext, nodes: WalkedNode[], namer: Namer, owner: SimUser, namespace: string, key: string): void {
  const strict = ctx.config.strictIdentity === 'all';
  for (const n of nodes) {
    if (n.parentId === undefined) continue;
    const sessionPath = pathOf(nodes, n.id);
    const where = `child ${n.id} (depth ${n.depth}, created by the runner of ${n.parentId} with "${key}")`;
    if (n.status !== 201 || !n.view) {
      ctx.record({
        assertion: identityAssertion.created(key),
        sessionPath,
        expected: { status: 201 },
        actual: { status: n.status, error: namer.normalize(n.error ?? 'session not found after create') },
        message: `${where} was not created: ${n.status || 'not sent'} ${namer.normalize(n.error ?? '')}`.trim(),
        repro: ctx.repro(),
      });
      continue;
    }
    ctx.record({ assertion: identityAssertion.created(key), status: 'passed', sessionPath });
    const uc = n.view.userContext ?? {};
    const actualId = namer.normalize(uc.userId ?? null);
    if (uc.userId === owner.userId) {
      ctx.record({ assertion: identityAssertion.userId(key), status: 'passed', sessionPath });
    } else {
      const sa = actualId === runnerSaUserId(namespace, `<${n.parentId}>`) ? ' (its parent runner\'s ServiceAccount identity)' : '';
      ctx.record({
        assertion: identityAssertion.userId(key),
        sessionPath,
        expected: { userId: owner.userId },
        actual: { userId: actualId },
        message: `${where} carries userId ${JSON.stringify(actualId)}${sa} instead of the root user's ${JSON.stringify(owner.userId)}`,
        repro: ctx.repro(),
      });
    }
    if (!strict) continue;
    const expected = { displayName: owner.displayName, groups: owner.groups };
    const actual = { displayName: uc.displayName ?? null, groups: uc.groups ?? null };
    if (JSON.stringify(actual) === JSON.stringify(expected)) {
      ctx.record({ assertion: identityAssertion.displayNameGroups(key), status: 'passed', sessionPath });
    } else {
      ctx.record({
        assertion: identityAssertion.displayNameGroups(key),
        sessionPath,
        expected,
        actual,
        message: `${where} lost the root user's displayName/groups: got ${JSON.stringify(actual)}`,
        repro: ctx.repro(),
      });
    }
  }
  if (!strict) ctx.skip(identityAssertion.displayNameGroups(key), 'only userId is required; pass --strict-identity all to require displayName and groups');
}

export async function runIdentityTrees(ctx: ScenarioContext, env: ScenarioEnv, namespace: string, owner: SimUser): Promise<void> {
  const { depth, fanout, concurrency, seed } = ctx.config;
  for (const { mode, key } of KEY_MODES) {
    if (ctx.signal.aborted) return;
    if (!ctx.config.parentKeys.includes(key)) continue;
    ctx.log(`tree with "${key}": depth ${depth}, fanout ${fanout}`);
    const nodes = await walkTree(env, { namespace, owner, depth, fanout, key: mode, seed, concurrency, deadlineMs: treeDeadlineMs(ctx, treeSize(depth, fanout)), signal: ctx.signal });
    const namer = new Namer();
    nameAll(nodes, namer);
    ctx.tree(reportTree(nodes, namer, `${key}:`));
    checkInheritance(ctx, nodes, namer, owner, namespace, key);
  }
}

export const identityInheritance: Scenario = {
  name: IDENTITY_SCENARIO,
  description: 'children created by runners (parentSessionId and parent_session_id) carry the root user\'s identity at every depth',
  async run(ctx) {
    const env = await setupEnv(ctx, { users: 1 });
    try {
      const namespace = await env.project('identity');
      await runIdentityTrees(ctx, env, namespace, env.users[0]);
    } finally {
      await env.cleanup();
    }
  },
};
