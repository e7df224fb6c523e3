// A watch on the AgenticSessions of one project namespace for the whole scenario: when each was
// first stored, when it first reached Running, and every later change of its identity fields
// (spec.userContext, the parent link) — with the writers the object's managedFields name for the
// changed field. A session is read once right after its create; a writer that rewrites its
// identity a second later (an async update, a controller) is only seen here.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { ANN_PARENT_SESSION, CRD_GROUP, CRD_VERSION, SESSION_PLURAL } from '../../harness/platform/contract.ts';

/** The identity fields whose change after creation is a finding. */
export interface IdentityFields {
  userContext: unknown;
  /** The recorded parent: annotation, else spec env PARENT_SESSION_ID; null when none. */
  parent: string | null;
}

/** A field manager of the changed field, from metadata.managedFields. */
export interface Writer {
  manager: string;
  operation: string;
  time?: string;
}

export interface IdentityChange {
  /** ms after the session was first seen. */
  afterMs: number;
  field: 'spec.userContext' | 'parent link';
  before: unknown;
  after: unknown;
  /** Managers owning the changed field, the most recent write first. */
  writers: Writer[];
}

export interface Observed {
  firstSeenAt: number;
  first: IdentityFields;
  runningAt?: number;
  deletedAt?: number;
  changes: IdentityChange[];
}

type SessionObj = {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string>; managedFields?: { manager?: string; operation?: string; time?: string | Date; subresource?: string; fieldsV1?: Record<string, unknown> }[] };
  spec?: { userContext?: unknown; environmentVariables?: Record<string, string> };
  status?: { phase?: string };
};

export function identityOf(o: SessionObj): IdentityFields {
  return { userContext: o.spec?.userContext ?? null, parent: o.metadata?.annotations?.[ANN_PARENT_SESSION] ?? o.spec?.environmentVariables?.PARENT_SESSION_ID ?? null };
}

/** fieldsV1 paths of each identity field (any one of them owned means the manager wrote it). */
const FIELD_PATHS: Record<IdentityChange['field'], string[][]> = {
  'spec.userContext': [['f:spec', 'f:userContext']],
  'parent link': [
    ['f:metadata', 'f:annotations', `f:${ANN_PARENT_SESSION}`],
    ['f:spec', 'f:environmentVariables', 'f:PARENT_SESSION_ID'],
  ],
};

/** Managers whose managedFields own `field`, the most recent first. */
export function writersOf(o: SessionObj, field: IdentityChange['field']): Writer[] {
  const owns = (fields: Record<string, unknown> | undefined) =>
    FIELD_PATHS[field].some((path) => {
      let cur: unknown = fields;
      for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
      return cur !== undefined;
    });
  const time = (t: string | Date | undefined) => (t ? new Date(t).toISOString() : undefined);
  return (o.metadata?.managedFields ?? [])
    .filter((m) => !m.subresource && owns(m.fieldsV1))
    .map((m) => ({ manager: m.manager ?? '', operation: m.operation ?? '', time: time(m.time) }))
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''));
}

const canon = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** Compares an object's identity with how it was first seen; one change entry per changed field. */
export function identityChanges(first: IdentityFields, o: SessionObj, afterMs: number): IdentityChange[] {
  const now = identityOf(o);
  const out: IdentityChange[] = [];
  if (canon(now.userContext) !== canon(first.userContext)) out.push({ afterMs, field: 'spec.userContext', before: first.userContext, after: now.userContext, writers: writersOf(o, 'spec.userContext') });
  if (now.parent !== first.parent) out.push({ afterMs, field: 'parent link', before: first.parent, after: now.parent, writers: writersOf(o, 'parent link') });
  return out;
}

const MAX_RESTARTS = 50;

export class SessionWatch {
  readonly seen = new Map<string, Observed>();
  private abort?: AbortController;
  private stopped = false;
  private rv?: string;
  private restarts = 0;
  private lastError?: string;

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    const path = `/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${this.namespace}/${SESSION_PLURAL}`;
    const params = { allowWatchBookmarks: true, ...(this.rv ? { resourceVersion: this.rv } : {}) };
    this.abort = await new Watch(this.kc).watch(path, params, (type, obj: SessionObj) => this.onEvent(type, obj), (err) => this.onDone(err));
  }

  /** Why the watch could not keep up, if it gave up restarting. */
  get failure(): string | undefined {
    return this.restarts > MAX_RESTARTS ? this.lastError : undefined;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private onEvent(type: string, obj: SessionObj): void {
    if (obj?.metadata?.resourceVersion) this.rv = obj.metadata.resourceVersion;
    const name = obj?.metadata?.name;
    if (type === 'BOOKMARK' || type === 'ERROR' || !name) return;
    const now = Date.now();
    let o = this.seen.get(name);
    if (!o) {
      o = { firstSeenAt: now, first: identityOf(obj), changes: [] };
      this.seen.set(name, o);
    } else if (type !== 'DELETED') {
      o.changes.push(...identityChanges(o.changes.length ? changedIdentity(o) : o.first, obj, now - o.firstSeenAt));
    }
    if (type === 'DELETED') o.deletedAt ??= now;
    if (obj.status?.phase === 'Running') o.runningAt ??= now;
  }

  private onDone(err: unknown): void {
    if (this.stopped) return;
    this.lastError = err ? String((err as Error).message ?? err) : 'watch ended';
    // The server ends watches (timeouts, restarts): resume from the last resourceVersion, bounded.
    if (++this.restarts > MAX_RESTARTS) return;
    if (/\b410\b|too old|Gone/i.test(this.lastError)) this.rv = undefined;
    setTimeout(() => void this.start().catch((e: unknown) => this.onDone(e)), 200).unref();
  }
}

/** The identity as of the latest recorded change (so each change is reported once). */
function changedIdentity(o: Observed): IdentityFields {
  const cur = { ...o.first };
  for (const c of o.changes) {
    if (c.field === 'spec.userContext') cur.userContext = c.after;
    else cur.parent = c.after as string | null;
  }
  return cur;
}
