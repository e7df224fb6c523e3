// Auth-side controllers: ClusterRole aggregation, per-namespace ServiceAccount `default` and
// ConfigMap `kube-root-ca.crt`, and the token controller that fills legacy SA token Secrets.
import { peekObject, type Controller, type InternalClient, type KubeObject, type StoreEvent } from '../types.ts';
import { GVR, eventIs } from './gvr.ts';
import type { SigningKey } from './jwt.ts';
import type { PolicyRule } from './rbac-rules.ts';
import { mintLegacyToken } from './service-account-tokens.ts';

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorMatches(sel: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = present && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !present) return false;
    if (e.operator === 'DoesNotExist' && present) return false;
  }
  return true;
}

/** Base for controllers that react to store events, batched to the next macrotask (no re-entrant writes). */
abstract class EventController implements Controller {
  abstract readonly name: string;
  protected client!: InternalClient;
  private unsubscribe: (() => void) | undefined;
  private pending: StoreEvent[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  start(client: InternalClient): void {
    this.client = client;
    this.unsubscribe = client.onEvent((event) => {
      if (!this.wants(event)) return;
      this.pending.push(event);
      this.scheduled ??= setImmediate(() => this.flush());
    });
    this.resync();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.pending = [];
  }

  private flush(): void {
    this.scheduled = undefined;
    const events = this.pending;
    this.pending = [];
    try {
      this.handle(events);
    } catch {
      // Controllers never crash the server; the next event or resync repairs state.
    }
  }

  protected abstract wants(event: StoreEvent): boolean;
  protected abstract handle(events: StoreEvent[]): void;
  protected abstract resync(): void;
}

/** Fills `rules` of ClusterRoles with an aggregationRule from every ClusterRole their selectors match. */
export class AggregationController extends EventController {
  readonly name = 'clusterrole-aggregation';

  protected wants(event: StoreEvent): boolean {
    return eventIs(event, GVR.clusterRoles);
  }

  protected handle(): void {
    this.resync();
  }

  protected resync(): void {
    // A few passes settle chains such as admin ← edit ← view within one flush.
    for (let pass = 0; pass < 4; pass++) if (!this.aggregateOnce()) return;
  }

  private aggregateOnce(): boolean {
    const all = this.client.list(GVR.clusterRoles);
    let changed = false;
    for (const target of all) {
      const selectors = (target.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors;
      if (!selectors?.length) continue;
      const rules: PolicyRule[] = [];
      const seen = new Set<string>();
      const sources = all
        .filter((cr) => cr.metadata.name !== target.metadata.name && selectors.some((s) => selectorMatches(s, cr.metadata.labels)))
        .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
      for (const source of sources) {
        for (const r of (source.rules as PolicyRule[] | undefined) ?? []) {
          const key = JSON.stringify(r);
          if (!seen.has(key)) (seen.add(key), rules.push(r));
        }
      }
      if (JSON.stringify(target.rules ?? []) === JSON.stringify(rules)) continue;
      try {
        this.client.update(GVR.clusterRoles, undefined, { ...target, rules } as KubeObject, { fieldManager: 'clusterrole-aggregation-controller' });
        changed = true;
      } catch {
        // conflict: the next event retries
      }
    }
    return changed;
  }
}

const terminating = (ns: KubeObject) => !!ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating';

/** Every active namespace gets ServiceAccount `default` and ConfigMap `kube-root-ca.crt`. */
export class ServiceAccountController extends EventController {
  readonly name = 'serviceaccount';

  constructor(private readonly caPem: string | undefined) {
    super();
  }

  protected wants(event: StoreEvent): boolean {
    if (eventIs(event, GVR.namespaces)) return event.type !== 'DELETED';
    if (event.type !== 'DELETED') return false;
    return (eventIs(event, GVR.serviceAccounts) && event.object.metadata.name === 'default') || (eventIs(event, GVR.configMaps) && event.object.metadata.name === 'kube-root-ca.crt');
  }

  protected handle(events: StoreEvent[]): void {
    const namespaces = new Set(events.map((e) => (eventIs(e, GVR.namespaces) ? e.object.metadata.name : e.object.metadata.namespace) ?? ''));
    for (const name of namespaces) {
      const ns = peekObject(this.client, GVR.namespaces, undefined, name);
      if (ns) this.ensure(ns);
    }
  }

  protected resync(): void {
    for (const ns of this.client.list(GVR.namespaces)) this.ensure(ns);
  }

