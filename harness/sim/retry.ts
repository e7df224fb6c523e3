// Transient versus real, for idempotent reads: a 5xx answer or a dropped connection is retried a
// bounded number of times with backoff. One that clears is a transient event (counted in the
// report, never a finding); a 5xx that persists is returned with its attempt count, so the
// finding states what was measured; a connection that never answers is an infrastructure failure
// (exit 3), never a finding.
import { InfraError } from '../errors.ts';
import type { TransientEvent } from '../report/model.ts';

export type { TransientEvent };

export interface RetryPolicy {
  /** Attempts in all (default 4). */
  attempts?: number;
  /** First backoff; doubled each retry (default 100 ms). */
  backoffMs?: number;
  onTransient?: (e: TransientEvent) => void;
  signal?: AbortSignal;
}

const TRANSPORT = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_|socket hang up|other side closed|fetch failed|TimeoutError|The operation was aborted due to timeout/i;

/** The transport error code of a failed request (no HTTP answer at all), or undefined for anything else. */
export function transportCause(err: unknown): string | undefined {
  if (err instanceof InfraError) return undefined; // already judged: the run fails as infrastructure
  let e: unknown = err;
  for (let i = 0; e && i < 4; i++) {
    const x = e as { code?: unknown; name?: string; message?: string; cause?: unknown };
    const text = `${typeof x.code === 'string' ? x.code : ''} ${x.name ?? ''} ${x.message ?? ''}`;
    const m = TRANSPORT.exec(text);
    if (m) return typeof x.code === 'string' && x.code ? x.code : m[0];
    e = x.cause;
  }
  return undefined;
}

/** An HTTP status the read may get a different answer to a moment later. */
export const isRetryableStatus = (s: number) => s === 429 || (s >= 500 && s <= 599);

/** Waits `ms` (nothing when <= 0), or less if `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends an idempotent read until it gets an answer that is not a retryable status. `statusOf`
 * gives the HTTP status of a result, or of a thrown error that carries one (e.g. a Kubernetes
 * client's ApiException); thrown errors without a status and without a transport cause are
 * rethrown at once.
 */
export async function retryRead<T>(
  request: string,
  send: () => Promise<T>,
  policy: RetryPolicy & { statusOf: (r: T | unknown) => number | undefined },
): Promise<{ result: T; attempts: number }> {
  const attempts = Math.max(1, policy.attempts ?? 4);
  let cause = '';
  let lastThrown: unknown;
  for (let i = 1; ; i++) {
    try {
      const result = await send();
      const status = policy.statusOf(result);
      if (status === undefined || !isRetryableStatus(status) || i >= attempts) {
        if (i > 1 && (status === undefined || !isRetryableStatus(status))) policy.onTransient?.({ request, cause, attempts: i });
        return { result, attempts: i };
      }
      cause = String(status);
    } catch (err) {
      const status = policy.statusOf(err);
      const transport = status === undefined ? transportCause(err) : undefined;
      if (status !== undefined && !isRetryableStatus(status)) {
        if (i > 1) policy.onTransient?.({ request, cause, attempts: i });
        throw err;
      }
      if (status === undefined && !transport) throw err;
      cause = status !== undefined ? String(status) : (transport as string);
      lastThrown = err;
      if (i >= attempts) {
        if (status !== undefined) throw err; // a persisting 5xx the caller reports
        throw new InfraError(`${request}: no answer after ${attempts} attempts (${cause})`, { code: 'UNREACHABLE', cause: lastThrown });
      }
    }
    if (policy.signal?.aborted) throw lastThrown ?? new InfraError(`${request}: interrupted`, { code: 'INTERRUPTED' });
    await sleep((policy.backoffMs ?? 100) * 2 ** (i - 1), policy.signal);
  }
}
