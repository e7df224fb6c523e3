// Namespace lifecycle: once a Namespace is Terminating (deletionTimestamp set by the registry),
// delete everything in it, wait for finalizers to let go, then clear spec.finalizers through the
// `finalize` subresource so the registry removes the namespace.
import type { Controller, InternalClient, KubeObject, StoreEvent } from '../types.ts';
import { type Clock, WorkQueue, logError, safeListener } from './runtime.ts';
import { GVR, clone, isTerminating, keyOf, rfc3339, setCondition, storedTypes, jsonEqual, type Condition } from './resources.ts';

const NAME = 'namespace';
const RECHECK_MS = 1000;

export class NamespaceLifecycleController implements Controller {
  readonly name = NAME;
  private client!: InternalClient;
  private queue!: WorkQueue;
  private unsubscribe?: () => void;
  /** Namespaces being emptied; an object leaving one of them wakes its reconcile. */
  private readonly terminating = new Set<string>();

  constructor(private readonly clock: Clock) {}

  start(client: InternalClient): void {
    this.client = client;
    this.queue = new WorkQueue(NAME, this.clock, (ns) => this.reconcile(ns));
    this.unsubscribe = client.onEvent(safeListener(NAME, (e: StoreEvent) => this.onEvent(e)));
    for (const ns of client.list(GVR.namespaces)) if (isTerminating(ns)) this.queue.add(ns.metadata.name ?? '');
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  private onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.namespaces)) {
      const name = e.object.metadata.name ?? '';
      if (e.type === 'DELETED') this.terminating.delete(name);
      else if (isTerminating(e.object)) {
        this.terminating.add(name);
        this.queue.add(name);
      }
      return;
    }
    const ns = e.object.metadata.namespace;
    if (e.type === 'DELETED' && ns && this.terminating.has(ns)) this.queue.add(ns);
  }

  private reconcile(name: string): { requeueAfterMs?: number } | void {
    const ns = this.client.get(GVR.namespaces, undefined, name);
    if (!ns || !isTerminating(ns)) return;
    this.terminating.add(name);
    let remaining = 0;
    const failures: string[] = [];
    const finalizersLeft = new Set<string>();
    for (const rt of storedTypes(this.client)) {
      if (!rt.namespaced) continue;
      const gvr = { group: rt.group, version: rt.version, resource: rt.resource };
      let items: KubeObject[];
      try {
        items = this.client.list(gvr, name);
      } catch (err) {
        logError(NAME, `list ${keyOf(gvr)} in ${name}`, err);
        continue;
      }
      for (const item of items) {
        remaining++;
        for (const f of item.metadata.finalizers ?? []) finalizersLeft.add(f);
        if (isTerminating(item)) continue;
        try {
          this.client.delete(gvr, name, item.metadata.name ?? '', { propagationPolicy: 'Background' });
        } catch (err) {
          failures.push(`${rt.resource}/${item.metadata.name}: ${(err as Error).message}`);
          logError(NAME, `delete ${rt.resource}/${item.metadata.name} in ${name}`, err);
        }
      }
    }
    // Deletions above may have removed objects synchronously; count again for the decision.
    const left = remaining > 0 ? this.countRemaining(name) : 0;
    this.writeConditions(ns, left, finalizersLeft, failures);
    if (left > 0) return { requeueAfterMs: RECHECK_MS };
    const latest = this.client.get(GVR.namespaces, undefined, name);
    if (!latest) return;
    const spec = (latest.spec ?? {}) as { finalizers?: string[] };
    if ((spec.finalizers ?? []).length === 0) return;
    const next = clone(latest);
    next.spec = { ...spec, finalizers: [] };
    this.client.update(GVR.namespaces, undefined, next, { subresource: 'finalize', fieldManager: 'namespace-controller' });
  }

  private countRemaining(ns: string): number {
    let n = 0;
    for (const rt of storedTypes(this.client)) {
      if (!rt.namespaced) continue;
      try {
        n += this.client.list({ group: rt.group, version: rt.version, resource: rt.resource }, ns).length;
      } catch {
        // A type that vanished meanwhile (CRD removed) has nothing left.
      }
    }
    return n;
  }

  /** Conditions as kube-controller-manager reports them on a terminating namespace. */
  private writeConditions(ns: KubeObject, remaining: number, finalizers: Set<string>, failures: string[]): void {
    const latest = this.client.get(GVR.namespaces, undefined, ns.metadata.name ?? '');
    if (!latest) return;
    const now = rfc3339(this.clock.now());
    const status = clone((latest.status ?? {}) as { phase?: string; conditions?: Condition[] });
    let conditions = status.conditions;
    conditions = setCondition(conditions, failures.length
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures.length} remaining: ${failures.slice(0, 3).join('; ')}` }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' }, now);
    conditions = setCondition(conditions, remaining > 0
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining} objects` }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' }, now);
    conditions = setCondition(conditions, finalizers.size > 0
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${[...finalizers].sort().join(', ')}` }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' }, now);
    const next = { ...status, conditions };
    if (jsonEqual(next, latest.status)) return;
    try {
      const copy = clone(latest);
      copy.status = next;
      this.client.update(GVR.namespaces, undefined, copy, { subresource: 'status', fieldManager: 'namespace-controller' });
    } catch (err) {
      logError(NAME, `status of namespace ${ns.metadata.name}`, err);
    }
  }
}
