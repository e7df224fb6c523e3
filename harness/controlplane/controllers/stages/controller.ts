// Runs stages against objects: on every change the first matching stage (by priority, then list
// order) is scheduled after its delay; when the timer fires the stage is re-checked and applied.
// Writes happen only when they change something, so stages settle instead of looping.
import { peekObject, type Controller, type GroupVersionResource, type InternalClient, type KubeObject, type StoreEvent } from '../../types.ts';
import { type Clock, logError, safeListener } from '../runtime.ts';
import { clone, jsonEqual } from '../resources.ts';
import { applyEffect } from './effects.ts';
import { STAGE_DELAY_ANNOTATION, compileSelector } from './match.ts';
import type { StageContext, StageSpec } from './types.ts';

const NAME = 'stages';
const DEFAULT_MAX_APPLICATIONS = 50;

interface CompiledStage {
  spec: StageSpec;
  kind: string;
  matches: (obj: KubeObject) => boolean;
}

interface Pending {
  stage: string;
  handle: unknown;
}

/** Pod IPs from 10.244.0.0/16, handed out in order and reused after a pod is gone. */
class PodIPAllocator {
  private next = 2;
  private readonly byUid = new Map<string, string>();
  private readonly free: string[] = [];

  allocate(uid: string): string {
    const known = this.byUid.get(uid);
    if (known) return known;
    let ip = this.free.shift();
    if (!ip) {
      const n = this.next++;
      if (n > 65534) throw new Error('pod IP range 10.244.0.0/16 exhausted');
      ip = `10.244.${n >> 8}.${n & 255}`;
    }
    this.byUid.set(uid, ip);
    return ip;
  }

  release(uid: string): void {
    const ip = this.byUid.get(uid);
    if (!ip) return;
    this.byUid.delete(uid);
    this.free.push(ip);
  }
}

export class StageController implements Controller {
  readonly name = NAME;
  private client!: InternalClient;
  private unsubscribe?: () => void;
  private readonly stages: CompiledStage[];
  private readonly pending = new Map<string, Pending>();
  /** uid -> stage name -> applications that changed the object. */
  private readonly applications = new Map<string, Map<string, number>>();
  private readonly ips = new PodIPAllocator();
  private gvrs = new Map<string, GroupVersionResource>();
  private stopped = false;

