// What a run produces, independent of output format. Writers (JUnit, JSON, Markdown) read this.

/** A failed assertion, with enough context to act on it. */
export interface Finding {
  scenario: string;
  /** Assertion id, e.g. "A2" or "identity.child-inherits-userId". */
  assertion: string;
  /** Logical session path root -> ... -> child (seed-stable ids, not server-generated names). */
  sessionPath: string[];
  expected: unknown;
  actual: unknown;
  message: string;
  /** One-line command that reproduces it, e.g. `ambient-harness repro identity --profile m-6b21778 --seed 42`. */
  repro: string;
  /** A backend-contract probe: the request was sent by an API caller in a shape no runner sends. */
  probe?: boolean;
}

export type AssertionStatus = 'passed' | 'failed' | 'skipped';

export interface AssertionRecord {
  scenario: string;
  assertion: string;
  status: AssertionStatus;
  /** Why it was skipped (capability missing, ...). */
  reason?: string;
  sessionPath?: string[];
  finding?: Finding;
  /** A backend-contract probe (an API caller, not a runner): listed apart from the checks of runner and user behaviour. */
  probe?: boolean;
  durationMs: number;
}

export type ScenarioStatus = 'passed' | 'failed' | 'skipped' | 'error';

/** An idempotent read that failed transiently (5xx, dropped connection) and then got an answer on a retry: counted, never a finding. */
export interface TransientEvent {
  /** The request, e.g. `GET /api/projects/p/agentic-sessions/<name>`. */
  request: string;
  /** What the failed attempts saw: an HTTP status (`503`) or a transport error code (`ECONNRESET`). */
  cause: string;
  /** Attempts it took to get an answer. */
  attempts: number;
}

/** A node of a spawn tree as the report shows it: logical id plus stable attributes. */
export interface TreeNode {
  id: string;
  attrs?: Record<string, string>;
  children: TreeNode[];
}

export interface ThresholdOutcome {
  metric: string;
  expression: string;
  ok: boolean;
  /** The observed value the expression was evaluated against. */
  observed: number;
}

export interface LoadSummary {
  name: string;
  metrics: Record<string, Record<string, number>>;
  thresholds: ThresholdOutcome[];
}

export interface ScenarioResult {
  name: string;
  status: ScenarioStatus;
  reason?: string;
  /** Error message when status is "error" (scenario threw). */
  error?: string;
  assertions: AssertionRecord[];
  tree?: TreeNode[];
  load?: LoadSummary[];
  /** Transient faults its reads retried through. */
  transients?: TransientEvent[];
  startedAt: string;
  durationMs: number;
}

export interface CapabilityState {
  available: boolean;
  reason: string;
}

export interface RunResult {
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  target: { name: string; capabilities: Record<string, CapabilityState> };
  profile: string;
  seed: number;
  /** Knobs that shape the run (depth, fanout, concurrency, strictIdentity, parentKeys, scenarios). */
  parameters: Record<string, unknown>;
  scenarios: ScenarioResult[];
  exitCode: number;
  /** Set when the run itself failed (target up, deploy, config). */
  error?: { code: string; message: string };
  /** Bring-up / teardown durations. */
  timings: Record<string, number>;
}

export function allFindings(run: RunResult): Finding[] {
  return run.scenarios.flatMap((s) => s.assertions.flatMap((a) => (a.finding ? [a.finding] : [])));
}

/** Outcome counts of the checks (`which: 'checks'`, the default), of the backend-contract probes, or of both. */
export function countAssertions(run: RunResult, which: 'checks' | 'probes' | 'all' = 'checks'): Record<AssertionStatus, number> {
  const out: Record<AssertionStatus, number> = { passed: 0, failed: 0, skipped: 0 };
  for (const s of run.scenarios) for (const a of s.assertions) if (which === 'all' || (which === 'probes') === !!a.probe) out[a.status]++;
  return out;
}
