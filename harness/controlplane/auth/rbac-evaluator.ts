// RBAC authorizer over Roles/ClusterRoles/RoleBindings/ClusterRoleBindings read through the
// InternalClient. The four lists are read once, then kept current from store events write by write.
import { peekObjects, type AuthorizationDecision, type Authorizer, type InternalClient, type KubeObject, type UserInfo } from '../types.ts';
import { GVR, eventIs } from './gvr.ts';
import { ruleAllows, type Attributes, type PolicyRule, isResourceRequest } from './rbac-rules.ts';

export const SYSTEM_MASTERS = 'system:masters';

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding {
  name: string;
  namespace?: string;
  roleKind: string;
  roleName: string;
  subjects: Subject[];
}

/**
 * Bindings of one scope (one namespace, or cluster-wide) indexed by subject key (User:x, Group:x,
 * SA as its user name), kept up to date write by write; per key, binding name -> how the first
 * matching subject of that binding is described.
 */
interface BindingIndex {
  bindings: Map<string, Binding>;
  bySubject: Map<string, Map<string, string>>;
}

interface Snapshot {
  clusterRoles: Map<string, PolicyRule[]>;
  roles: Map<string, PolicyRule[]>; // key ns/name
  clusterRoleBindings: BindingIndex;
  roleBindings: Map<string, BindingIndex>; // by namespace
}

function subjectKey(subject: Subject, bindingNamespace: string | undefined): { key: string; text: string } | undefined {
  switch (subject.kind) {
    case 'User':
      return { key: `User:${subject.name}`, text: `User ${JSON.stringify(subject.name)}` };
    case 'Group':
      return { key: `Group:${subject.name}`, text: `Group ${JSON.stringify(subject.name)}` };
    case 'ServiceAccount': {
      // kube defaults an empty SA namespace to the binding's namespace.
      const ns = subject.namespace || bindingNamespace || '';
      return { key: `User:system:serviceaccount:${ns}:${subject.name}`, text: `ServiceAccount ${JSON.stringify(`${subject.name}/${ns}`)}` };
    }
    default:
      return undefined;
  }
}

const newIndex = (): BindingIndex => ({ bindings: new Map(), bySubject: new Map() });

function indexRemove(index: BindingIndex, name: string, namespace: string | undefined): void {
  const old = index.bindings.get(name);
  if (!old) return;
  index.bindings.delete(name);
  for (const subject of old.subjects) {
    const k = subjectKey(subject, namespace);
    const byName = k && index.bySubject.get(k.key);
    if (!byName) continue;
    byName.delete(name);
    if (byName.size === 0) index.bySubject.delete(k.key);
  }
}

function indexPut(index: BindingIndex, binding: Binding, namespace: string | undefined): void {
  indexRemove(index, binding.name, namespace);
  index.bindings.set(binding.name, binding);
  for (const subject of binding.subjects) {
    const k = subjectKey(subject, namespace);
    if (!k) continue;
    let byName = index.bySubject.get(k.key);
    if (!byName) index.bySubject.set(k.key, (byName = new Map()));
    // one entry per binding and key: the first matching subject describes it
    if (!byName.has(binding.name)) byName.set(binding.name, k.text);
  }
}

