// CRD finalization: a CustomResourceDefinition being deleted keeps the finalizer
// `customresourcecleanup.apiextensions.k8s.io` until every custom resource of it is gone; then the
// registry unregisters the types and removes the CRD.
import type { Controller, GroupVersionResource, InternalClient, KubeObject, StoreEvent } from '../types.ts';
import { type Clock, WorkQueue, logError, safeListener } from './runtime.ts';
import { GVR, hasFinalizer, isTerminating, keyOf, withoutFinalizer } from './resources.ts';

const NAME = 'crd-cleanup';
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const RECHECK_MS = 1000;

interface CrdSpec {
  group: string;
  names: { plural: string };
  versions?: Array<{ name: string; served?: boolean; storage?: boolean }>;
}

export class CrdCleanupController implements Controller {
  readonly name = NAME;
  private client!: InternalClient;
  private queue!: WorkQueue;
  private unsubscribe?: () => void;
  /** `<group>/<plural>` of CRDs being cleaned up -> CRD name, to wake up on CR deletions. */
  private readonly cleaning = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  start(client: InternalClient): void {
    this.client = client;
    this.queue = new WorkQueue(NAME, this.clock, (name) => this.reconcile(name));
    this.unsubscribe = client.onEvent(safeListener(NAME, (e: StoreEvent) => this.onEvent(e)));
    for (const crd of client.list(GVR.crds)) if (isTerminating(crd)) this.queue.add(crd.metadata.name ?? '');
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  private onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.crds)) {
      if (e.type !== 'DELETED' && isTerminating(e.object)) this.queue.add(e.object.metadata.name ?? '');
      return;
    }
    const crd = this.cleaning.get(e.key);
    if (crd && e.type === 'DELETED') this.queue.add(crd);
  }

  private reconcile(name: string): { requeueAfterMs: number } | void {
    const crd = this.client.get(GVR.crds, undefined, name);
    if (!crd || !isTerminating(crd) || !hasFinalizer(crd, CRD_CLEANUP_FINALIZER)) return;
    const spec = crd.spec as CrdSpec;
    const key = `${spec.group}/${spec.names.plural}`;
    this.cleaning.set(key, name);
    const gvr = this.servedGvr(spec);
    let remaining = 0;
    if (gvr) {
      let items: KubeObject[] = [];
      try {
        items = this.client.list(gvr);
      } catch (err) {
        logError(NAME, `list ${key}`, err);
      }
      for (const cr of items) {
        if (isTerminating(cr)) continue;
        try {
          this.client.delete(gvr, cr.metadata.namespace, cr.metadata.name ?? '', { propagationPolicy: 'Background' });
        } catch (err) {
          logError(NAME, `delete ${key} ${cr.metadata.namespace ?? ''}/${cr.metadata.name}`, err);
        }
      }
      try {
        remaining = this.client.list(gvr).length;
      } catch {
        remaining = 0;
      }
    }
    if (remaining > 0) return { requeueAfterMs: RECHECK_MS };
    this.cleaning.delete(key);
    const latest = this.client.get(GVR.crds, undefined, name);
    if (latest && hasFinalizer(latest, CRD_CLEANUP_FINALIZER)) {
      this.client.update(GVR.crds, undefined, withoutFinalizer(latest, CRD_CLEANUP_FINALIZER), { fieldManager: 'apiextensions-finalizer' });
    }
  }

  /** The served type of the CRD (storage version preferred); undefined when none is served. */
  private servedGvr(spec: CrdSpec): GroupVersionResource | undefined {
    const types = this.client.resourceTypes().filter((t) => t.group === spec.group && t.resource === spec.names.plural && !t.virtual);
    if (types.length === 0) return undefined;
    const storage = spec.versions?.find((v) => v.storage)?.name;
    const t = types.find((x) => x.version === storage) ?? types[0];
    return { group: t.group, version: t.version, resource: t.resource };
  }
}