  private ensure(ns: KubeObject): void {
    if (terminating(ns)) return;
    const namespace = ns.metadata.name!;
    const tryCreate = (fn: () => void) => {
      try {
        fn();
      } catch {
        // AlreadyExists or namespace terminating: nothing to do
      }
    };
    if (!peekObject(this.client, GVR.serviceAccounts, namespace, 'default')) {
      tryCreate(() => this.client.create(GVR.serviceAccounts, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } }, { fieldManager: 'kube-controller-manager' }));
    }
    if (this.caPem !== undefined && !peekObject(this.client, GVR.configMaps, namespace, 'kube-root-ca.crt')) {
      tryCreate(() =>
        this.client.create(
          GVR.configMaps,
          namespace,
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': this.caPem } },
          { fieldManager: 'kube-controller-manager' },
        ),
      );
    }
  }
}

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME = 'kubernetes.io/service-account.name';
const SA_UID = 'kubernetes.io/service-account.uid';

/** Fills legacy token Secrets (token, ca.crt, namespace) and deletes them when their SA goes away. */
export class TokenController extends EventController {
  readonly name = 'serviceaccount-token';

  constructor(
    private readonly key: SigningKey,
    private readonly caPem: string | undefined,
  ) {
    super();
  }

  /**
   * Names of the SA token Secrets seen, per namespace (a Secret's type is immutable), so an SA
   * event looks at those few instead of copying every Secret of its namespace.
   */
  private readonly tokenSecrets = new Map<string, Set<string>>();

  private remember(secret: KubeObject): void {
    const ns = secret.metadata.namespace ?? '';
    let names = this.tokenSecrets.get(ns);
    if (!names) this.tokenSecrets.set(ns, (names = new Set()));
    names.add(secret.metadata.name ?? '');
  }

  /** Current SA token Secrets of a namespace (forgetting the ones that are gone). */
  private tokenSecretsIn(ns: string): KubeObject[] {
    const out: KubeObject[] = [];
    const names = this.tokenSecrets.get(ns);
    for (const name of names ?? []) {
      const s = peekObject(this.client, GVR.secrets, ns, name);
      if (s && s.type === SA_TOKEN_TYPE) out.push(s);
      else names!.delete(name);
    }
    return out;
  }

  protected wants(event: StoreEvent): boolean {
    if (eventIs(event, GVR.serviceAccounts)) return true;
    const want = eventIs(event, GVR.secrets) && event.type !== 'DELETED' && event.object.type === SA_TOKEN_TYPE;
    if (want) this.remember(event.object);
    return want;
  }

  protected handle(events: StoreEvent[]): void {
    for (const e of events) {
      if (eventIs(e, GVR.secrets)) this.fill(e.object);
      else if (e.type === 'DELETED') this.deleteSecretsOf(e.object);
      else for (const s of this.tokenSecretsIn(e.object.metadata.namespace ?? '')) this.fill(s);
    }
  }

  protected resync(): void {
    for (const s of this.client.list(GVR.secrets)) {
      if (s.type !== SA_TOKEN_TYPE) continue;
      this.remember(s);
      this.fill(s);
    }
  }

  private fill(secret: KubeObject): void {
    const ns = secret.metadata.namespace!;
    const current = peekObject(this.client, GVR.secrets, ns, secret.metadata.name!);
    if (!current || current.metadata.deletionTimestamp) return;
    const data = (current.data as Record<string, string> | undefined) ?? {};
    if (data.token) return;
    const saName = current.metadata.annotations?.[SA_NAME];
    const sa = saName ? peekObject(this.client, GVR.serviceAccounts, ns, saName) : undefined;
    if (!sa) return;
    const wantUid = current.metadata.annotations?.[SA_UID];
    if (wantUid && wantUid !== sa.metadata.uid) return;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const token = mintLegacyToken(this.key, ns, sa, current.metadata.name!);
    const filled: KubeObject = {
      ...current,
      metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [SA_UID]: sa.metadata.uid! } },
      data: { ...data, token: b64(token), namespace: b64(ns), ...(this.caPem !== undefined ? { 'ca.crt': b64(this.caPem) } : {}) },
    };
    try {
      this.client.update(GVR.secrets, ns, filled, { fieldManager: 'kube-controller-manager' });
    } catch {
      // conflict: the MODIFIED event of the other writer brings us back
    }
  }

  private deleteSecretsOf(sa: KubeObject): void {
    const ns = sa.metadata.namespace!;
    for (const s of this.tokenSecretsIn(ns)) {
      if (s.metadata.annotations?.[SA_NAME] !== sa.metadata.name) continue;
      const uid = s.metadata.annotations?.[SA_UID];
      if (uid && uid !== sa.metadata.uid) continue;
      try {
        this.client.delete(GVR.secrets, ns, s.metadata.name!);
      } catch {
        // already gone
      }
    }
  }
}
