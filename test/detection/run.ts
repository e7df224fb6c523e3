// Runs the harness (as `run` does, reports included) on the embedded target behind a broken
// backend, quietly, and summarises the outcome for assertions.
import type { HarnessConfigInput } from '../../harness/config.ts';
import { parseConfig } from '../../harness/config.ts';
import { runHarness, type RunOutcome } from '../../harness/index.ts';
import { allFindings, type Finding } from '../../harness/report/model.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import type { Cluster } from '../../harness/targets/types.ts';
import { tmpDir } from '../scenarios/helpers.ts';
import { proxiedTarget, type ProxyHooks, type RunningProxy } from './proxy.ts';

export interface DetectionRun {
  outcome: RunOutcome;
  proxy: RunningProxy;
  findings: Finding[];
  /** Finding count per assertion id. */
  byAssertion: Record<string, number>;
  reportDir: string;
}

export async function runBehind(makeHooks: (cluster: Cluster, proxy: () => RunningProxy) => ProxyHooks, config: HarnessConfigInput = {}): Promise<DetectionRun> {
  let proxy: RunningProxy | undefined;
  const reportDir = tmpDir('detect');
  setProgressSink('quiet');
  try {
    const outcome = await runHarness(parseConfig({ seed: 1, reportDir, ...config }), { target: proxiedTarget(makeHooks, (p) => (proxy = p)) });
    const findings = allFindings(outcome.result);
    const byAssertion: Record<string, number> = {};
    for (const f of findings) byAssertion[f.assertion] = (byAssertion[f.assertion] ?? 0) + 1;
    return { outcome, proxy: proxy as RunningProxy, findings, byAssertion, reportDir };
  } finally {
    setProgressSink('stderr');
  }
}

/** The scenario outcomes (`status` or `status: error`), to show why a run did not pass. */
export function statuses(r: DetectionRun): Record<string, string> {
  return Object.fromEntries(r.outcome.result.scenarios.map((s) => [s.name, s.error ? `${s.status}: ${s.error}` : s.status]));
}
