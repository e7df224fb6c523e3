// Runs one scenario as a vitest file (`npm run scenarios`): the target comes up from the same
// configuration the CLI reads (AMBIENT_HARNESS_* variables, AMBIENT_HARNESS_CONFIG file), the
// scenario runs once through runHarness (reports written as the CLI writes them), and each
// assertion becomes a vitest test: a finding fails it with its message, expected, actual and repro
// line; a skipped assertion is a skipped test with its reason.
import { describe, it } from 'vitest';
import { loadConfig } from '../../harness/config.ts';
import { runHarness, ScenarioRegistry, type Scenario } from '../../harness/index.ts';
import type { AssertionRecord, Finding } from '../../harness/report/model.ts';

class FindingError extends Error {
  constructor(f: Finding) {
    super([f.message, `expected: ${JSON.stringify(f.expected)}`, `actual:   ${JSON.stringify(f.actual)}`, `repro:    ${f.repro}`].join('\n'));
    this.name = 'Finding';
  }
}

/** Test names must be unique within a suite: the assertion, its session path, a counter if needed. */
function testName(a: AssertionRecord, seen: Map<string, number>): string {
  const base = a.sessionPath?.length ? `${a.assertion} @ ${a.sessionPath.join(' → ')}` : a.assertion;
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base} #${n}`;
}

export async function scenarioSuite(scenario: Scenario): Promise<void> {
  const config = loadConfig({ env: process.env, flags: { scenarios: [scenario.name] } });
  const outcome = await runHarness(config, { registry: new ScenarioRegistry().register(scenario), env: process.env });
  const { result } = outcome;
  const s = result.scenarios.find((x) => x.name === scenario.name);
  describe(`${scenario.name} (target ${config.target}, profile ${config.profile}, seed ${config.seed})`, () => {
    if (result.error) it('brings the target up and tears it down', () => { throw new Error(result.error!.message); });
    if (!s) return;
    if (s.status === 'skipped') it.skip(`${scenario.name}: ${s.reason ?? 'skipped'}`, () => {});
    if (s.status === 'error') it('runs to the end', () => { throw new Error(s.error ?? 'scenario error'); });
    const seen = new Map<string, number>();
    for (const a of s.assertions) {
      const name = testName(a, seen);
      if (a.status === 'skipped') it.skip(`${name} (${a.reason ?? 'skipped'})`, () => {});
      else it(name, () => { if (a.finding) throw new FindingError(a.finding); });
    }
  });
}
