// Detection matrix, profile h-0b59fe7 (exact finding set, right reasons), and seed determinism:
// the same seed twice gives byte-identical report.json apart from timestamps and durations.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../harness/index.ts';
import { stableView } from '../../harness/report/json.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { scenarioUsers } from '../../scenarios/support/env.ts';
import { findingIds, findingsOf, runProfile, scenarioStatuses } from './helpers.ts';

const [owner, second] = scenarioUsers(1, 2);

describe('detection matrix: h-0b59fe7', () => {
  let outcome: RunOutcome;
  beforeAll(async () => {
    setProgressSink('quiet');
    ({ outcome } = await runProfile('h-0b59fe7'));
  }, 400_000);
  afterAll(() => setProgressSink('stderr'));

  it('reports exactly the expected findings', () => {
    expect(scenarioStatuses(outcome)).toEqual({
      'identity-inheritance': 'failed',
      'credential-resolution': 'passed',
      fallback: 'failed',
      security: 'failed',
      'naming-under-concurrency': 'passed',
    });
    expect(findingIds(outcome)).toEqual(
      [
        'identity.parentSessionId.displayName-groups',
        'fallback.probe.parent-without-userId',
        'fallback.runner.deleted-parent.token-refused',
        'security.probe.identity-takeover.human',
        'security.probe.identity-takeover.runner-token',
        'security.credential-theft',
      ].sort(),
    );
  });

  it('userId survives below the root, displayName and groups do not (runner payload only)', () => {
    const fs = findingsOf(outcome, 'identity.parentSessionId.displayName-groups');
    expect(fs).toHaveLength(6);
    for (const f of fs) {
      expect(f.expected).toEqual({ displayName: owner.displayName, groups: owner.groups });
      expect(f.actual).toEqual({ displayName: '', groups: [] });
    }
  });

  it("the deleted parent's runner gets 500, not 401/403, while the 30 s SSAR cache admits its token", () => {
    const [f] = findingsOf(outcome, 'fallback.runner.deleted-parent.token-refused');
    expect(f.actual).toEqual({ request: 'list_sessions', status: 500, error: 'Failed to list agentic sessions' });
    expect(f.probe).toBeUndefined();
  });

  it('identity takeover through a foreign parent (backend-contract probes, listed as such)', () => {
    for (const a of ['security.probe.identity-takeover.human', 'security.probe.identity-takeover.runner-token']) {
      const [f] = findingsOf(outcome, a);
      expect(f.actual).toEqual({ status: 201, userId: owner.userId });
      expect(f.message).toContain(second.userId);
      expect(f.probe).toBe(true);
    }
  });

  it('the probe tree with the backend\'s own key keeps the whole identity, and is reported as a probe', () => {
    const s = outcome.result.scenarios.find((x) => x.name === 'identity-inheritance')!;
    const probes = s.assertions.filter((a) => a.assertion.startsWith('identity.probe.parent_session_id.'));
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((a) => a.probe === true && a.status === 'passed')).toBe(true);
    expect(s.assertions.filter((a) => a.assertion.startsWith('identity.parentSessionId.')).every((a) => !a.probe)).toBe(true);
  });
});

describe('determinism', () => {
  it('the same seed twice gives the same report.json apart from timestamps and durations', async () => {
    setProgressSink('quiet');
    try {
      const extra = { depth: 1, fanout: 2, scenarios: ['identity-inheritance', 'security'] };
      const a = await runProfile('h-0b59fe7', extra);
      const b = await runProfile('h-0b59fe7', extra);
      expect(a.outcome.exitCode).toBe(1);
      const view = (dir: string) => JSON.stringify(stableView(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'))), null, 2);
      expect(view(b.reportDir)).toBe(view(a.reportDir));
      expect(findingIds(a.outcome).length).toBeGreaterThan(0);
    } finally {
      setProgressSink('stderr');
    }
  }, 400_000);
});
