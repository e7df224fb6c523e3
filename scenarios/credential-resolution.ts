// credential-resolution: the root user has GitHub, Jira and GitLab credentials (seeded through the
// backend's own save endpoints); every child in a tree spawned with the runner's real payload must
// get 200 and the owner's credential from its own runner token, the way auth.py fetches it. A
// 404/403/500 names the identity the backend resolved for the child (its userContext.userId). The
// project's legacy GITHUB_TOKEN (contract §4.3) must be absent, or a 200 would prove nothing.
import type { Scenario, ScenarioContext } from '../harness/index.ts';
import { LEGACY_GITHUB_TOKEN_KEY, NON_VERTEX_INTEGRATIONS } from '../harness/platform/contract.ts';
import { apiCode } from '../harness/platform/kube.ts';
import type { SimUser } from '../harness/sim/users.ts';
import { configuredTreeSize, treeDeadlineMs } from './identity-inheritance.ts';
import type { ScenarioEnv } from './support/env.ts';
import { inEnv } from './support/run.ts';
import { nameAll, Namer, pathOf, reportTree, runnerOf, walkTree } from './support/tree.ts';

export const CREDENTIALS_SCENARIO = 'credential-resolution';
export const CHECKED_CREDENTIALS = ['github', 'jira', 'gitlab'] as const;
export type CheckedCredential = (typeof CHECKED_CREDENTIALS)[number];

export const credentialAssertion = {
  legacyAbsent: 'credentials.legacy-github-token-absent',
  of: (type: CheckedCredential) => `credentials.${type}`,
};

/** Does a 200 body carry exactly this user's credential? (values compared, never reported) */
export function isCredentialOf(type: CheckedCredential, body: any, u: SimUser): boolean {
  if (!body || typeof body !== 'object') return false;
  if (type === 'github') return body.token === u.credentials.github.token;
  if (type === 'gitlab') return body.token === u.credentials.gitlab.token;
  return body.apiToken === u.credentials.jira.apiToken && body.email === u.credentials.jira.email;
}

/** Whose credential a 200 body carries, as a user index; -1 = nobody known. */
export function credentialOwner(type: CheckedCredential, body: any, users: SimUser[]): number {
  return users.findIndex((u) => isCredentialOf(type, body, u));
}

export async function assertLegacyTokenAbsent(ctx: ScenarioContext, env: ScenarioEnv, namespace: string): Promise<void> {
  let present = false;
  try {
    const s = await env.core.readNamespacedSecret({ namespace, name: NON_VERTEX_INTEGRATIONS });
    present = !!s.data?.[LEGACY_GITHUB_TOKEN_KEY];
  } catch (err) {
    if (apiCode(err) !== 404) throw err;
  }
  if (!present) ctx.record({ assertion: credentialAssertion.legacyAbsent, status: 'passed' });
  else
    ctx.record({
      assertion: credentialAssertion.legacyAbsent,
      sessionPath: [],
      expected: { [`${NON_VERTEX_INTEGRATIONS}.${LEGACY_GITHUB_TOKEN_KEY}`]: 'absent' },
      actual: { [`${NON_VERTEX_INTEGRATIONS}.${LEGACY_GITHUB_TOKEN_KEY}`]: 'present' },
      message: `project ${namespace} has ${LEGACY_GITHUB_TOKEN_KEY} in ${NON_VERTEX_INTEGRATIONS}: every GitHub lookup falls back to it, so the check would prove nothing`,
      repro: ctx.repro(),
    });
}

export const credentialResolution: Scenario = {
  name: CREDENTIALS_SCENARIO,
  description: 'every child runner gets the owner\'s GitHub/Jira/GitLab credentials (200), never another identity\'s 404/403/500',
  async run(ctx) {
    await inEnv(ctx, { users: 2, seedCredentials: true }, async (env) => {
      const namespace = await env.project('credentials');
      await assertLegacyTokenAbsent(ctx, env, namespace);
      const owner = env.users[0];
      const { depth, fanout, wideLevels, concurrency, seed } = ctx.config;
      const deadlineMs = treeDeadlineMs(ctx, configuredTreeSize(ctx));
      const deadline = Date.now() + deadlineMs;
      const nodes = await walkTree(env, { namespace, owner, depth, fanout, wideLevels, key: 'camel', seed, concurrency, deadlineMs, signal: ctx.signal });
      const namer = new Namer();
      nameAll(nodes, namer);
      ctx.tree(reportTree(nodes, namer));
      for (const n of nodes) {
        if (n.parentId === undefined || ctx.signal.aborted) continue;
        const sessionPath = pathOf(nodes, n.id);
        if (!n.name) {
          for (const type of CHECKED_CREDENTIALS) ctx.skip(credentialAssertion.of(type), `child ${n.id} was not created (${n.status || 'not sent'})`);
          continue;
        }
        const runner = await runnerOf(env, namespace, n.name, deadline + 30_000, ctx.signal);
        const resolved = namer.normalize(n.view?.userContext?.userId ?? null);
        for (const type of CHECKED_CREDENTIALS) {
          const r = await runner.credentials(type);
          if (r.status === 200 && isCredentialOf(type, r.body, owner)) {
            ctx.record({ assertion: credentialAssertion.of(type), status: 'passed', sessionPath });
            continue;
          }
          const whose = r.status === 200 ? credentialOwner(type, r.body, env.users) : -1;
          ctx.record({
            assertion: credentialAssertion.of(type),
            sessionPath,
            expected: { status: 200, credentialOf: owner.userId },
            actual: {
              status: r.status,
              resolvedUserId: resolved,
              ...(r.status === 200 ? { credentialOf: whose >= 0 ? env.users[whose].userId : 'unknown' } : { error: namer.normalize(r.body?.error ?? null) }),
            },
            message: `child ${n.id}'s runner got ${r.status} for ${type} credentials: the backend resolved the child's identity as ${JSON.stringify(resolved)}, the owner is ${JSON.stringify(owner.userId)}`,
            repro: ctx.repro(),
          });
        }
      }
    });
  },
};