/** The bindings of an index that apply to the user, in list order (by name within one scope). */
function applicable(index: BindingIndex | undefined, user: UserInfo): { binding: Binding; subject: string }[] {
  if (!index) return [];
  const hits = new Map<string, string>();
  for (const key of [`User:${user.username}`, ...user.groups.map((g) => `Group:${g}`)]) {
    for (const [name, text] of index.bySubject.get(key) ?? []) if (!hits.has(name)) hits.set(name, text);
  }
  return [...hits.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map((name) => ({ binding: index.bindings.get(name)!, subject: hits.get(name)! }));
}

function toBinding(obj: KubeObject): Binding {
  const roleRef = (obj.roleRef ?? {}) as { kind?: string; name?: string };
  return {
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace,
    roleKind: roleRef.kind ?? '',
    roleName: roleRef.name ?? '',
    subjects: ((obj.subjects as Subject[] | undefined) ?? []).filter(Boolean),
  };
}

function describeBinding(b: Binding, subject: string, cluster: boolean, namespace: string | undefined): string {
  return cluster
    ? `ClusterRoleBinding ${JSON.stringify(b.name)} of ${b.roleKind} ${JSON.stringify(b.roleName)} to ${subject}`
    : `RoleBinding ${JSON.stringify(`${b.name}/${namespace}`)} of ${b.roleKind} ${JSON.stringify(b.roleName)} to ${subject}`;
}

const rulesOf = (obj: KubeObject): PolicyRule[] => ((obj.rules as PolicyRule[] | null | undefined) ?? []).filter(Boolean);

export class RbacEvaluator implements Authorizer {
  private snapshot: Snapshot | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly client: InternalClient) {
    // Every RBAC write updates the snapshot in place (one object each), so a cluster with many
    // per-session Roles/RoleBindings never re-reads all of them per request.
    this.unsubscribe = client.onEvent((event) => {
      const s = this.snapshot;
      if (!s) return;
      const obj = event.object;
      const name = obj.metadata.name ?? '';
      const ns = obj.metadata.namespace;
      const gone = event.type === 'DELETED';
      if (eventIs(event, GVR.clusterRoles)) {
        if (gone) s.clusterRoles.delete(name);
        else s.clusterRoles.set(name, rulesOf(obj));
      } else if (eventIs(event, GVR.roles)) {
        if (gone) s.roles.delete(`${ns}/${name}`);
        else s.roles.set(`${ns}/${name}`, rulesOf(obj));
      } else if (eventIs(event, GVR.clusterRoleBindings)) {
        if (gone) indexRemove(s.clusterRoleBindings, name, undefined);
        else indexPut(s.clusterRoleBindings, toBinding(obj), undefined);
      } else if (eventIs(event, GVR.roleBindings)) {
        const key = ns ?? '';
        let index = s.roleBindings.get(key);
        if (gone) index && indexRemove(index, name, key);
        else {
          if (!index) s.roleBindings.set(key, (index = newIndex()));
          indexPut(index, toBinding(obj), key);
        }
      }
    });
  }

  close(): void {
    this.unsubscribe();
  }

  private load(): Snapshot {
    if (this.snapshot) return this.snapshot;
    const clusterRoles = new Map<string, PolicyRule[]>();
    for (const cr of peekObjects(this.client, GVR.clusterRoles)) clusterRoles.set(cr.metadata.name ?? '', rulesOf(cr));
    const roles = new Map<string, PolicyRule[]>();
    for (const r of peekObjects(this.client, GVR.roles)) roles.set(`${r.metadata.namespace}/${r.metadata.name}`, rulesOf(r));
    const roleBindings = new Map<string, BindingIndex>();
    for (const rb of peekObjects(this.client, GVR.roleBindings)) {
      const ns = rb.metadata.namespace ?? '';
      let index = roleBindings.get(ns);
      if (!index) roleBindings.set(ns, (index = newIndex()));
      indexPut(index, toBinding(rb), ns);
    }
    const clusterRoleBindings = newIndex();
    for (const crb of peekObjects(this.client, GVR.clusterRoleBindings)) indexPut(clusterRoleBindings, toBinding(crb), undefined);
    this.snapshot = { clusterRoles, roles, clusterRoleBindings, roleBindings };
    return this.snapshot;
  }

  private rulesOfBinding(s: Snapshot, b: Binding): PolicyRule[] {
    if (b.roleKind === 'ClusterRole') return s.clusterRoles.get(b.roleName) ?? [];
    if (b.roleKind === 'Role' && b.namespace) return s.roles.get(`${b.namespace}/${b.roleName}`) ?? [];
    return [];
  }

  /**
   * Visits every (binding, rules) pair that applies to the user in the namespace: cluster role
   * bindings first, then role bindings of `namespace`. Stops when the visitor returns true.
   */
  private visit(user: UserInfo, namespace: string | undefined, visitor: (rules: PolicyRule[], b: Binding, subject: string, cluster: boolean) => boolean): void {
    const s = this.load();
    for (const { binding: b, subject } of applicable(s.clusterRoleBindings, user)) {
      if (visitor(this.rulesOfBinding(s, b), b, subject, true)) return;
    }
    if (!namespace) return;
    for (const { binding: b, subject } of applicable(s.roleBindings.get(namespace), user)) {
      if (visitor(this.rulesOfBinding(s, b), b, subject, false)) return;
    }
  }

  authorize(user: UserInfo, attrs: Attributes): AuthorizationDecision {
    // The privileged-group authorizer runs before RBAC in kube-apiserver.
    if (user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    let reason = '';
    const namespace = isResourceRequest(attrs) ? attrs.namespace : undefined;
    this.visit(user, namespace, (rules, b, subject, cluster) => {
      if (!rules.some((rule) => ruleAllows(rule, attrs))) return false;
      reason = `RBAC: allowed by ${describeBinding(b, subject, cluster, namespace)}`;
      return true;
    });
    return reason ? { allowed: true, reason } : { allowed: false, reason: '' };
  }

  /** Every rule that applies to the user in the namespace (cluster-wide ones included). */
  rulesFor(user: UserInfo, namespace: string | undefined): PolicyRule[] {
    const out: PolicyRule[] = [];
    this.visit(user, namespace, (rules) => {
      out.push(...rules);
      return false;
    });
    return out;
  }

  /** Rules of a role reference, or undefined when the role does not exist. */
  roleRules(kind: string, name: string, namespace: string | undefined): PolicyRule[] | undefined {
    const s = this.load();
    if (kind === 'ClusterRole') return s.clusterRoles.get(name);
    if (kind === 'Role') return s.roles.get(`${namespace}/${name}`);
    return undefined;
  }
}
