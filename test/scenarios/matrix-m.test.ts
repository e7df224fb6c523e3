// Detection matrix, profile m-6b21778: the exact set of findings, each for the right reason (the
// actual values must be the ones the contract predicts, not just any failure).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../harness/index.ts';
import { ERR, runnerSaUserId } from '../../harness/platform/contract.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { projectName, scenarioUsers } from '../../scenarios/support/env.ts';
import { findingIds, findingsOf, runProfile, scenarioStatuses } from './helpers.ts';

const [owner, second] = scenarioUsers(1, 2);

describe('detection matrix: m-6b21778', () => {
  let outcome: RunOutcome;
  beforeAll(async () => {
    setProgressSink('quiet');
    ({ outcome } = await runProfile('m-6b21778'));
  }, 400_000);
  afterAll(() => setProgressSink('stderr'));

  it('runs every scenario and reports exactly the expected findings', () => {
    expect(scenarioStatuses(outcome)).toEqual({
      'identity-inheritance': 'failed',
      'credential-resolution': 'failed',
      fallback: 'failed',
      security: 'failed',
      'naming-under-concurrency': 'failed',
    });
    expect(outcome.exitCode).toBe(1);
    expect(findingIds(outcome)).toEqual(
      [
        'identity.parentSessionId.userId',
        'identity.parentSessionId.displayName-groups',
        'credentials.github',
        'credentials.jira',
        'credentials.gitlab',
        'fallback.probe.parent-without-userId',
        'security.probe.identity-takeover.human',
        'security.probe.identity-takeover.runner-token',
        'security.credential-theft',
        'naming.no-5xx',
        'naming.distinct-sessions',
        'read.runner.list',
      ].sort(),
    );
  });

  it('runner children get their parent runner\'s ServiceAccount identity, at every depth', () => {
    const ns = projectName(1, 'identity');
    const fs = findingsOf(outcome, 'identity.parentSessionId.userId');
    expect(fs.map((f) => f.sessionPath)).toEqual([['0', '0.0'], ['0', '0.1'], ['0', '0.0', '0.0.0'], ['0', '0.0', '0.0.1'], ['0', '0.1', '0.1.0'], ['0', '0.1', '0.1.1']]);
    for (const f of fs) {
      const parent = f.sessionPath[f.sessionPath.length - 2];
      expect(f.expected).toEqual({ userId: owner.userId });
      expect(f.actual).toEqual({ userId: runnerSaUserId(ns, `<${parent}>`) });
      expect(f.repro).toMatch(/^ambient-harness run identity-inheritance .*--profile m-6b21778 --seed 1/);
    }
  });

  it('their GitHub credentials 404 because the backend resolved the SA identity', () => {
    const ns = projectName(1, 'credentials');
    const fs = findingsOf(outcome, 'credentials.github');
    expect(fs).toHaveLength(6);
    for (const f of fs) {
      const parent = f.sessionPath[f.sessionPath.length - 2];
      expect(f.actual).toEqual({ status: 404, resolvedUserId: runnerSaUserId(ns, `<${parent}>`), error: ERR.githubNotAvailable });
      expect(f.expected).toEqual({ status: 200, credentialOf: owner.userId });
    }
  });

  it('name collisions under concurrency are 500s', () => {
    const [f] = findingsOf(outcome, 'naming.no-5xx');
    expect(f.actual).toEqual({ '5xx': 'at least one', errors: [ERR.createFailed] });
  });

  it('identity takeover through a foreign parent gives the victim\'s identity and credentials', () => {
    for (const a of ['security.probe.identity-takeover.human', 'security.probe.identity-takeover.runner-token']) {
      const [f] = findingsOf(outcome, a);
      expect(f.actual).toEqual({ status: 201, userId: owner.userId });
      expect(f.message).toContain(second.userId);
    }
    expect(findingsOf(outcome, 'security.credential-theft')[0].actual).toEqual({ victimCredentialsServed: ['github', 'jira', 'gitlab'] });
  });

  it('a parent whose userContext lacks userId is copied verbatim (contract §3.1 step 6), for an API caller naming it', () => {
    const [f] = findingsOf(outcome, 'fallback.probe.parent-without-userId');
    expect(f.actual).toEqual({ status: 201, userContext: { displayName: 'Parent Without UserId', groups: ['orphans'] } });
    expect(f.probe).toBe(true);
  });

  it('no runner-created child passes because of a shape no runner sends: every runner child fails, only the probe tree inherits', () => {
    const s = outcome.result.scenarios.find((x) => x.name === 'identity-inheritance')!;
    const runnerIds = s.assertions.filter((a) => a.assertion === 'identity.parentSessionId.userId');
    expect(runnerIds).toHaveLength(6);
    expect(runnerIds.every((a) => a.status === 'failed' && !a.probe)).toBe(true);
    const probeIds = s.assertions.filter((a) => a.assertion === 'identity.probe.parent_session_id.userId');
    expect(probeIds.every((a) => a.status === 'passed' && a.probe === true)).toBe(true);
  });

  it("the runner's list_sessions tool reads `sessions`: the agent is handed none of the sessions its runner created", () => {
    const fs = findingsOf(outcome, 'read.runner.list');
    // Every session a runner created, in every scenario (the 6 children of each identity tree among them).
    expect(fs.length).toBeGreaterThanOrEqual(18);
    for (const f of fs) {
      expect(f.actual).toEqual({ status: 200, found: false });
      expect(f.message).toMatch(/^the creating runner's list_sessions tool \(runner at 6b21778\): the tool reads the answer's `sessions`; the backend answered 200 with \{hasMore, items, limit, offset, totalCount\}, and the agent is handed 0 session\(s\)/);
    }
    // What the backend serves on the other read paths is what it stored.
    expect(findingsOf(outcome, 'read.owner.get')).toEqual([]);
    expect(findingsOf(outcome, 'read.runner.get')).toEqual([]);
  });
});
