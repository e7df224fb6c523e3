// The library API the CLI is a thin shell over: scenario registry, runHarness (bring target up,
// run scenarios, collect findings, write reports, tear down ALWAYS), and re-exports.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeRunId, parseConfig, reportDirOf, rerunTargetFlags, runnerCommitOf, type HarnessConfig } from './config.ts';
import { ExitCode, HarnessError, InfraError, UsageError, exitCodeOf, oneLine } from './errors.ts';
import type { AssertionRecord, Finding, LoadSummary, RunResult, ScenarioResult, TransientEvent, TreeNode } from './report/model.ts';
import { progress } from './report/progress.ts';
import { registerSecret } from './report/redact.ts';
import { writeReports, type WrittenReports } from './report/write.ts';
import { targetFor } from './targets/index.ts';
import type { CapabilityName, Cluster, Target } from './targets/types.ts';

export * from './errors.ts';
export { loadConfig, parseConfig, ConfigSchema, makeRunId, rerunTargetFlags, type HarnessConfig, type HarnessConfigInput } from './config.ts';
export type { Cluster, Target, CapabilityName, Capabilities } from './targets/types.ts';
export type { Finding, AssertionRecord, RunResult, ScenarioResult, TreeNode, LoadSummary, TransientEvent } from './report/model.ts';

// ---------------------------------------------------------------------------------------------
// Seeded randomness: the same seed gives the same trees, users and findings.
// ---------------------------------------------------------------------------------------------

import { createRng, type Rng } from './random.ts';

export { createRng, type Rng };

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/** A passed or skipped assertion; a failed one is recorded as a Finding. */
export interface AssertionOutcome {
  assertion: string;
  status: 'passed' | 'skipped';
  reason?: string;
  sessionPath?: string[];
  /** A backend-contract probe: an API caller sent a shape no runner sends (reported apart). */
  probe?: boolean;
}

/** What a scenario records: a failed assertion (a Finding, `scenario` filled in) or a pass/skip. */
export type RecordEntry = (Omit<Finding, 'scenario'> & { scenario?: string }) | AssertionOutcome;

export interface ScenarioContext {
  cluster: Cluster;
  config: HarnessConfig;
  runId: string;
  /** Seeded per scenario (fork of the run seed by scenario name). */
  rng: Rng;
  /** Aborted on SIGINT or the scenario timeout: stop sending work. */
  signal: AbortSignal;
  /** Records an assertion outcome: a Finding (failed) or a pass/skip. `scenario` is filled in. */
  record(entry: RecordEntry): void;
  skip(assertion: string, reason: string, opts?: { probe?: boolean }): void;
  /** True if the target offers it; otherwise records nothing, so the scenario decides what to skip. */
  has(capability: CapabilityName): boolean;
  tree(nodes: TreeNode[]): void;
  load(summary: LoadSummary): void;
  /** Counts a transient fault a read retried through (reported apart, never a finding). */
  transient(event: TransientEvent): void;
  /** Registers a secret (token) so it is redacted from every report and log line. */
  secret(value: string): void;
  log(message: string): void;
  /** The one-line command that reruns this scenario with this seed and profile. */
  repro(extraArgs?: string): string;
}

export interface Scenario {
  name: string;
  description?: string;
  /** Capabilities without which the whole scenario is skipped (reason taken from the target). */
  requires?: CapabilityName[];
  run(ctx: ScenarioContext): Promise<void>;
}

export class ScenarioRegistry {
  private readonly byName = new Map<string, Scenario>();

  register(...scenarios: Scenario[]): this {
    for (const s of scenarios) {
      if (this.byName.has(s.name)) throw new Error(`scenario "${s.name}" registered twice`);
      this.byName.set(s.name, s);
    }
    return this;
  }

  get(name: string): Scenario | undefined {
    return this.byName.get(name);
  }

  list(): Scenario[] {
    return [...this.byName.values()];
  }

  /** Names select exactly, or as a prefix group ("identity" selects "identity.*"). Empty = all. Unknown = UsageError. */
  select(names: string[]): Scenario[] {
    if (!names.length) return this.list();
    const out: Scenario[] = [];
    for (const n of names) {
      const hits = this.list().filter((s) => s.name === n || s.name.startsWith(`${n}.`) || s.name.startsWith(`${n}-`));
      if (!hits.length) throw new UsageError(`unknown scenario "${n}" (registered: ${this.list().map((s) => s.name).join(', ') || 'none'})`);
      for (const h of hits) if (!out.includes(h)) out.push(h);
    }
    return out;
  }
}