  constructor(
    specs: StageSpec[],
    private readonly clock: Clock,
    private readonly nodeName: string,
    private readonly hostIP: string,
  ) {
    const ordered = specs.map((spec, i) => ({ spec, i })).sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || a.i - b.i);
    this.stages = ordered.map(({ spec }) => ({ spec, kind: spec.resource ?? 'Pod', matches: compileSelector(spec.selector) }));
  }

  start(client: InternalClient): void {
    this.client = client;
    this.stopped = false;
    const kinds = new Set(this.stages.map((s) => s.kind));
    for (const kind of kinds) {
      const gvr = this.gvrForKind(kind);
      if (!gvr) continue;
      // Pods already bound keep their IPs across a restart of the controller.
      for (const obj of client.list(gvr)) this.evaluate(obj);
    }
    this.unsubscribe = client.onEvent(safeListener(NAME, (e: StoreEvent) => this.onEvent(e)));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const p of this.pending.values()) this.clock.clearTimeout(p.handle);
    this.pending.clear();
  }

  private gvrForKind(kind: string): GroupVersionResource | undefined {
    if (!this.gvrs.has(kind)) {
      const t = this.client.resourceTypes().find((x) => x.kind === kind && !x.virtual);
      if (t) this.gvrs.set(kind, { group: t.group, version: t.version, resource: t.resource });
    }
    return this.gvrs.get(kind);
  }

  private onEvent(e: StoreEvent): void {
    const uid = e.object.metadata.uid ?? '';
    if (e.type === 'DELETED') {
      this.cancel(uid);
      this.applications.delete(uid);
      this.ips.release(uid);
      return;
    }
    if (!this.stages.some((s) => s.kind === e.object.kind)) return;
    this.evaluate(e.object);
  }

  private applied(uid: string, stage: string): number {
    return this.applications.get(uid)?.get(stage) ?? 0;
  }

  private countApplication(uid: string, stage: string): void {
    let byStage = this.applications.get(uid);
    if (!byStage) this.applications.set(uid, (byStage = new Map()));
    byStage.set(stage, (byStage.get(stage) ?? 0) + 1);
  }

  private firstMatch(obj: KubeObject): CompiledStage | undefined {
    for (const s of this.stages) {
      if (s.kind !== obj.kind || !s.matches(obj)) continue;
      const max = s.spec.maxApplications ?? DEFAULT_MAX_APPLICATIONS;
      if (this.applied(obj.metadata.uid ?? '', s.spec.name) >= max) continue;
      return s;
    }
    return undefined;
  }

  private evaluate(obj: KubeObject): void {
    if (this.stopped) return;
    const uid = obj.metadata.uid ?? '';
    const stage = this.firstMatch(obj);
    const current = this.pending.get(uid);
    if (current && current.stage === stage?.spec.name) return;
    this.cancel(uid);
    if (!stage) return;
    const ref = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name ?? '', uid };
    const fire = () => {
      this.pending.delete(uid);
      this.fire(ref, stage.spec.name);
    };
    const delay = this.delayFor(stage.spec, obj);
    // Even a zero delay runs later, never inside the store's event delivery.
    const handle = delay > 0 ? this.clock.setTimeout(fire, delay) : setImmediate(fire);
    this.pending.set(uid, { stage: stage.spec.name, handle: delay > 0 ? handle : { immediate: handle } });
  }

  private delayFor(spec: StageSpec, obj: KubeObject): number {
    const override = obj.metadata.annotations?.[STAGE_DELAY_ANNOTATION];
    const base = override !== undefined && /^\d+$/.test(override) && spec.name !== 'pod-delete' ? Number(override) : (spec.delayMs ?? 0);
    const repeats = this.applied(obj.metadata.uid ?? '', spec.name);
    return spec.backoffFactor && repeats > 0 ? Math.min(base * spec.backoffFactor ** repeats, 60_000) : base;
  }

  private cancel(uid: string): void {
    const p = this.pending.get(uid);
    if (!p) return;
    const h = p.handle as { immediate?: NodeJS.Immediate };
    if (h && typeof h === 'object' && 'immediate' in h) clearImmediate(h.immediate);
    else this.clock.clearTimeout(p.handle);
    this.pending.delete(uid);
  }

  private fire(ref: { kind: string; namespace?: string; name: string; uid: string }, stageName: string): void {
    if (this.stopped) return;
    const gvr = this.gvrForKind(ref.kind);
    if (!gvr) return;
    try {
      const obj = peekObject(this.client, gvr, ref.namespace, ref.name);
      if (!obj || obj.metadata.uid !== ref.uid) return;
      const stage = this.firstMatch(obj);
      if (!stage || stage.spec.name !== stageName) {
        this.evaluate(obj);
        return;
      }
      // Only applications that changed the object count (and only they produce the event that
      // re-evaluates it); a no-op leaves the object at rest until something else changes it.
      if (this.apply(gvr, obj, stage.spec)) {
        this.countApplication(ref.uid, stageName);
        // The write's event arrived before the count was raised; look again with the new count.
        const latest = peekObject(this.client, gvr, ref.namespace, ref.name);
        if (latest && latest.metadata.uid === ref.uid) {
          this.cancel(ref.uid);
          this.evaluate(latest);
        }
      }
    } catch (err) {
      logError(NAME, `stage ${stageName} on ${ref.kind} ${ref.namespace ?? ''}/${ref.name}`, err);
    }
  }

  private context(): StageContext {
    return { nodeName: this.nodeName, now: this.clock.now(), hostIP: this.hostIP, allocatePodIP: (uid) => this.ips.allocate(uid) };
  }

  /** Applies `next`; returns whether anything was written. */
  private apply(gvr: GroupVersionResource, obj: KubeObject, spec: StageSpec): boolean {
    const next = spec.next;
    const ns = obj.metadata.namespace;
    const manager = `stage/${spec.name}`;
    let current = obj;
    let wrote = false;
    // Main resource: binding, patches and finalizers (`obj` is the frozen stored object).
    if (next.bind && !next.patch && !next.finalizers) {
      // Binding alone: a new top level and spec over the stored (frozen) rest of the object.
      if ((current.spec as { nodeName?: string } | undefined)?.nodeName !== this.nodeName) {
        const main = { ...current, spec: { ...((current.spec as object) ?? {}), nodeName: this.nodeName } };
        current = this.client.update(gvr, ns, main, { fieldManager: manager, readOnlyResult: true });
        wrote = true;
      }
    } else if (next.bind || next.patch || next.finalizers) {
      const main = clone(current);
      if (next.bind) main.spec = { ...((main.spec as object) ?? {}), nodeName: this.nodeName };
      if (next.patch) mergeInto(main as unknown as Record<string, unknown>, next.patch);
      if (next.finalizers) {
        const set = (main.metadata.finalizers ?? []).filter((f) => !(next.finalizers?.remove ?? []).includes(f));
        for (const f of next.finalizers.add ?? []) if (!set.includes(f)) set.push(f);
        main.metadata.finalizers = set;
      }
      if (!jsonEqual(main, current)) {
        current = this.client.update(gvr, ns, main, { fieldManager: manager, readOnlyResult: true });
        wrote = true;
      }
    }
    // Status.
    if (hasStatusStep(next)) {
      const ctx = this.context();
      let status = statusAfter(next, current, ctx);
      let writer = manager;
      // Status-only stages that would match the result at once (zero delay) are folded into the
      // same write: nothing could see the state in between, and every pod takes one write less.
      const folded: string[] = [];
      for (let i = 0; i < MAX_FOLDED && !next.delete; i++) {
        const view = { ...current, status } as KubeObject;
        const follow = this.firstMatch(view);
        if (!follow || follow.spec.name === spec.name || folded.includes(follow.spec.name) || !statusOnly(follow.spec.next) || this.delayFor(follow.spec, view) !== 0) break;
        const after = statusAfter(follow.spec.next, view, ctx);
        if (jsonEqual(after, status)) break;
        status = after;
        writer = `stage/${follow.spec.name}`;
        folded.push(follow.spec.name);
      }
      if (!jsonEqual(status, current.status)) {
        const withStatus = { ...current, status };
        current = this.client.update(gvr, ns, withStatus, { subresource: 'status', fieldManager: writer, readOnlyResult: true });
        wrote = true;
        for (const name of folded) {
          this.countApplication(obj.metadata.uid ?? '', name);
        }
      }
    }
    if (next.delete) {
      const opts = { gracePeriodSeconds: 0, preconditions: { uid: obj.metadata.uid } };
      this.client.delete(gvr, ns, obj.metadata.name ?? '', opts);
      const after = peekObject(this.client, gvr, ns, obj.metadata.name ?? '');
      // Held by finalizers and already at grace 0: nothing changed.
      if (!after || after.metadata.uid !== obj.metadata.uid || after.metadata.resourceVersion !== current.metadata.resourceVersion) wrote = true;
    }
    return wrote;
  }
}

/** Folded status stages per write (bounds a chain of zero-delay stages). */
const MAX_FOLDED = 4;

const hasStatusStep = (next: StageSpec['next']): boolean => Boolean(next.effect || next.status || next.statusFrom);
const statusOnly = (next: StageSpec['next']): boolean => hasStatusStep(next) && !next.bind && !next.patch && !next.finalizers && !next.delete;

/** The status a stage's `next` computes for `obj` (a fresh object where merging needs one). */
function statusAfter(next: StageSpec['next'], obj: KubeObject, ctx: StageContext): Record<string, unknown> {
  // Effects may share (frozen) parts of the stored status; merging below needs a copy it owns.
  let status = (next.effect ? applyEffect(next.effect, obj, ctx) : obj.status ?? {}) as Record<string, unknown>;
  if (next.status || next.statusFrom) status = clone(status);
  if (next.status) status = mergeInto(status, next.status);
  if (next.statusFrom) status = mergeInto(status, next.statusFrom(obj, ctx));
  return status;
}

/** JSON merge-patch semantics: objects merge recursively, null deletes, anything else replaces. */
function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof target[k] === 'object' && target[k] !== null && !Array.isArray(target[k])) {
      mergeInto(target[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else target[k] = clone(v);
  }
  return target;
}
