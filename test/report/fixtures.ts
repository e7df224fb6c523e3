// A RunResult with every shape the writers must handle (pass, finding, skip, crash, load, tree).
import type { RunResult } from '../../harness/report/model.ts';

export function sampleRun(overrides: Partial<RunResult> = {}): RunResult {
  return {
    runId: '20261128T000000Z-s42',
    startedAt: '2026-11-28T00:00:00.000Z',
    finishedAt: '2026-11-28T00:00:05.000Z',
    durationMs: 5000,
    target: { name: 'embedded', capabilities: { podMemory: { available: false, reason: 'no pods <here> & "there"' }, processMemory: { available: true, reason: 'pid' } } },
    profile: 'm-6b21778',
    seed: 42,
    parameters: { depth: 3, fanout: 2, concurrency: 4, strictIdentity: 'userId', scenarios: ['identity.inherit', 'memory'] },
    scenarios: [
      {
        name: 'identity.inherit',
        status: 'failed',
        startedAt: '2026-11-28T00:00:01.000Z',
        durationMs: 1200,
        tree: [{ id: 'root', attrs: { user: 'alice', key: 'parentSessionId' }, children: [{ id: 'root/0', children: [] }] }],
        assertions: [
          { scenario: 'identity.inherit', assertion: 'A1 child userContext copies parent', status: 'passed', durationMs: 10 },
          {
            scenario: 'identity.inherit',
            assertion: 'A2 runner key parentSessionId',
            status: 'failed',
            sessionPath: ['root', 'root/0'],
            durationMs: 20,
            finding: {
              scenario: 'identity.inherit',
              assertion: 'A2 runner key parentSessionId',
              sessionPath: ['root', 'root/0'],
              expected: { userId: 'alice', groups: ['devs'] },
              actual: { userId: 'system-serviceaccount-p1-ambient-session-root', groups: [] },
              message: 'child lost the owner\'s identity: <userId> & "groups" differ',
              repro: 'ambient-harness run identity.inherit --profile m-6b21778 --seed 42',
            },
          },
          { scenario: 'identity.inherit', assertion: 'A13 operator memory', status: 'skipped', reason: 'podMemory: no pods', durationMs: 0 },
        ],
      },
      { name: 'memory', status: 'error', error: 'boom: <unexpected> "quote" \u0001 control', startedAt: '2026-11-28T00:00:03.000Z', durationMs: 30, assertions: [] },
      {
        name: 'load.creates',
        status: 'passed',
        startedAt: '2026-11-28T00:00:04.000Z',
        durationMs: 900,
        assertions: [{ scenario: 'load.creates', assertion: 'thresholds', status: 'passed', durationMs: 1 }],
        load: [{ name: 'creates', metrics: { http_reqs: { count: 40, rate: 44.4 } }, thresholds: [{ metric: 'http_req_failed', expression: 'rate<0.01', ok: true, observed: 0 }] }],
      },
    ],
    exitCode: 3,
    timings: { upMs: 1500, downMs: 200 },
    ...overrides,
  };
}