/** The default registry the CLI uses; `scenarios/index.ts` (when present) registers into it. */
export const scenarios = new ScenarioRegistry();

/**
 * Integration point for the scenario suite (`scenarios/index.ts` registers into the registry),
 * loaded once before a run. A literal dynamic import: the suite depends on this module, and the
 * bundler follows literal paths.
 */
let builtinsLoaded = false;
export async function loadBuiltinScenarios(registry = scenarios): Promise<void> {
  if (builtinsLoaded) return;
  builtinsLoaded = true;
  const mod = await import('../scenarios/index.ts');
  mod.registerScenarios(registry);
}

export function reproCommand(config: HarnessConfig, scenario: string, extra = ''): string {
  const parts = ['ambient-harness', 'run', scenario, ...rerunTargetFlags(config), '--seed', String(config.seed)];
  parts.push('--depth', String(config.depth), '--fanout', String(config.fanout), '--concurrency', String(config.concurrency));
  const defaults = parseConfig({});
  if (config.wideLevels !== defaults.wideLevels) parts.push('--wide-levels', String(config.wideLevels));
  if (config.strictIdentity !== defaults.strictIdentity) parts.push('--strict-identity', config.strictIdentity);
  if (config.runner !== defaults.runner) parts.push('--runner', config.runner);
  if (config.parentKeys.length === 1) parts.push('--parent-keys', config.parentKeys[0]);
  if (config.saSigningAlg !== 'ES256') parts.push('--sa-signing-alg', config.saSigningAlg);
  return [...parts, extra].filter(Boolean).join(' ');
}

// ---------------------------------------------------------------------------------------------
// runHarness
// ---------------------------------------------------------------------------------------------

