// security: two users share a project. The attacker must not obtain the victim's identity or
// credentials by naming the victim's session as a parent (contract §3.1 note 8). Runners always
// name their own session, so naming a foreign one is a backend-contract probe (`security.probe.*`,
// an API caller, not a runner): as a human through the proxy, and with the attacker's runner token.
// What the resulting child's runner then reads is a runner request (auth.py's credential fetch).
// A runner token is refused (403) in another project (probe: a runner only calls its own). The
// backend trusts X-Forwarded-User behind the proxy by design (§2.2, §3.1 note 9), so what is
// probed is the part that must hold even then: a runner token with a forged
// `X-Forwarded-User: <victim>` reading its OWN session's credentials is not served the victim's.
// And a runner reading its own session's credentials never gets another user's.
import type { Scenario, ScenarioContext } from '../harness/index.ts';
import { ROUTES } from '../harness/platform/contract.ts';
import { probeParentBody, type RunnerResponse } from '../harness/sim/runner.ts';
import type { SimUser } from '../harness/sim/users.ts';
import { CHECKED_CREDENTIALS, credentialOwner, isCredentialOf } from './credential-resolution.ts';
import { readSession, userHeaders, type HttpResult } from './support/env.ts';
import { inEnv } from './support/run.ts';
import { createAsUser, createWithRetry, Namer, runnerOf } from './support/tree.ts';

export const SECURITY_SCENARIO = 'security';

export const securityAssertion = {
  takeoverHuman: 'security.probe.identity-takeover.human',
  takeoverRunner: 'security.probe.identity-takeover.runner-token',
  credentialTheft: 'security.credential-theft',
  crossProjectToken: 'security.probe.cross-project-token',
  forgedForwardedUser: 'security.probe.forged-forwarded-user',
  credentialsIsolated: 'security.credentials-isolated',
};

const probeFlag = (assertion: string) => (assertion.includes('.probe.') ? { probe: true } : {});
const both = (parent: string) => probeParentBody('both', parent, { initialPrompt: 'harness: naming a foreign parent' });
const RUNNER_TIMEOUT_MS = 60_000;

function checkNotVictim(ctx: ScenarioContext, namer: Namer, assertion: string, path: string[], what: string, status: number, userId: string | undefined, attacker: SimUser, victim: SimUser): void {
  if (status === 201 && userId !== victim.userId) {
    ctx.record({ assertion, status: 'passed', sessionPath: path, ...probeFlag(assertion) });
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
    ...probeFlag(assertion),
  });
}

/** Reads all credential types (one read per type); a finding if any returns the victim's credential. */
async function checkNoVictimCredentials(
  ctx: ScenarioContext,
  assertion: string,
  o: { read: (type: (typeof CHECKED_CREDENTIALS)[number]) => Promise<HttpResult>; path: string[]; what: string; victim: SimUser },
): Promise<void> {
  const leaked: string[] = [];
  for (const type of CHECKED_CREDENTIALS) {
    const r = await o.read(type);
    if (r.status === 200 && isCredentialOf(type, r.body, o.victim)) leaked.push(type);
  }
  if (!leaked.length) ctx.record({ assertion, status: 'passed', sessionPath: o.path, ...probeFlag(assertion) });
  else
    ctx.record({
      assertion,
      sessionPath: o.path,
      expected: { victimCredentialsServed: [] },
      actual: { victimCredentialsServed: leaked },
      message: `${o.what}: the backend served the victim's ${leaked.join(', ')} credentials (owner ${JSON.stringify(o.victim.userId)})`,
      repro: ctx.repro(),
      ...probeFlag(assertion),
    });
}

