// security: two users share a project. The attacker must not obtain the victim's identity or
// credentials by naming the victim's session as a parent (contract §3.1 note 8), neither as a human
// through the proxy nor through the runner of one of their own sessions. A runner token is refused
// (403) in another project. X-Forwarded-User is trusted by design behind the proxy (§2.2, §3.1
// note 9), so what is checked is the part that must hold even then: a runner token with a forged
// `X-Forwarded-User: <victim>` reading its OWN session's credentials must not be served the
// victim's credentials. And a user's own session never returns another user's credentials.
import type { Scenario, ScenarioContext } from '../harness/index.ts';
import { PARENT_KEY_BACKEND, PARENT_KEY_RUNNER, ROUTES } from '../harness/platform/contract.ts';
import type { SimUser } from '../harness/sim/users.ts';
import { CHECKED_CREDENTIALS, credentialOwner, isCredentialOf } from './credential-resolution.ts';
import { readSession, setupEnv, userHeaders, type ScenarioEnv } from './support/env.ts';
import { runnerToken } from './support/sessions.ts';
import { createAsUser, createWithRetry, Namer } from './support/tree.ts';

export const SECURITY_SCENARIO = 'security';

export const securityAssertion = {
  takeoverHuman: 'security.identity-takeover.human',
  takeoverRunner: 'security.identity-takeover.runner',
  credentialTheft: 'security.credential-theft',
  crossProjectToken: 'security.cross-project-token',
  forgedForwardedUser: 'security.forged-forwarded-user',
  credentialsIsolated: 'security.credentials-isolated',
};

const both = (parent: string) => ({ [PARENT_KEY_BACKEND]: parent, [PARENT_KEY_RUNNER]: parent, initialPrompt: 'harness: naming a foreign parent' });

function checkNotVictim(ctx: ScenarioContext, namer: Namer, assertion: string, path: string[], what: string, status: number, userId: string | undefined, attacker: SimUser, victim: SimUser): void {
  if (status === 201 && userId !== victim.userId) {
    ctx.record({ assertion, status: 'passed', sessionPath: path });
    return;
  }
  ctx.record({
    assertion,
    sessionPath: path,
    expected: status === 201 ? { userIdNot: victim.userId } : { status: 201 },
    actual: { status, userId: namer.normalize(userId ?? null) },
    message:
      status === 201
        ? `${what}: the child took the victim's identity ${JSON.stringify(victim.userId)} (attacker ${JSON.stringify(attacker.userId)})`
        : `${what}: create answered ${status}`,
    repro: ctx.repro(),
  });
}

/** Reads all credential types with a token; a finding if any returns the victim's credential. */
async function checkNoVictimCredentials(
  ctx: ScenarioContext,
  env: ScenarioEnv,
  assertion: string,
  o: { ns: string; session: string; token: string; headers?: Record<string, string>; path: string[]; what: string; victim: SimUser },
): Promise<void> {
  const leaked: string[] = [];
  for (const type of CHECKED_CREDENTIALS) {
    const r = await env.http('GET', ROUTES.credentials(o.ns, o.session, type), { token: o.token, headers: o.headers, timeoutMs: 15_000 });
    if (r.status === 200 && isCredentialOf(type, r.body, o.victim)) leaked.push(type);
  }
  if (!leaked.length) ctx.record({ assertion, status: 'passed', sessionPath: o.path });
  else
    ctx.record({
      assertion,
      sessionPath: o.path,
      expected: { victimCredentialsServed: [] },
      actual: { victimCredentialsServed: leaked },
      message: `${o.what}: the backend served the victim's ${leaked.join(', ')} credentials (owner ${JSON.stringify(o.victim.userId)})`,
      repro: ctx.repro(),
    });
}

