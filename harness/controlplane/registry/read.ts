// get, list (selectors + pagination) and watch (replay from a resourceVersion, 410 when history is
// gone, selector transitions as ADDED/DELETED, bookmarks, sendInitialEvents) over the store.
import type { KubeObject, ListOptions, ListResult, ResourceType, WatchOptions, WatchSendType } from '../types.ts';
import { ApiError } from '../types.ts';
import { compileSelectors } from '../storage/selectors.ts';
import { paginate } from '../storage/pagination.ts';
import type { CommittedEvent } from '../storage/store.ts';
import type { RegistryCore } from './core.ts';
import { badRequest, expired, resourceNotFound } from './errors.ts';
import { storageKey } from './type-table.ts';
import { toScale } from './write.ts';

export function getObject(core: RegistryCore, rt: ResourceType, namespace: string | undefined, name: string, subresource?: string): KubeObject {
  const obj = core.mustGet(rt, namespace, name);
  if (!subresource || subresource === 'status' || subresource === 'finalize') return core.present(rt, obj);
  if (subresource === 'scale') return toScale(core, rt, obj);
  throw resourceNotFound();
}

function parseRv(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`invalid resource version "${raw}"`);
  return Number(raw);
}

export function listObjects(core: RegistryCore, rt: ResourceType, namespace: string | undefined, opts: ListOptions): ListResult {
  const matches = compileSelectors(rt, opts.labelSelector, opts.fieldSelector);
  parseRv(opts.resourceVersion);
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 0)) throw badRequest(`invalid limit ${opts.limit}`);
  const all = core.store.list(storageKey(rt), rt.namespaced ? namespace : undefined).filter((e) => matches(e.object));
  const page = paginate(all, opts, core.store.currentRv(), core.store.oldestValidRv());
  return {
    items: page.items.map((o) => core.present(rt, o)),
    resourceVersion: String(page.resourceVersion),
    ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}),
  };
}

export interface WatchTuning {
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK. */
  bookmarkIntervalMs: number;
}

export function watchObjects(
  core: RegistryCore,
  rt: ResourceType,
  namespace: string | undefined,
  opts: WatchOptions,
  send: (type: WatchSendType, object: KubeObject) => void,
  tuning: WatchTuning,
): () => void {
  const matches = compileSelectors(rt, opts.labelSelector, opts.fieldSelector);
  const key = storageKey(rt);
  const ns = rt.namespaced ? namespace : undefined;
  const inScope = (o: KubeObject | undefined): boolean => !!o && (ns === undefined || o.metadata.namespace === ns) && matches(o);
  const bookmark = (extra?: Record<string, string>) =>
    send('BOOKMARK', { kind: rt.kind, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, metadata: { resourceVersion: String(core.store.currentRv()), ...(extra ? { annotations: extra } : {}) } });

  const deliver = (e: CommittedEvent): void => {
    if (e.key !== key) return;
    const now = inScope(e.object);
    const before = e.type !== 'ADDED' && inScope(e.prev);
    if (e.type === 'DELETED') {
      if (before) send('DELETED', core.present(rt, e.object));
      return;
    }
    if (now && before) send('MODIFIED', core.present(rt, e.object));
    else if (now) send('ADDED', core.present(rt, e.object));
    else if (before) send('DELETED', core.present(rt, e.object));
  };

  const rv = parseRv(opts.resourceVersion);
  if (opts.sendInitialEvents !== undefined) {
    if (opts.resourceVersionMatch !== 'NotOlderThan') {
      throw new ApiError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan', {
        kind: 'ListOptions',
        group: 'meta.k8s.io',
        causes: [{ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' }],
      });
    }
    if (opts.sendInitialEvents && !opts.allowWatchBookmarks) {
      throw new ApiError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true', {
        kind: 'ListOptions',
        group: 'meta.k8s.io',
        causes: [{ type: 'FieldValueForbidden', field: 'allowWatchBookmarks', message: 'Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true' }],
      });
    }
  }

  let backlog: CommittedEvent[] = [];
  let initial: KubeObject[] = [];
  const initialEvents = opts.sendInitialEvents === true || (opts.sendInitialEvents === undefined && (rv === undefined || rv === 0));
  if (initialEvents) {
    initial = core.store.list(key, ns).map((e) => e.object).filter(inScope);
  } else if (rv !== undefined && rv !== 0) {
    const since = core.store.eventsSince(rv, key);
    if (since === 'expired') throw expired(`too old resource version: ${rv} (${core.store.oldestValidRv()})`);
    backlog = since;
  }
  // Everything below runs synchronously with the store, so no committed event can slip in between.
  for (const o of initial) send('ADDED', core.present(rt, o));
  if (opts.sendInitialEvents === true) bookmark({ 'k8s.io/initial-events-end': 'true' });
  for (const e of backlog) deliver(e);
  const unsubscribe = core.store.subscribe(deliver);
  const timer = opts.allowWatchBookmarks ? setInterval(() => bookmark(), tuning.bookmarkIntervalMs) : undefined;
  timer?.unref();
  return () => {
    unsubscribe();
    if (timer) clearInterval(timer);
  };
}

