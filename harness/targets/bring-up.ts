// Bring-up as a sequence of steps with their undo: every step that creates something registers how
// to remove it, and teardown undoes in reverse order — after a failed step, on SIGINT (the signal
// is checked between steps and ends a running child), and at the end of the run. `--keep` keeps
// what would outlive the process (a cluster, a container) and says how to remove it by hand.
import { HarnessError, InfraError, oneLine } from '../errors.ts';
import { progress } from '../report/progress.ts';

interface Undo {
  what: string;
  run: () => unknown;
  /** Something that outlives the harness process (a cluster, a container): kept with --keep. */
  durable: boolean | (() => boolean);
  keptHint?: string;
}

export class BringUp {
  private readonly undos: Undo[] = [];
  private torn?: Promise<void>;
  readonly kept: string[] = [];

  constructor(
    private readonly target: string,
    readonly signal?: AbortSignal,
    private readonly keep = false,
  ) {}

  /** Throws INTERRUPTED when SIGINT arrived; called before each step. */
  checkSignal(what: string): void {
    if (this.signal?.aborted) throw new InfraError(`target ${this.target}: interrupted before ${what}`, { code: 'INTERRUPTED' });
  }

  async step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.checkSignal(what);
    progress(what);
    return fn();
  }

  /**
   * Registers how to undo what the next step creates. Register BEFORE the step when the step can
   * half-succeed (a cluster whose creation is interrupted still has to be deleted).
   */
  onTeardown(what: string, run: Undo['run'], opts: { durable?: Undo['durable']; keptHint?: string } = {}): void {
    this.undos.push({ what, run, durable: opts.durable ?? false, keptHint: opts.keptHint });
  }

  /** Undoes everything registered, last first; never throws (each failure is a progress line). Idempotent. */
  teardown(): Promise<void> {
    this.torn ??= (async () => {
      for (const u of this.undos.splice(0).reverse()) {
        if (this.keep && (typeof u.durable === 'function' ? u.durable() : u.durable)) {
          if (u.keptHint) this.kept.push(u.keptHint);
          continue;
        }
        progress(u.what);
        try {
          await u.run();
        } catch (err) {
          progress(`${u.what} failed: ${oneLine(err)}`);
        }
      }
      for (const hint of this.kept) progress(`kept (--keep): ${hint}`);
    })();
    return this.torn;
  }

  /** Runs the whole bring-up; on any failure tears down what was created, then rethrows as InfraError. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      await this.teardown();
      if (err instanceof HarnessError) throw err;
      throw new InfraError(`${this.target} target failed: ${oneLine(err)}`, { cause: err });
    }
  }
}
