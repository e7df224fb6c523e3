// A keyed work queue with client-go's guarantees: a key is never processed by two workers at once,
// adds while processing mark it dirty (processed again once), delayed requeues, bounded workers.
export class WorkQueue {
  private queue: string[] = [];
  private queued = new Set<string>();
  private processing = new Set<string>();
  private dirty = new Set<string>();
  private timers = new Map<string, NodeJS.Timeout>();
  private active = 0;
  private stopped = false;

  constructor(
    private readonly workers: number,
    private readonly process: (key: string) => Promise<{ requeueAfterMs?: number } | void>,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    t.unref();
    this.timers.set(key, t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue = [];
    this.queued.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.workers && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    let requeueAfterMs: number | undefined;
    try {
      const r = await this.process(key);
      requeueAfterMs = r ? r.requeueAfterMs : undefined;
    } catch (err) {
      this.onError(key, err);
      requeueAfterMs = 1000; // back off, then retry
    }
    this.processing.delete(key);
    this.active--;
    if (this.dirty.delete(key)) this.add(key);
    else if (requeueAfterMs !== undefined) this.addAfter(key, requeueAfterMs);
    this.pump();
  }
}
