// Every session a scenario creates is tracked here, from its create to the end of the scenario:
// a watch per project namespace sees each identity change after creation; at the end, once the
// settle period after the last create has passed (`--settle`), every session is re-read from
// storage and through the backend's read paths (read-paths.ts) before the namespace is deleted.
// The same watch times create → stored and create → Running for the latency thresholds.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ScenarioContext } from '../../harness/index.ts';
import { CRD_GROUP, CRD_VERSION, SESSION_PLURAL } from '../../harness/platform/contract.ts';
import type { ScenarioEnv, Tracker, TrackOptions } from './env.ts';
import { checkListReads, checkSessionReads, eachLimited, type ReadTarget } from './read-paths.ts';
import { apiCode } from '../../harness/platform/kube.ts';
import { sleep } from '../../harness/sim/retry.ts';
import { identityChanges, identityOf, SessionWatch, type IdentityChange } from './session-watch.ts';
import { Namer } from './tree.ts';

export const settleAssertion = 'settle.identity-unchanged';

interface Tracked extends TrackOptions {
  namespace: string;
  name: string;
  trackedAt: number;
}

/** Per-session latencies, ms: create sent → first seen in storage, → first seen Running. */
export interface Latencies {
  stored: number[];
  running: number[];
}

export class Ledger implements Tracker {
  private readonly watches = new Map<string, SessionWatch>();
  private readonly tracked: Tracked[] = [];
  private readonly deleting = new Set<string>();
  /** Names every tracked session by its path, for seed-stable messages. */
  readonly namer = new Namer();

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly kc: KubeConfig,
  ) {}

  /** Starts watching a project namespace (called as it is created, so every session is seen from its first event). */
  async watchNamespace(namespace: string): Promise<void> {
    if (this.watches.has(namespace)) return;
    const w = new SessionWatch(this.kc, namespace);
    this.watches.set(namespace, w);
    await w.start();
  }

  track(namespace: string, name: string | undefined, o: TrackOptions): void {
    if (!name) return;
    this.tracked.push({ namespace, name, trackedAt: Date.now(), ...o });
    this.namer.add(name, o.path[o.path.length - 1]);
  }

  /** The scenario deletes this session itself: no finding for its disappearance, no reads of it. */
  expectDeleted(namespace: string, name: string): void {
    this.deleting.add(`${namespace}/${name}`);
  }

  latencies(): Latencies {
    const out: Latencies = { stored: [], running: [] };
    for (const t of this.tracked) {
      const o = this.watches.get(t.namespace)?.seen.get(t.name);
      if (!o || t.sentAt === undefined) continue;
      out.stored.push(Math.max(0, o.firstSeenAt - t.sentAt));
      if (o.runningAt !== undefined) out.running.push(Math.max(0, o.runningAt - t.sentAt));
    }
    return out;
  }

  /**
   * The end-of-scenario re-check: each session once its settle period has passed (sessions created
   * earlier are re-read while the latest still settle), then the list reads once all have.
   */
  async finish(env: ScenarioEnv): Promise<void> {
    const { ctx } = this;
    const settleMs = ctx.config.settleMs;
    const concurrency = Math.min(ctx.config.concurrency, 8);
    const t0 = Date.now();
    // Reads run concurrently; their outcomes are recorded in creation order, so reports are seed-stable.
    const outcomes = new Map<Tracked, (() => void)[]>();
    const ctxOf = (t: Tracked): ScenarioContext => {
      const list = outcomes.get(t) ?? [];
      outcomes.set(t, list);
      return { ...ctx, record: (e) => void list.push(() => ctx.record(e)), skip: (a, reason, o) => void list.push(() => ctx.skip(a, reason, o)) };
    };
    const ordered = [...this.tracked].sort((a, b) => a.trackedAt - b.trackedAt);
    try {
      const reads = new Map<ReadTarget, Tracked>();
      await eachLimited(ordered, concurrency, async (t) => {
        await sleep(t.trackedAt + settleMs - Date.now(), ctx.signal);
        if (ctx.signal.aborted) return;
        const tctx = ctxOf(t);
        const target = this.recheck(tctx, t, await this.readStored(env, t));
        if (!target) return;
        reads.set(target, t);
        await checkSessionReads(tctx, env, this.namer, target);
      });
      const targets = ordered.flatMap((t) => [...reads].filter(([, x]) => x === t).map(([r]) => r));
      await checkListReads((r) => ctxOf(reads.get(r) as Tracked), env, this.namer, targets, concurrency);
      for (const t of ordered) for (const flush of outcomes.get(t) ?? []) flush();
      if (this.tracked.length) ctx.log(`re-checked ${this.tracked.length} session(s) (settle ${settleMs} ms) in ${Date.now() - t0} ms`);
    } finally {
      this.stop();
    }
  }

  stop(): void {
    for (const w of this.watches.values()) w.stop();
  }

  private async readStored(env: ScenarioEnv, t: Tracked): Promise<Record<string, any> | undefined> {
    try {
      return (await env.faults.kube(`GET ${SESSION_PLURAL} ${t.namespace}/${t.name}`, () =>
        env.custom.getNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: t.namespace, plural: SESSION_PLURAL, name: t.name }),
      )) as Record<string, any>;
    } catch (err) {
      if (apiCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** The settled check of one session; returns what its read paths are checked against, if it still exists. */
  private recheck(ctx: ScenarioContext, t: Tracked, stored: Record<string, any> | undefined): ReadTarget | undefined {
    const { namer } = this;
    if (this.deleting.has(`${t.namespace}/${t.name}`)) return undefined;
    const watch = this.watches.get(t.namespace);
    const observed = watch?.seen.get(t.name);
    let changes: IdentityChange[] = observed?.changes ?? [];
    if (!stored) {
      ctx.record({
        assertion: settleAssertion,
        sessionPath: t.path,
        expected: { exists: true },
        actual: { exists: false },
        message: `session ${t.path[t.path.length - 1]} disappeared after its create without the scenario deleting it`,
        repro: ctx.repro(),
      });
      return undefined;
    }
    if (!observed) {
      ctx.skip(settleAssertion, `the watch of ${t.namespace} never saw the session${watch?.failure ? ` (${watch.failure})` : ''}`);
    } else {
      // A change the watch missed still shows in storage.
      if (!changes.length) changes = identityChanges(observed.first, stored, Date.now() - observed.firstSeenAt);
      if (!changes.length) ctx.record({ assertion: settleAssertion, status: 'passed', sessionPath: t.path });
      else
        ctx.record({
          assertion: settleAssertion,
          sessionPath: t.path,
          expected: { changesAfterCreate: [] },
          actual: {
            changesAfterCreate: changes.map((c) => ({ field: c.field, before: namer.normalize(c.before), after: namer.normalize(c.after), writers: c.writers.map((w) => `${w.manager} (${w.operation})`) })),
          },
          message: changes
            .map((c) => `${c.field} of ${t.path[t.path.length - 1]} changed ${Math.round(c.afterMs / 100) / 10} s after it was stored, from ${JSON.stringify(namer.normalize(c.before))} to ${JSON.stringify(namer.normalize(c.after))}, written by ${c.writers[0] ? `${c.writers[0].manager} (${c.writers[0].operation}${c.writers[0].time ? ` at ${c.writers[0].time}` : ''})` : 'an unknown manager'}`)
            .join('; '),
          repro: ctx.repro(),
        });
    }
    const creatorGone = t.creator && (this.deleting.has(`${t.namespace}/${t.creator.sessionName}`) || watch?.seen.get(t.creator.sessionName)?.deletedAt !== undefined);
    return {
      namespace: t.namespace,
      name: t.name,
      sessionPath: t.path,
      owner: t.owner,
      creator: t.creator,
      creatorGone: !!creatorGone,
      stored: identityOf(stored).userContext === null ? undefined : stored.spec?.userContext,
    };
  }
}

