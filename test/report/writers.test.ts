// Report writers: JUnit is well-formed XML with the counts CI tools read; report.json has the
// documented schema and stable ordering; summary.md carries findings and skips.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportJson, parseXml, renderJUnit, renderReportJson, renderSummary, stableView, writeReports, type XmlElement } from '../../harness/report/index.ts';
import { sampleRun } from './fixtures.ts';

const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

describe('JUnit XML', () => {
  const xml = renderJUnit(sampleRun());
  const root = parseXml(xml);

  it('is well-formed with testsuites/testsuite and the required count attributes', () => {
    expect(root.name).toBe('testsuites');
    for (const a of ['tests', 'failures', 'errors', 'skipped', 'time']) expect(root.attrs[a]).toMatch(/^\d+(\.\d+)?$/);
    const suites = children(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['identity.inherit', 'memory', 'load.creates']);
    for (const s of suites) for (const a of ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp']) expect(s.attrs[a], a).toBeDefined();
  });

  it('counts match the testcases, one per assertion plus a (scenario) error case', () => {
    const suites = children(root, 'testsuite');
    let tests = 0;
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    for (const s of suites) {
      const cases = children(s, 'testcase');
      expect(Number(s.attrs.tests)).toBe(cases.length);
      expect(Number(s.attrs.failures)).toBe(cases.filter((c) => children(c, 'failure').length).length);
      expect(Number(s.attrs.errors)).toBe(cases.filter((c) => children(c, 'error').length).length);
      expect(Number(s.attrs.skipped)).toBe(cases.filter((c) => children(c, 'skipped').length).length);
      tests += cases.length;
      failures += Number(s.attrs.failures);
      errors += Number(s.attrs.errors);
      skipped += Number(s.attrs.skipped);
    }
    expect([Number(root.attrs.tests), Number(root.attrs.failures), Number(root.attrs.errors), Number(root.attrs.skipped)]).toEqual([tests, failures, errors, skipped]);
    expect([tests, failures, errors, skipped]).toEqual([5, 1, 1, 1]);
  });

  it('a finding is a <failure> with message and expected/actual/path/repro in the body, escaped losslessly', () => {
    const failing = children(children(root, 'testsuite')[0], 'testcase').find((c) => children(c, 'failure').length)!;
    const failure = children(failing, 'failure')[0];
    expect(failure.attrs.message).toBe('child lost the owner\'s identity: <userId> & "groups" differ');
    expect(failure.text).toContain('expected: {\n  "userId": "alice"');
    expect(failure.text).toContain('actual:   {\n  "userId": "system-serviceaccount-p1-ambient-session-root"');
    expect(failure.text).toContain('path:     root -> root/0');
    expect(failure.text).toContain('repro:    ambient-harness run identity.inherit --profile m-6b21778 --seed 42');
  });

  it('skips carry their reason; crashes are <error>; control characters never reach the XML', () => {
    const skippedCase = children(children(root, 'testsuite')[0], 'testcase').find((c) => children(c, 'skipped').length)!;
    expect(children(skippedCase, 'skipped')[0].attrs.message).toBe('podMemory: no pods');
    const err = children(children(children(root, 'testsuite')[1], 'testcase')[0], 'error')[0];
    expect(err.attrs.message).toContain('boom: <unexpected> "quote"');
    expect(xml).not.toMatch(/[\u0000-\u0008]/);
  });

  it('a run-level error becomes its own suite with an <error>', () => {
    const r = parseXml(renderJUnit(sampleRun({ scenarios: [], error: { code: 'PREREQUISITE_MISSING', message: 'target kind: kind is not on PATH' } })));
    expect(r.attrs.errors).toBe('1');
    expect(children(children(children(r, 'testsuite')[0], 'testcase')[0], 'error')[0].attrs.message).toContain('kind is not on PATH');
  });

  it('the parser rejects what CI tools would reject', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/entity/);
    expect(() => parseXml('<a>1 < 2</a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
  });
});

describe('report.json', () => {
  it('has the documented top-level keys in a fixed order, with schemaVersion first', () => {
    const json = JSON.parse(renderReportJson(sampleRun()));
    expect(Object.keys(json)).toEqual(['schemaVersion', 'tool', 'run', 'parameters', 'target', 'summary', 'scenarios', 'findings', 'transients', 'timings']);
    expect(json.transients).toEqual({ count: 0, events: [] });
    expect(json.schemaVersion).toBe(1);
    expect(json.run).toMatchObject({ seed: 42, profile: 'm-6b21778', target: 'embedded', exitCode: 3, outcome: 'infrastructure-error' });
    expect(json.run.runKey).toMatch(/^[0-9a-f]{12}$/);
    expect(json.summary).toEqual({ scenarios: 3, assertions: { passed: 2, failed: 1, skipped: 1 }, probes: { passed: 0, failed: 0, skipped: 0 }, findings: 1 });
    expect(json.findings[0]).toMatchObject({ scenario: 'identity.inherit', sessionPath: ['root', 'root/0'], expected: { groups: ['devs'], userId: 'alice' } });
    expect(Object.keys(json.findings[0].expected)).toEqual(['groups', 'userId']); // free-form maps are key-sorted
    expect(json.scenarios[0].tree[0]).toEqual({ id: 'root', attrs: { key: 'parentSessionId', user: 'alice' }, children: [{ id: 'root/0', attrs: {}, children: [] }] });
  });

  it('same inputs with different times and key insertion order give the same stable view and bytes apart from volatile fields', () => {
    const a = sampleRun();
    const b = sampleRun({ startedAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:09:00.000Z', durationMs: 9, timings: { downMs: 1, upMs: 2 }, runId: 'other' });
    b.scenarios = b.scenarios.map((s) => ({ ...s, durationMs: s.durationMs + 7, startedAt: '2030-01-01T00:00:01.000Z' }));
    b.parameters = Object.fromEntries(Object.entries(a.parameters).reverse());
    expect(JSON.stringify(stableView(buildReportJson(a)))).toBe(JSON.stringify(stableView(buildReportJson(b))));
    const strip = (t: string) => t.replace(/"(\w*At|durationMs)": [^,\n]+/g, '"$1": X').replace(/"timings": \{[^}]*\}/, '"timings": X');
    expect(strip(renderReportJson(a))).toBe(strip(renderReportJson(b)));
    // A different seed is a different runKey.
    expect(buildReportJson(sampleRun({ seed: 43 }))).not.toEqual(expect.objectContaining({ run: expect.objectContaining({ runKey: (buildReportJson(a) as { run: { runKey: string } }).run.runKey }) }));
  });
});

describe('summary.md and writeReports', () => {
  it('summary lists outcome, findings with repro, skips and unavailable capabilities', () => {
    const md = renderSummary(sampleRun());
    expect(md).toContain('## ambient-harness: infrastructure-error (exit 3)');
    expect(md).toContain('A2 runner key parentSessionId');
    expect(md).toContain('repro: `ambient-harness run identity.inherit --profile m-6b21778 --seed 42`');
    expect(md).toContain('capability `podMemory`');
    expect(md).toContain('| memory | error |');
  });

  it('writes the three files and appends the summary to $GITHUB_STEP_SUMMARY', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h8-report-'));
    const stepSummary = path.join(dir, 'step-summary.md');
    const out = writeReports(sampleRun(), path.join(dir, 'r'), { env: { GITHUB_STEP_SUMMARY: stepSummary } });
    parseXml(readFileSync(out.junit, 'utf8'));
    expect(JSON.parse(readFileSync(out.json, 'utf8')).schemaVersion).toBe(1);
    expect(readFileSync(stepSummary, 'utf8')).toBe(readFileSync(out.summary, 'utf8') + '\n');
  });
});

describe('backend-contract probes are listed apart', () => {
  const run = sampleRun();
  const probeFinding = { scenario: 'identity.inherit', assertion: 'identity.probe.parent_session_id.userId', sessionPath: ['root', 'root/1'], expected: { userId: 'alice' }, actual: { userId: 'x' }, message: 'probe child lost the identity', repro: 'r', probe: true };
  run.scenarios[0].assertions.push(
    { scenario: 'identity.inherit', assertion: 'identity.probe.parent_session_id.created', status: 'passed', probe: true, durationMs: 1 },
    { scenario: 'identity.inherit', assertion: probeFinding.assertion, status: 'failed', sessionPath: probeFinding.sessionPath, finding: probeFinding, probe: true, durationMs: 1 },
  );

  it('report.json: counted under summary.probes, flagged on assertions and findings', () => {
    const json = buildReportJson(run) as any;
    expect(json.summary.assertions).toEqual({ passed: 2, failed: 1, skipped: 1 });
    expect(json.summary.probes).toEqual({ passed: 1, failed: 1, skipped: 0 });
    expect(json.summary.findings).toBe(2);
    expect(json.scenarios[0].assertions.filter((a: any) => a.probe).map((a: any) => a.assertion)).toEqual(['identity.probe.parent_session_id.created', 'identity.probe.parent_session_id.userId']);
    expect(json.findings.map((f: any) => [f.assertion, f.probe ?? false])).toEqual([['A2 runner key parentSessionId', false], ['identity.probe.parent_session_id.userId', true]]);
  });

  it('JUnit: a suite of their own next to the scenario\'s; summary.md: a section of their own', () => {
    const suites = children(parseXml(renderJUnit(run)), 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['identity.inherit', 'identity.inherit (backend-contract probes)', 'memory', 'load.creates']);
    expect([suites[1].attrs.tests, suites[1].attrs.failures]).toEqual(['2', '1']);
    expect(children(suites[0], 'testcase').map((c) => c.attrs.name)).not.toContain('identity.probe.parent_session_id.userId');
    const md = renderSummary(run);
    expect(md).toContain('Backend-contract probes (an API caller sending shapes no runner sends): 1 passed, 1 failed, 0 skipped.');
    expect(md).toMatch(/### Findings \(1\)[\s\S]*### Backend-contract probe findings \(an API caller, not a runner\) \(1\)\n\n- \*\*identity.inherit \/ identity.probe.parent_session_id.userId/);
  });
});

describe('transient faults', () => {
  it('are counted in report.json (volatile, outside the stable view), in summary.md and as a JUnit property; never findings', () => {
    const run = sampleRun();
    run.scenarios[0].transients = [{ request: 'GET /api/projects/p/agentic-sessions/x', cause: '503', attempts: 2 }];
    const json = buildReportJson(run) as any;
    expect(json.transients).toEqual({ count: 1, events: [{ scenario: 'identity.inherit', request: 'GET /api/projects/p/agentic-sessions/x', cause: '503', attempts: 2 }] });
    expect(json.summary.findings).toBe(1);
    expect(JSON.stringify(stableView(json))).toBe(JSON.stringify(stableView(buildReportJson(sampleRun()))));
    expect(renderSummary(run)).toContain('### Transient faults (1): retried and cleared, not findings');
    expect(renderJUnit(run)).toContain('<property name="transients" value="1"/>');
  });
});
