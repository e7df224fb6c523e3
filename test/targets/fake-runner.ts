// A stand-in for the process boundary of targets (kind, docker, kubectl): records every call with
// its stdin, answers from handlers, and behaves like the real runner on abort (a hanging command
// ends with INTERRUPTED when its signal fires).
import { InfraError } from '../../harness/errors.ts';
import type { Command, ExecOptions, ExecResult, ProcessRunner } from '../../harness/targets/exec.ts';

export interface Call {
  cmd: string;
  args: string[];
  input?: string;
  /** For a pipe: the producer. */
  from?: Command;
}

export type Reply = Partial<ExecResult> | 'hang';
export type Handler = (call: Call) => Reply | undefined | Promise<Reply | undefined>;

export class FakeRunner implements ProcessRunner {
  readonly calls: Call[] = [];
  private readonly handlers: Handler[] = [];
  /** Called when a handler returns 'hang' (tests abort from there). */
  onHang?: (call: Call) => void;

  /** Handlers are asked newest first; the first answer wins. Unanswered calls succeed with empty output. */
  on(handler: Handler): this {
    this.handlers.unshift(handler);
    return this;
  }

  /** `cmd args…` as one line, for matching and messages. */
  static line(c: Call): string {
    return [...(c.from ? [c.from.cmd, ...c.from.args, '|'] : []), c.cmd, ...c.args].join(' ');
  }

  lines(): string[] {
    return this.calls.map(FakeRunner.line);
  }

  /** Index of the first call whose line matches, or -1. */
  indexOf(pattern: RegExp): number {
    return this.lines().findIndex((l) => pattern.test(l));
  }

  exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.answer({ cmd, args, input: opts.input }, opts);
  }

  pipe(from: Command, to: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.answer({ cmd: to.cmd, args: to.args, from }, opts);
  }

  private async answer(call: Call, opts: ExecOptions): Promise<ExecResult> {
    const line = FakeRunner.line(call);
    if (opts.signal?.aborted) throw new InfraError(`${line} interrupted`, { code: 'INTERRUPTED' });
    this.calls.push(call);
    let reply: Reply | undefined;
    for (const h of this.handlers) {
      reply = await h(call);
      if (reply !== undefined) break;
    }
    if (reply === 'hang') {
      this.onHang?.(call);
      await new Promise<void>((_, reject) => {
        const fail = () => reject(new InfraError(`${line} interrupted`, { code: 'INTERRUPTED' }));
        if (opts.signal?.aborted) fail();
        opts.signal?.addEventListener('abort', fail, { once: true });
        if (!opts.signal) reject(new Error(`${line} hangs and has no signal to end it`));
      });
    }
    const result: ExecResult = { code: 0, stdout: '', stderr: '', ...(reply === 'hang' ? {} : reply) };
    if (result.code !== 0 && !opts.allowFailure) throw new InfraError(`${line} failed: ${result.stderr.trim().split('\n').pop() ?? ''}`);
    return result;
  }
}