export const security: Scenario = {
  name: SECURITY_SCENARIO,
  description: 'no identity or credential takeover through a foreign parent, forged X-Forwarded-User or another project',
  async run(ctx) {
    await inEnv(ctx, { users: 2, seedCredentials: true }, async (env) => {
      const ns = await env.project('security');
      const other = await env.project('security-other');
      const [victim, attacker] = env.users;
      const namer = new Namer();
      const v = await createAsUser(env, ns, victim, { initialPrompt: 'victim root' }, { path: ['victim'] });
      const a = await createAsUser(env, ns, attacker, { initialPrompt: 'attacker root' }, { path: ['attacker'] });
      if (v.status !== 201 || a.status !== 201) throw new Error(`root sessions not created (victim ${v.status}, attacker ${a.status})`);
      const victimRoot: string = v.body.name;
      const attackerRoot: string = a.body.name;
      namer.add(victimRoot, 'victim');
      namer.add(attackerRoot, 'attacker');

      // 1. Probe: a human attacker (their own API call) names the victim's session as parent.
      const h = await createWithRetry(env, () => env.http('POST', ROUTES.sessions(ns), { token: env.proxyToken, headers: userHeaders(attacker), body: both(victimRoot) }));
      const hName: string | undefined = h.status === 201 ? h.body.name : undefined;
      namer.add(hName, 'victim.attacker-child');
      env.tracker.track(ns, hName, { path: ['victim', 'victim.attacker-child'], owner: attacker, sentAt: h.sentAt });
      const hView = hName ? await readSession(env, ns, hName) : undefined;
      checkNotVictim(ctx, namer, securityAssertion.takeoverHuman, ['victim', 'victim.attacker-child'], 'an API caller (the attacker, human) naming the victim\'s session as parent', h.status, hView?.userContext?.userId, attacker, victim);

      // 2. Probe: an API caller holding the attacker's runner token names the victim's session.
      const attackerRunner = await runnerOf(env, ns, attackerRoot, Date.now() + RUNNER_TIMEOUT_MS, ctx.signal);
      const rr = await createWithRetry(env, () => attackerRunner.probe('POST', both(victimRoot)));
      const rName: string | undefined = rr.status === 201 ? rr.body.name : undefined;
      namer.add(rName, 'victim.attacker-runner-child');
      env.tracker.track(ns, rName, { path: ['attacker', 'victim.attacker-runner-child'], creator: attackerRunner, sentAt: rr.sentAt });
      const rView = rName ? await readSession(env, ns, rName) : undefined;
      checkNotVictim(ctx, namer, securityAssertion.takeoverRunner, ['attacker', 'victim.attacker-runner-child'], 'an API caller with the attacker\'s runner token naming the victim\'s session as parent', rr.status, rView?.userContext?.userId, attacker, victim);

      // 3. Runner: the attacker's child's runner fetches its credentials as auth.py does.
      if (hName) {
        const childRunner = await runnerOf(env, ns, hName, Date.now() + RUNNER_TIMEOUT_MS, ctx.signal);
        await checkNoVictimCredentials(ctx, securityAssertion.credentialTheft, { read: (t) => childRunner.credentials(t), path: ['victim', 'victim.attacker-child'], what: 'the runner of the attacker\'s child (foreign parent) reading its credentials', victim });
      } else ctx.skip(securityAssertion.credentialTheft, `the attacker's child was not created (${h.status})`);

      // 4. Probe: a runner token used against another project.
      const crossPath = `/projects/${other}/agentic-sessions`;
      const list: RunnerResponse = await attackerRunner.probe('GET', undefined, crossPath);
      const create: RunnerResponse = await attackerRunner.probe('POST', { initialPrompt: 'harness cross-project' }, crossPath);
      if (list.status === 403 && create.status === 403) ctx.record({ assertion: securityAssertion.crossProjectToken, status: 'passed', sessionPath: ['attacker'], probe: true });
      else
        ctx.record({
          assertion: securityAssertion.crossProjectToken,
          sessionPath: ['attacker'],
          expected: { list: 403, create: 403 },
          actual: { list: list.status, create: create.status },
          message: `a runner token of project ${ns} used against project ${other}: list ${list.status}, create ${create.status}`,
          repro: ctx.repro(),
          probe: true,
        });

      // 5. Probe: forged X-Forwarded-User with the attacker's runner token.
      const attackerToken = await attackerRunner.token();
      await checkNoVictimCredentials(ctx, securityAssertion.forgedForwardedUser, {
        read: (t) => env.http('GET', ROUTES.credentials(ns, attackerRoot, t), { token: attackerToken, headers: { 'X-Forwarded-User': victim.rawId }, timeoutMs: 15_000 }),
        path: ['attacker'],
        what: `an API caller with the attacker's runner token and a forged X-Forwarded-User of the victim`,
        victim,
      });

      // 6. Runner: the attacker's own runner never gets another user's credentials for its own session.
      const leaks: string[] = [];
      for (const type of CHECKED_CREDENTIALS) {
        const r = await attackerRunner.credentials(type);
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
          message: `the attacker's runner was served other users' credentials for its own session: ${leaks.join(', ')}`,
          repro: ctx.repro(),
        });
    });
  },
};
