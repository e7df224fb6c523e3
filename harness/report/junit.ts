// JUnit XML: one <testsuite> per scenario, one <testcase> per assertion. Findings become <failure>,
// skips <skipped message=reason/>, scenario crashes and run-level failures <error>. Shape follows the
// schema CI tools read (testsuites/testsuite with tests/failures/errors/skipped/time).
import { escapeAttr, escapeXml } from './xml.ts';
import type { AssertionRecord, Finding, RunResult, ScenarioResult } from './model.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? 'undefined';
}

export function findingBody(f: Finding): string {
  return [
    `expected: ${show(f.expected)}`,
    `actual:   ${show(f.actual)}`,
    `path:     ${f.sessionPath.length ? f.sessionPath.join(' -> ') : '(none)'}`,
    `repro:    ${f.repro}`,
  ].join('\n');
}

function testcase(suite: string, a: AssertionRecord): string {
  const head = `    <testcase classname="${escapeAttr(`ambient-harness.${suite}`)}" name="${escapeAttr(a.assertion)}" time="${seconds(a.durationMs)}"`;
  if (a.status === 'passed') return `${head}/>`;
  if (a.status === 'skipped') return `${head}>\n      <skipped message="${escapeAttr(a.reason ?? 'skipped')}"/>\n    </testcase>`;
  const message = a.finding?.message ?? a.reason ?? 'assertion failed';
  const body = a.finding ? findingBody(a.finding) : message;
  return `${head}>\n      <failure message="${escapeAttr(message)}" type="finding">${escapeXml(body)}</failure>\n    </testcase>`;
}

function suiteXml(s: ScenarioResult, run: RunResult, extraError?: string): string {
  const cases = s.assertions.map((a) => testcase(s.name, a));
  let errors = 0;
  const crash = s.status === 'error' ? (s.error ?? 'scenario failed') : extraError;
  if (crash) {
    errors++;
    cases.push(
      `    <testcase classname="${escapeAttr(`ambient-harness.${s.name}`)}" name="(scenario)" time="${seconds(s.durationMs)}">\n` +
        `      <error message="${escapeAttr(crash)}" type="error">${escapeXml(crash)}</error>\n    </testcase>`,
    );
  }
  if (s.status === 'skipped' && s.assertions.length === 0) {
    cases.push(
      `    <testcase classname="${escapeAttr(`ambient-harness.${s.name}`)}" name="(scenario)" time="0.000">\n` +
        `      <skipped message="${escapeAttr(s.reason ?? 'skipped')}"/>\n    </testcase>`,
    );
  }
  const failures = s.assertions.filter((a) => a.status === 'failed').length;
  const skipped = s.assertions.filter((a) => a.status === 'skipped').length + (s.status === 'skipped' && s.assertions.length === 0 ? 1 : 0);
  const props = [
    ['target', run.target.name],
    ['profile', run.profile],
    ['seed', String(run.seed)],
    ...(s.transients?.length ? [['transients', String(s.transients.length)]] : []),
  ]
    .map(([k, v]) => `      <property name="${escapeAttr(k)}" value="${escapeAttr(v)}"/>`)
    .join('\n');
  return (
    `  <testsuite name="${escapeAttr(s.name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" ` +
    `time="${seconds(s.durationMs)}" timestamp="${escapeAttr(s.startedAt.replace(/Z$/, ''))}" hostname="localhost">\n` +
    `    <properties>\n${props}\n    </properties>\n${cases.join('\n')}\n  </testsuite>`
  );
}

/** Renders the whole run. A run-level error (target failed to come up) becomes its own suite with an <error>. */
export function renderJUnit(run: RunResult): string {
  const suites: ScenarioResult[] = [...run.scenarios];
  const xml: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const add = (s: ScenarioResult, extraError?: string) => {
    const text = suiteXml(s, run, extraError);
    xml.push(text);
    // Count from the same data the suite used.
    const f = s.assertions.filter((a) => a.status === 'failed').length;
    const sk = s.assertions.filter((a) => a.status === 'skipped').length + (s.status === 'skipped' && s.assertions.length === 0 ? 1 : 0);
    const e = s.status === 'error' || extraError ? 1 : 0;
    tests += s.assertions.length + e + (s.status === 'skipped' && s.assertions.length === 0 ? 1 : 0);
    failures += f;
    errors += e;
    skipped += sk;
  };
  for (const s of suites) {
    // Backend-contract probes get a suite of their own: an API caller's shapes, not runner behaviour.
    const probes = s.assertions.filter((a) => a.probe);
    add(probes.length ? { ...s, assertions: s.assertions.filter((a) => !a.probe) } : s);
    if (probes.length) add({ name: `${s.name} (backend-contract probes)`, status: probes.some((a) => a.status === 'failed') ? 'failed' : 'passed', assertions: probes, startedAt: s.startedAt, durationMs: 0 });
  }
  if (run.error) {
    add({ name: 'run', status: 'error', error: `${run.error.code}: ${run.error.message}`, assertions: [], startedAt: run.startedAt, durationMs: run.durationMs });
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="ambient-harness" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(run.durationMs)}">\n` +
    (xml.length ? xml.join('\n') + '\n' : '') +
    `</testsuites>\n`
  );
}
