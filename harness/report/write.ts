// Writes every report format for a run; every byte goes through the redactor first.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderJUnit } from './junit.ts';
import { renderReportJson } from './json.ts';
import type { RunResult } from './model.ts';
import { redactor as defaultRedactor, type Redactor } from './redact.ts';
import { renderSummary } from './summary.ts';

export interface WrittenReports {
  dir: string;
  junit: string;
  json: string;
  summary: string;
}

export function writeReports(run: RunResult, dir: string, opts: { redactor?: Redactor; env?: NodeJS.ProcessEnv } = {}): WrittenReports {
  const r = opts.redactor ?? defaultRedactor;
  const env = opts.env ?? process.env;
  const safe = r.redactDeep(run);
  mkdirSync(dir, { recursive: true });
  const out: WrittenReports = {
    dir,
    junit: path.join(dir, 'junit.xml'),
    json: path.join(dir, 'report.json'),
    summary: path.join(dir, 'summary.md'),
  };
  // Second pass on the rendered text catches anything formatting put back together.
  writeFileSync(out.junit, r.redact(renderJUnit(safe)));
  writeFileSync(out.json, r.redact(renderReportJson(safe)));
  const summary = r.redact(renderSummary(safe));
  writeFileSync(out.summary, summary);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary + '\n');
  return out;
}
