// Error classes with a stable `code` and the process exit code the CLI maps them to.
// Exit codes (documented in `ambient-harness --help`):
//   0 pass · 1 assertion findings · 2 bad input/config · 3 infrastructure failure · 99 thresholds breached

export const ExitCode = {
  Pass: 0,
  Findings: 1,
  BadInput: 2,
  Infra: 3,
  Thresholds: 99,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: every harness error carries a stable machine code and an exit code. */
export abstract class HarnessError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCodeValue;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration file, env var or flag value is invalid (exit 2). */
export class ConfigError extends HarnessError {
  readonly code = 'CONFIG_INVALID';
  readonly exitCode = ExitCode.BadInput;
}

/** The command line itself is wrong: unknown flag, missing argument, unknown scenario (exit 2). */
export class UsageError extends HarnessError {
  readonly code = 'USAGE';
  readonly exitCode = ExitCode.BadInput;
}

/** Cluster, deploy or process failure, or a missing prerequisite such as a Docker engine (exit 3). */
export class InfraError extends HarnessError {
  readonly code: string;
  readonly exitCode = ExitCode.Infra;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code ?? 'INFRA';
  }
}

/** A missing tool or engine: an InfraError whose reason tests and scenarios surface as "skipped: <reason>". */
export class PrerequisiteError extends InfraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'PREREQUISITE_MISSING' });
  }
}

/** Load thresholds were breached (exit 99), like k6. */
export class ThresholdError extends HarnessError {
  readonly code = 'THRESHOLDS_BREACHED';
  readonly exitCode = ExitCode.Thresholds;
  constructor(message: string, readonly breached: string[] = []) {
    super(message);
  }
}

/** Maps any thrown value to an exit code: unknown errors are infrastructure failures. */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof HarnessError ? err.exitCode : ExitCode.Infra;
}

/** One line, no stack: `<code>: <message>` flattened to a single line. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}