export const security: Scenario = {
  name: SECURITY_SCENARIO,
  description: 'no identity or credential takeover through a foreign parent, forged X-Forwarded-User or another project',
  async run(ctx) {
    const env = await setupEnv(ctx, { users: 2, seedCredentials: true });
    try {
      const ns = await env.project('security');
      const other = await env.project('security-other');
      const [victim, attacker] = env.users;
      const namer = new Namer();
      const v = await createAsUser(env, ns, victim, { initialPrompt: 'victim root' });
      const a = await createAsUser(env, ns, attacker, { initialPrompt: 'attacker root' });
      if (v.status !== 201 || a.status !== 201) throw new Error(`root sessions not created (victim ${v.status}, attacker ${a.status})`);
      const victimRoot: string = v.body.name;
      const attackerRoot: string = a.body.name;
      namer.add(victimRoot, 'victim');
      namer.add(attackerRoot, 'attacker');

      // 1. A human attacker names the victim's session as parent.
      const h = await createWithRetry(() => env.http('POST', ROUTES.sessions(ns), { token: env.proxyToken, headers: userHeaders(attacker), body: both(victimRoot) }));
      const hName: string | undefined = h.status === 201 ? h.body.name : undefined;
      namer.add(hName, 'victim.attacker-child');
      const hView = hName ? await readSession(env, ns, hName) : undefined;
      checkNotVictim(ctx, namer, securityAssertion.takeoverHuman, ['victim', 'victim.attacker-child'], 'attacker (human) naming the victim\'s session as parent', h.status, hView?.userContext?.userId, attacker, victim);

      // 2. The attacker's own runner names the victim's session as parent.
      const attackerToken = await runnerToken(ctx, env, ns, attackerRoot);
      const rr = await createWithRetry(() => env.http('POST', ROUTES.sessions(ns), { token: attackerToken, body: both(victimRoot) }));
      const rName: string | undefined = rr.status === 201 ? rr.body.name : undefined;
      namer.add(rName, 'victim.attacker-runner-child');
      const rView = rName ? await readSession(env, ns, rName) : undefined;
      checkNotVictim(ctx, namer, securityAssertion.takeoverRunner, ['attacker', 'victim.attacker-runner-child'], 'the attacker\'s runner naming the victim\'s session as parent', rr.status, rView?.userContext?.userId, attacker, victim);

      // 3. What the attacker's child can read with its own runner token.
      if (hName) {
        const childToken = await runnerToken(ctx, env, ns, hName);
        await checkNoVictimCredentials(ctx, env, securityAssertion.credentialTheft, { ns, session: hName, token: childToken, path: ['victim', 'victim.attacker-child'], what: 'the attacker\'s child (foreign parent) reading its credentials', victim });
      } else ctx.skip(securityAssertion.credentialTheft, `the attacker's child was not created (${h.status})`);

      // 4. A runner token in another project.
      const list = await env.http('GET', ROUTES.sessions(other), { token: attackerToken });
      const create = await env.http('POST', ROUTES.sessions(other), { token: attackerToken, body: { initialPrompt: 'harness cross-project' } });
      if (list.status === 403 && create.status === 403) ctx.record({ assertion: securityAssertion.crossProjectToken, status: 'passed', sessionPath: ['attacker'] });
      else
        ctx.record({
          assertion: securityAssertion.crossProjectToken,
          sessionPath: ['attacker'],
          expected: { list: 403, create: 403 },
          actual: { list: list.status, create: create.status },
          message: `a runner token of project ${ns} used against project ${other}: list ${list.status}, create ${create.status}`,
          repro: ctx.repro(),
        });

      // 5. Forged X-Forwarded-User on the runner path.
      await checkNoVictimCredentials(ctx, env, securityAssertion.forgedForwardedUser, {
        ns,
        session: attackerRoot,
        token: attackerToken,
        headers: { 'X-Forwarded-User': victim.rawId },
        path: ['attacker'],
        what: `the attacker's runner token with a forged X-Forwarded-User of the victim`,
        victim,
      });

      // 6. The attacker's own session never returns the victim's credentials (and serves the attacker's own).
      const leaks: string[] = [];
      for (const type of CHECKED_CREDENTIALS) {
        const r = await env.http('GET', ROUTES.credentials(ns, attackerRoot, type), { token: attackerToken, timeoutMs: 15_000 });
        const whose = r.status === 200 ? credentialOwner(type, r.body, env.users) : -1;
        if (whose >= 0 && env.users[whose] !== attacker) leaks.push(`${type}:${env.users[whose].userId}`);
      }
      if (!leaks.length) ctx.record({ assertion: securityAssertion.credentialsIsolated, status: 'passed', sessionPath: ['attacker'] });
      else
        ctx.record({
          assertion: securityAssertion.credentialsIsolated,
          sessionPath: ['attacker'],
          expected: { foreignCredentials: [] },
          actual: { foreignCredentials: leaks },
          message: `the attacker's own session was served other users' credentials: ${leaks.join(', ')}`,
          repro: ctx.repro(),
        });
    } finally {
      await env.cleanup();
    }
  },
};
