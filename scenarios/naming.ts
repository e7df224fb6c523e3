// naming-under-concurrency: N creates sent at the same moment (the start of a fresh second) must
// produce N distinct sessions and no 5xx (contract §0.4, A8). Sessions are created with desired
// phase Stopped, so no runner pods are provisioned. N is fixed and small (bounded load).
import type { Scenario } from '../harness/index.ts';
import { InfraError } from '../harness/errors.ts';
import { ANN_DESIRED_PHASE, CRD_GROUP, CRD_VERSION, ROUTES, SESSION_PLURAL } from '../harness/platform/contract.ts';
import { userHeaders } from './support/env.ts';
import { inEnv } from './support/run.ts';
import { sleep } from './support/sessions.ts';

export const NAMING_SCENARIO = 'naming-under-concurrency';
export const SIMULTANEOUS_CREATES = 20;

export const namingAssertion = {
  no5xx: 'naming.no-5xx',
  distinctSessions: 'naming.distinct-sessions',
};

export const namingUnderConcurrency: Scenario = {
  name: NAMING_SCENARIO,
  description: `${SIMULTANEOUS_CREATES} simultaneous creates give ${SIMULTANEOUS_CREATES} distinct sessions and no 5xx`,
  async run(ctx) {
    await inEnv(ctx, { users: 1 }, async (env) => {
      const ns = await env.project('naming');
      const user = env.users[0];
      const n = SIMULTANEOUS_CREATES;
      await sleep(1000 - (Date.now() % 1000) + 20); // start of a fresh second
      const t0 = Date.now();
      const rs = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          env.http('POST', ROUTES.sessions(ns), { token: env.proxyToken, headers: userHeaders(user), body: { initialPrompt: `harness burst ${i}`, annotations: { [ANN_DESIRED_PHASE]: 'Stopped' } } }).catch((err: Error) => {
            if (err instanceof InfraError) throw err;
            return { status: 0, body: { error: err.message } };
          }),
        ),
      );
      const sentWithinMs = Date.now() - t0;
      rs.forEach((r, i) => r.status === 201 && env.tracker.track(ns, r.body?.name, { path: [`burst of ${n}`, `#${i}`], owner: user, sentAt: t0 }));
      const statuses = rs.map((r) => r.status);
      const count = (pred: (s: number) => boolean) => statuses.filter(pred).length;
      const path = [`burst of ${n}`];
      ctx.log(`${n} creates sent within ${sentWithinMs} ms: ${statuses.join(',')}`);
      const tally = { '201': count((s) => s === 201), '5xx': count((s) => s >= 500), other: count((s) => s !== 201 && s < 500) };
      if (tally['5xx'] === 0) ctx.record({ assertion: namingAssertion.no5xx, status: 'passed', sessionPath: path });
      else {
        const errors = [...new Set(rs.filter((r) => r.status >= 500).map((r) => String(r.body?.error ?? r.body)))].sort();
        ctx.record({
          assertion: namingAssertion.no5xx,
          sessionPath: path,
          expected: { '201': n, '5xx': 0 },
          actual: { '5xx': tally['5xx'] > 0 ? 'at least one' : 0, errors },
          // Counts vary with timing: they go to the log, the report keeps seed-stable text.
          message: `some of ${n} simultaneous creates answered 5xx (${errors.join('; ')})`,
          repro: ctx.repro(),
        });
      }
      const list = (await env.custom.listNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: ns, plural: SESSION_PLURAL })) as { items: { metadata?: { name?: string } }[] };
      const stored = new Set(list.items.map((i) => i.metadata?.name));
      const returned = new Set(rs.filter((r) => r.status === 201).map((r) => r.body?.name as string));
      const distinct = [...returned].filter((x) => stored.has(x)).length;
      ctx.log(`${distinct} distinct sessions, ${stored.size} stored`);
      if (distinct === n) ctx.record({ assertion: namingAssertion.distinctSessions, status: 'passed', sessionPath: path });
      else
        ctx.record({
          assertion: namingAssertion.distinctSessions,
          sessionPath: path,
          expected: { distinctSessions: n },
          actual: { distinctSessions: distinct < n ? `fewer than ${n}` : distinct },
          message: `${n} simultaneous creates produced ${distinct < n ? 'fewer' : 'more'} than ${n} distinct sessions`,
          repro: ctx.repro(),
        });
    });
  },
};
