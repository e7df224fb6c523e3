// Shared by the scenario tests: run the real suite on the embedded target through runHarness,
// collect finding assertion ids, and the tokens a run plants (to scan reports for them).
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type HarnessConfigInput } from '../../harness/config.ts';
import { runHarness, type RunOutcome } from '../../harness/index.ts';
import { allFindings, type Finding } from '../../harness/report/model.ts';
import { scenarioUsers } from '../../scenarios/support/env.ts';

export function tmpDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `h9-${prefix}-`));
}

/** Small trees: the machine is shared; depth 2 / fanout 2 is what the matrix needs. */
export async function runProfile(profile: HarnessConfigInput['profile'], extra: HarnessConfigInput = {}): Promise<{ outcome: RunOutcome; reportDir: string }> {
  const reportDir = tmpDir(String(profile));
  const config = parseConfig({ profile, seed: 1, depth: 2, fanout: 2, concurrency: 4, strictIdentity: 'all', reportDir, ...extra });
  const outcome = await runHarness(config);
  return { outcome, reportDir };
}

export function findingIds(outcome: RunOutcome): string[] {
  return [...new Set(allFindings(outcome.result).map((f) => f.assertion))].sort();
}

export function findingsOf(outcome: RunOutcome, assertion: string): Finding[] {
  return allFindings(outcome.result).filter((f) => f.assertion === assertion);
}

/** Every scenario ran (no crash, no skip), so an empty finding set means "checked and held". */
export function scenarioStatuses(outcome: RunOutcome): Record<string, string> {
  return Object.fromEntries(outcome.result.scenarios.map((s) => [s.name, s.error ? `${s.status}: ${s.error}` : s.status]));
}

/** The fake credentials a run with this seed seeds (they must never reach a report). */
export function plantedCredentials(seed: number): string[] {
  return scenarioUsers(seed, 3).flatMap((u) => [u.credentials.github.token, u.credentials.jira.apiToken, u.credentials.gitlab.token]);
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

export function readAll(dir: string): { file: string; text: string }[] {
  return filesUnder(dir).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}
