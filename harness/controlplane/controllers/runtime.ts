// Shared machinery of the in-process controllers: an injectable clock, a keyed work queue that
// decouples reconciles from the store's synchronous event delivery, and a quiet logger.
import { ApiError, peekObjects, type Controller, type GroupVersionResource, type InternalClient, type StoreEvent } from '../types.ts';
import { nsName } from './resources.ts';

/** Time source and timers; tests may inject a fake one. Timers never keep the process alive. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

const DEBUG = /\bcontrollers\b|^1$|^true$/.test(process.env.HARNESS_CONTROLLERS_DEBUG ?? '');

/** Expected API outcomes (conflicts, gone objects, terminating namespaces) are debug-level noise. */
function isExpected(err: unknown): boolean {
  return err instanceof ApiError && [403, 404, 409, 410, 422].includes(err.code);
}

export function logError(controller: string, what: string, err: unknown): void {
  if (!DEBUG && isExpected(err)) return;
  const message = err instanceof Error ? err.message : String(err);
  console.warn(`[controller ${controller}] ${what}: ${message}`);
}

export function logDebug(controller: string, message: string): void {
  if (DEBUG) console.warn(`[controller ${controller}] ${message}`);
}

export type ReconcileResult = void | { requeueAfterMs?: number };

const MAX_ATTEMPTS = 8;

/**
 * A deduplicating queue of keys. `add` may be called from inside store event delivery; the
 * handler runs later (setImmediate) so reconciles never re-enter a write in progress. Failed
 * reconciles retry with bounded exponential backoff.
 */
export class WorkQueue {
  private readonly ready = new Set<string>();
  private readonly delayed = new Map<string, { at: number; handle: unknown }>();
  private readonly attempts = new Map<string, number>();
  private flushScheduled: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly clock: Clock,
    private readonly handler: (key: string) => ReconcileResult,
  ) {}

  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.ready.add(key);
      this.scheduleFlush();
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, handle });
  }

  stop(): void {
    this.stopped = true;
    this.ready.clear();
    for (const { handle } of this.delayed.values()) this.clock.clearTimeout(handle);
    this.delayed.clear();
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.stopped) return;
    this.flushScheduled = setImmediate(() => {
      this.flushScheduled = undefined;
      this.flush();
    });
  }

  private flush(): void {
    const keys = [...this.ready];
    this.ready.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        const result = this.handler(key);
        this.attempts.delete(key);
        if (result && result.requeueAfterMs !== undefined) this.add(key, result.requeueAfterMs);
      } catch (err) {
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        logError(this.name, `reconcile ${key} (attempt ${attempt})`, err);
        if (attempt < MAX_ATTEMPTS) {
          this.attempts.set(key, attempt);
          this.add(key, Math.min(20 * 2 ** attempt, 5000));
        } else this.attempts.delete(key);
      }
    }
  }
}

/** Wraps a store listener so an exception never escapes into the store's event delivery. */
export function safeListener<T>(controller: string, fn: (event: T) => void): (event: T) => void {
  return (event) => {
    try {
      fn(event);
    } catch (err) {
      logError(controller, 'event handler', err);
    }
  };
}

/**
 * The shape of a kube-controller-manager controller: store events feed a work queue of
 * `<namespace>/<name>` keys, and every object of the primary type is queued once at start.
 */
export abstract class QueuedController implements Controller {
  protected client!: InternalClient;
  protected queue!: WorkQueue;
  private unsubscribe?: () => void;

  constructor(
    readonly name: string,
    protected readonly clock: Clock,
    private readonly primary: GroupVersionResource,
  ) {}

  start(client: InternalClient): void {
    this.client = client;
    this.queue = new WorkQueue(this.name, this.clock, (key) => this.reconcile(key));
    this.unsubscribe = client.onEvent(safeListener(this.name, (e: StoreEvent) => this.onEvent(e)));
    for (const obj of peekObjects(client, this.primary)) this.queue.add(nsName(obj));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  protected abstract onEvent(e: StoreEvent): void;
  protected abstract reconcile(key: string): ReconcileResult;
}