export interface RunHarnessOptions {
  registry?: ScenarioRegistry;
  /** Override targets (tests). */
  target?: Target;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Install SIGINT/SIGTERM handlers that abort the run (teardown still runs). Default false; the CLI sets it. */
  handleSignals?: boolean;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface RunOutcome {
  exitCode: number;
  result: RunResult;
  reports?: WrittenReports;
}

/** Races `p` against a timeout and an abort signal; `onGiveUp` runs when either wins. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string, onGiveUp?: () => void, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        onGiveUp?.();
        reject(new InfraError(`${what} timed out after ${ms} ms`, { code: 'TIMEOUT' }));
      }, ms);
      if (signal) {
        onAbort = () => {
          onGiveUp?.();
          reject(new InfraError(`${what} interrupted`, { code: 'INTERRUPTED' }));
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    }),
  ]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
}

const probeFlag = (probe: boolean | undefined) => (probe ? { probe: true as const } : {});

async function runScenario(s: Scenario, cluster: Cluster, config: HarnessConfig, runId: string, parent: AbortSignal, now: () => Date): Promise<ScenarioResult> {
  const startedAt = now();
  const t0 = performance.now();
  let last = t0;
  const assertions: AssertionRecord[] = [];
  const tree: TreeNode[] = [];
  const load: LoadSummary[] = [];
  const transients: TransientEvent[] = [];
  const result = (status: ScenarioResult['status'], extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
    name: s.name,
    status,
    assertions,
    tree,
    load,
    ...(transients.length ? { transients } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    ...extra,
  });
  const missing = (s.requires ?? []).filter((c) => !cluster.capabilities[c]?.available);
  if (missing.length) {
    const reason = missing.map((c) => `${c}: ${cluster.capabilities[c]?.reason ?? 'not offered by this target'}`).join('; ');
    progress(`scenario ${s.name}: skipped (${reason})`);
    return result('skipped', { reason });
  }
  const controller = new AbortController();
  const signal = AbortSignal.any([parent, controller.signal]);
  const elapsed = () => {
    const t = performance.now();
    const d = Math.round(t - last);
    last = t;
    return d;
  };
  const ctx: ScenarioContext = {
    cluster,
    config,
    runId,
    rng: createRng(config.seed).fork(s.name),
    signal,
    record(entry: RecordEntry) {
      // After SIGINT or the scenario timeout, outcomes reflect the interruption, not the platform.
      if (signal.aborted) return;
      if ('expected' in entry) {
        const finding: Finding = { ...entry, scenario: entry.scenario ?? s.name };
        assertions.push({ scenario: s.name, assertion: entry.assertion, status: 'failed', sessionPath: entry.sessionPath, finding, ...probeFlag(entry.probe), durationMs: elapsed() });
      } else {
        assertions.push({ scenario: s.name, assertion: entry.assertion, status: entry.status, reason: entry.reason, sessionPath: entry.sessionPath, ...probeFlag(entry.probe), durationMs: elapsed() });
      }
    },
    skip: (assertion, reason, opts) => void (signal.aborted || assertions.push({ scenario: s.name, assertion, status: 'skipped', reason, ...probeFlag(opts?.probe), durationMs: elapsed() })),
    has: (c) => !!cluster.capabilities[c]?.available,
    tree: (nodes) => void tree.push(...nodes),
    load: (summary) => void load.push(summary),
    transient: (e) => {
      transients.push(e);
      progress(`${s.name}: transient ${e.cause} on ${e.request}, answered on attempt ${e.attempts}`);
    },
    secret: registerSecret,
    log: (m) => progress(`${s.name}: ${m}`),
    repro: (extra) => reproCommand(config, s.name, extra),
  };
  progress(`scenario ${s.name}: running`);
  try {
    await withTimeout(s.run(ctx), config.timeouts.scenarioMs, `scenario ${s.name}`, () => controller.abort());
    if (signal.aborted) return result('skipped', { reason: parent.aborted ? 'interrupted' : 'timed out' });
    const failed = assertions.some((a) => a.status === 'failed');
    const allSkipped = assertions.length > 0 && assertions.every((a) => a.status === 'skipped');
    progress(`scenario ${s.name}: ${assertions.length} assertion(s), ${assertions.filter((a) => a.status === 'failed').length} finding(s)`);
    return result(failed ? 'failed' : allSkipped ? 'skipped' : 'passed');
  } catch (err) {
    controller.abort();
    progress(`scenario ${s.name}: error: ${oneLine(err)}`);
    return result('error', { error: oneLine(err) });
  }
}

/** Exit code precedence: run error > scenario error (3) > findings (1) > thresholds (99) > pass (0). */
export function exitCodeFor(result: Omit<RunResult, 'exitCode'>, runError?: unknown): number {
  if (runError !== undefined) return exitCodeOf(runError);
  if (result.scenarios.some((s) => s.status === 'error')) return ExitCode.Infra;
  if (result.scenarios.some((s) => s.assertions.some((a) => a.status === 'failed'))) return ExitCode.Findings;
  if (result.scenarios.some((s) => (s.load ?? []).some((l) => l.thresholds.some((t) => !t.ok)))) return ExitCode.Thresholds;
  return ExitCode.Pass;
}

export async function runHarness(config: HarnessConfig, opts: RunHarnessOptions = {}): Promise<RunOutcome> {
  const now = opts.now ?? (() => new Date());
  const registry = opts.registry ?? scenarios;
  if (!opts.registry) await loadBuiltinScenarios(registry);
  const selected = registry.select(config.scenarios); // UsageError before anything starts
  const startedAt = now();
  const t0 = performance.now();
  const runId = makeRunId(config.seed, startedAt);
  const reportDir = reportDirOf(config, runId, opts.cwd);
  // Kubeconfigs hold tokens: keep them out of the report dir, and delete them after the run.
  const workDir = mkdtempSync(path.join(os.tmpdir(), `ambient-harness-${runId}-`));
  const target = opts.target ?? targetFor(config.target);
  const abort = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
  const onSignal = (sig: NodeJS.Signals) => {
    progress(abort.signal.aborted ? `${sig}: teardown already in progress` : `${sig}: stopping; tearing down before exit`);
    abort.abort();
  };
  if (opts.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const timings: Record<string, number> = {};
  const results: ScenarioResult[] = [];
  let cluster: Cluster | undefined;
  let upPromise: Promise<Cluster> | undefined;
  let runError: unknown;
  let capabilities: RunResult['target']['capabilities'] = {};
  try {
    const programs = config.build ? `platform built from ${config.platformDir}` : config.backendCmd || config.operatorCmd ? 'given backend/operator commands' : `profile ${config.profile}`;
    progress(`run ${runId}: target ${config.target}, ${programs}, seed ${config.seed}, ${selected.length} scenario(s)`);
    const pre = await target.prerequisites(config);
    if (!pre.ok) throw new InfraError(`target ${config.target}: ${pre.reason}`, { code: 'PREREQUISITE_MISSING' });
    mkdirSync(reportDir, { recursive: true });
    if (config.build) {
      // Compiling a checkout can take minutes on a cold Go cache: its own bound, before bring-up's.
      const b0 = performance.now();
      const { buildRequestedPrograms } = await import('./platform/local/index.ts');
      await withTimeout(buildRequestedPrograms(config, reportDir), config.timeouts.buildMs, `building the platform in ${config.platformDir}`, undefined, signal);
      timings.buildMs = Math.round(performance.now() - b0);
    }
    const up0 = performance.now();
    upPromise = target.up({ config, runId, workDir, logDir: reportDir, signal });
    upPromise.catch(() => {}); // settled below even when we stop waiting
    cluster = await withTimeout(upPromise, config.timeouts.upMs, `target ${config.target} bring-up`, undefined, signal);
    timings.upMs = Math.round(performance.now() - up0);
    capabilities = cluster.capabilities;
    for (const s of selected) {
      if (signal.aborted) {
        results.push({ name: s.name, status: 'skipped', reason: 'run interrupted', assertions: [], startedAt: now().toISOString(), durationMs: 0 });
        continue;
      }
      results.push(await runScenario(s, cluster, config, runId, signal, now));
    }
    if (signal.aborted) throw new InfraError('run interrupted (SIGINT/SIGTERM)', { code: 'INTERRUPTED' });
  } catch (err) {
    runError = err;
    if (!(err instanceof HarnessError)) progress(`unexpected error: ${config.debug && err instanceof Error ? err.stack : oneLine(err)}`);
  } finally {
    if (!cluster && upPromise) {
      // We stopped waiting (SIGINT, timeout) but bring-up may still finish: wait for it (bounded),
      // so the processes and containers it started are torn down, never orphaned.
      progress('waiting for the interrupted bring-up to settle, to tear it down');
      cluster = await withTimeout(upPromise, config.timeouts.upMs, 'interrupted bring-up').catch(() => undefined);
    }
    if (cluster) {
      const down0 = performance.now();
      try {
        await withTimeout(cluster.down(), config.timeouts.downMs, `target ${config.target} teardown`);
      } catch (err) {
        progress(`teardown failed: ${oneLine(err)}`);
        runError ??= new InfraError(`teardown failed: ${oneLine(err)}`);
      }
      timings.downMs = Math.round(performance.now() - down0);
    }
    rmSync(workDir, { recursive: true, force: true });
    if (opts.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  const finishedAt = now();
  const partial: Omit<RunResult, 'exitCode'> = {
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    target: { name: config.target, capabilities },
    profile: config.profile,
    seed: config.seed,
    parameters: {
      depth: config.depth,
      fanout: config.fanout,
      wideLevels: config.wideLevels,
      runner: runnerCommitOf(config),
      concurrency: config.concurrency,
      strictIdentity: config.strictIdentity,
      parentKeys: config.parentKeys,
      scenarios: selected.map((s) => s.name),
    },
    scenarios: results,
    timings,
    ...(runError !== undefined
      ? { error: { code: runError instanceof HarnessError ? runError.code : 'INTERNAL', message: oneLine(runError) } }
      : {}),
  };
  const result: RunResult = { ...partial, exitCode: exitCodeFor(partial, runError) };
  let reports: WrittenReports | undefined;
  try {
    reports = writeReports(result, reportDir, { env: opts.env });
    progress(`reports written to ${path.relative(opts.cwd ?? process.cwd(), reportDir) || '.'}`);
  } catch (err) {
    progress(`could not write reports: ${oneLine(err)}`);
    if (result.exitCode === ExitCode.Pass) result.exitCode = ExitCode.Infra;
  }
  return { exitCode: result.exitCode, result, reports };
}
