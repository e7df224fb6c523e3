// identity-inheritance: spawn trees (depth/fanout/wide levels/concurrency/seed from the config)
// whose children are created by their parent's simulated runner exactly as the runner at the
// platform's commit creates them (`parentSessionId`). A second tree sends the backend's own key
// (`parent_session_id`) with the same runner tokens: a backend-contract probe, reported apart,
// because no runner sends it. Every child at every depth must carry the root user's whole identity
// (userId, displayName, groups); `--strict-identity userId` narrows that to userId (contract §3.3).
import type { RecordEntry, Scenario, ScenarioContext } from '../harness/index.ts';
import { PARENT_KEY_BACKEND, PARENT_KEY_RUNNER, runnerSaUserId, type ParentKey } from '../harness/platform/contract.ts';
import type { ParentKeyMode } from '../harness/sim/runner.ts';
import { treeSize } from '../harness/sim/spawn-tree.ts';
import type { SimUser } from '../harness/sim/users.ts';
import type { ScenarioEnv } from './support/env.ts';
import { inEnv } from './support/run.ts';
import { nameAll, Namer, pathOf, reportTree, walkTree, type WalkedNode } from './support/tree.ts';

export const IDENTITY_SCENARIO = 'identity-inheritance';

/** The trees: the runner's own request, and the backend-contract probe with the key the backend reads. */
export const KEY_MODES: { mode: ParentKeyMode; key: ParentKey; probe: boolean }[] = [
  { mode: 'camel', key: PARENT_KEY_RUNNER, probe: false },
  { mode: 'snake', key: PARENT_KEY_BACKEND, probe: true },
];

/** Assertion ids: `identity.parentSessionId.*` for runner-created children, `identity.probe.parent_session_id.*` for the probe. */
const prefixOf = (key: string) => (KEY_MODES.find((k) => k.key === key)?.probe ? `identity.probe.${key}` : `identity.${key}`);
export const identityAssertion = {
  prefix: (key: string) => `${prefixOf(key)}.`,
  created: (key: string) => `${prefixOf(key)}.created`,
  userId: (key: string) => `${prefixOf(key)}.userId`,
  displayNameGroups: (key: string) => `${prefixOf(key)}.displayName-groups`,
};

export function treeDeadlineMs(ctx: ScenarioContext, nodes: number): number {
  return Math.max(10_000, Math.min(ctx.config.timeouts.scenarioMs - 15_000, 60_000 + nodes * 3_000));
}

/** Sessions of the configured identity tree. */
export function configuredTreeSize(ctx: ScenarioContext): number {
  return treeSize(ctx.config.depth, ctx.config.fanout, ctx.config.wideLevels);
}

/** Checks every non-root node of a walked tree against the root user. */
export function checkInheritance(ctx: ScenarioContext, nodes: WalkedNode[], namer: Namer, owner: SimUser, namespace: string, key: string): void {
  const strict = ctx.config.strictIdentity === 'all';
  const probe = !!KEY_MODES.find((k) => k.key === key)?.probe;
  const rec = (e: RecordEntry) => ctx.record({ ...e, ...(probe ? { probe } : {}) });
  for (const n of nodes) {
    if (n.parentId === undefined) continue;
    const sessionPath = pathOf(nodes, n.id);
    const where = probe
      ? `child ${n.id} (depth ${n.depth}, created by an API caller holding the runner token of ${n.parentId}, with "${key}")`
      : `child ${n.id} (depth ${n.depth}, created by the runner of ${n.parentId})`;
    if (n.status !== 201 || !n.view) {
      rec({
        assertion: identityAssertion.created(key),
        sessionPath,
        expected: { status: 201 },
        actual: { status: n.status, error: namer.normalize(n.error ?? 'session not found after create') },
        message: `${where} was not created: ${n.status || 'not sent'} ${namer.normalize(n.error ?? '')}`.trim(),
        repro: ctx.repro(),
      });
      continue;
    }
    rec({ assertion: identityAssertion.created(key), status: 'passed', sessionPath });
    const uc = n.view.userContext ?? {};
    const actualId = namer.normalize(uc.userId ?? null);
    if (uc.userId === owner.userId) {
      rec({ assertion: identityAssertion.userId(key), status: 'passed', sessionPath });
    } else {
      const sa = actualId === runnerSaUserId(namespace, `<${n.parentId}>`) ? ' (its parent runner\'s ServiceAccount identity)' : '';
      rec({
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
      rec({ assertion: identityAssertion.displayNameGroups(key), status: 'passed', sessionPath });
    } else {
      rec({
        assertion: identityAssertion.displayNameGroups(key),
        sessionPath,
        expected,
        actual,
        message: `${where} lost the root user's displayName/groups: got ${JSON.stringify(actual)}`,
        repro: ctx.repro(),
      });
    }
  }
  if (!strict) ctx.skip(identityAssertion.displayNameGroups(key), 'only userId is required (--strict-identity userId)', { probe });
}

export async function runIdentityTrees(ctx: ScenarioContext, env: ScenarioEnv, namespace: string, owner: SimUser): Promise<void> {
  const { depth, fanout, wideLevels, concurrency, seed } = ctx.config;
  for (const { mode, key, probe } of KEY_MODES) {
    if (ctx.signal.aborted) return;
    if (!ctx.config.parentKeys.includes(key)) continue;
    ctx.log(`${probe ? `backend-contract probe tree with "${key}"` : `runner tree (runner at ${env.runnerOptions.commit})`}: depth ${depth}, fanout ${fanout} on ${Math.min(depth, wideLevels)} level(s), then a spine`);
    const nodes = await walkTree(env, { namespace, owner, depth, fanout, wideLevels, key: mode, seed, concurrency, deadlineMs: treeDeadlineMs(ctx, configuredTreeSize(ctx)), signal: ctx.signal, pathPrefix: `${key}:` });
    const namer = new Namer();
    nameAll(nodes, namer);
    ctx.tree(reportTree(nodes, namer, `${key}:`));
    checkInheritance(ctx, nodes, namer, owner, namespace, key);
  }
}

export const identityInheritance: Scenario = {
  name: IDENTITY_SCENARIO,
  description: 'children created by runners carry the root user\'s whole identity at every depth (and the backend-contract probe with parent_session_id)',
  async run(ctx) {
    await inEnv(ctx, { users: 1 }, async (env) => {
      const namespace = await env.project('identity');
      await runIdentityTrees(ctx, env, namespace, env.users[0]);
    });
  },
};
