// summary.md: what a human reads first (also appended to $GITHUB_STEP_SUMMARY in CI).
import { allFindings, countAssertions, type RunResult } from './model.ts';
import { outcomeOf } from './json.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

export function renderSummary(run: RunResult): string {
  const counts = countAssertions(run, 'checks');
  const probes = countAssertions(run, 'probes');
  const findings = allFindings(run).filter((f) => !f.probe);
  const probeFindings = allFindings(run).filter((f) => f.probe);
  const lines: string[] = [];
  lines.push(`## ambient-harness: ${outcomeOf(run.exitCode)} (exit ${run.exitCode})`, '');
  lines.push(`Run ${code(run.runId)} · target ${code(run.target.name)} · profile ${code(run.profile)} · seed ${run.seed} · ${(run.durationMs / 1000).toFixed(1)} s`, '');
  if (run.error) lines.push(`**Run failed:** ${code(run.error.code)} ${cell(run.error.message)}`, '');
  lines.push(`Assertions: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped.`, '');
  if (probes.passed + probes.failed + probes.skipped)
    lines.push(`Backend-contract probes (an API caller sending shapes no runner sends): ${probes.passed} passed, ${probes.failed} failed, ${probes.skipped} skipped.`, '');
  if (run.scenarios.length) {
    lines.push('| scenario | status | passed | failed | skipped | note |', '|---|---|---|---|---|---|');
    for (const s of run.scenarios) {
      const n = (st: string) => s.assertions.filter((a) => a.status === st && !a.probe).length;
      lines.push(`| ${cell(s.name)} | ${s.status} | ${n('passed')} | ${n('failed')} | ${n('skipped')} | ${cell(s.error ?? s.reason ?? '')} |`);
    }
    lines.push('');
  }
  for (const [title, list] of [['Findings', findings], ['Backend-contract probe findings (an API caller, not a runner)', probeFindings]] as const) {
    if (!list.length) continue;
    lines.push(`### ${title} (${list.length})`, '');
    for (const f of list) {
      lines.push(`- **${cell(f.scenario)} / ${cell(f.assertion)}**: ${cell(f.message)}`);
      lines.push(`  - path: ${f.sessionPath.length ? f.sessionPath.map(code).join(' → ') : '(none)'}`);
      lines.push(`  - expected: ${code(show(f.expected))}`);
      lines.push(`  - actual: ${code(show(f.actual))}`);
      lines.push(`  - repro: ${code(f.repro)}`);
    }
    lines.push('');
  }
  const skips = run.scenarios.flatMap((s) => s.assertions.filter((a) => a.status === 'skipped').map((a) => `${s.name} / ${a.assertion}: ${a.reason ?? ''}`));
  const unavailable = Object.entries(run.target.capabilities).filter(([, c]) => !c.available);
  if (skips.length || unavailable.length) {
    lines.push('### Skipped and unavailable', '');
    for (const [name, c] of unavailable) lines.push(`- capability ${code(name)}: ${cell(c.reason)}`);
    for (const s of skips) lines.push(`- ${cell(s)}`);
    lines.push('');
  }
  const transients = run.scenarios.flatMap((s) => (s.transients ?? []).map((e) => ({ ...e, scenario: s.name })));
  if (transients.length) {
    lines.push(`### Transient faults (${transients.length}): retried and cleared, not findings`, '');
    for (const e of transients.slice(0, 20)) lines.push(`- ${cell(e.scenario)}: ${code(e.request)} saw ${cell(e.cause)}, answered on attempt ${e.attempts}`);
    if (transients.length > 20) lines.push(`- … and ${transients.length - 20} more (report.json \`transients\`)`);
    lines.push('');
  }
  const loads = run.scenarios.flatMap((s) => s.load ?? []);
  for (const l of loads) {
    lines.push(`### Load: ${cell(l.name)}`, '');
    for (const t of l.thresholds) lines.push(`- ${t.ok ? '✓' : '✗'} ${code(`${t.metric}: ${t.expression}`)} (observed ${t.observed})`);
    lines.push('');
  }
  return lines.join('\n');
}
