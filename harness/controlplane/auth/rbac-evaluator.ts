// RBAC authorizer over Roles/ClusterRoles/RoleBindings/ClusterRoleBindings read through the
// InternalClient. The four lists are cached and dropped on any RBAC write so SAR/s stays high.
import type { AuthorizationDecision, Authorizer, InternalClient, KubeObject, UserInfo } from '../types.ts';
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

/** Bindings indexed by subject key (User:x, Group:x, SA:ns:name), in list order. */
type SubjectIndex = Map<string, { order: number; binding: Binding; subject: string }[]>;

interface Snapshot {
  clusterRoles: Map<string, PolicyRule[]>;
  roles: Map<string, PolicyRule[]>; // key ns/name
  clusterRoleBindings: SubjectIndex;
  roleBindings: Map<string, SubjectIndex>; // by namespace
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

function indexBindings(bindings: Binding[], namespace: string | undefined): SubjectIndex {
  const index: SubjectIndex = new Map();
  bindings.forEach((binding, order) => {
    for (const subject of binding.subjects) {
      const k = subjectKey(subject, namespace);
      if (!k) continue;
      if (!index.has(k.key)) index.set(k.key, []);
      const list = index.get(k.key)!;
      // one entry per binding and key: the first matching subject describes it
      if (list[list.length - 1]?.binding !== binding) list.push({ order, binding, subject: k.text });
    }
  });
  return index;
}

/** The bindings of an index that apply to the user, in list order. */
function applicable(index: SubjectIndex | undefined, user: UserInfo): { binding: Binding; subject: string }[] {
  if (!index) return [];
  const hits = [...(index.get(`User:${user.username}`) ?? [])];
  for (const g of user.groups) hits.push(...(index.get(`Group:${g}`) ?? []));
  hits.sort((a, b) => a.order - b.order);
  return hits.filter((h, i) => i === 0 || hits[i - 1].binding !== h.binding);
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

const rulesOf = (obj: KubeObject): PolicyRule[] => ((obj.rules as PolicyRule[] | null | undefined) ?? []).filter(Boolean);

export class RbacEvaluator implements Authorizer {
  private snapshot: Snapshot | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly client: InternalClient) {
    const watched = [GVR.clusterRoles, GVR.roles, GVR.clusterRoleBindings, GVR.roleBindings];
    this.unsubscribe = client.onEvent((event) => {
      if (watched.some((gvr) => eventIs(event, gvr))) this.snapshot = undefined;
    });
  }

  close(): void {
    this.unsubscribe();
  }

  private load(): Snapshot {
    if (this.snapshot) return this.snapshot;
    const clusterRoles = new Map<string, PolicyRule[]>();
    for (const cr of this.client.list(GVR.clusterRoles)) clusterRoles.set(cr.metadata.name ?? '', rulesOf(cr));
    const roles = new Map<string, PolicyRule[]>();
    for (const r of this.client.list(GVR.roles)) roles.set(`${r.metadata.namespace}/${r.metadata.name}`, rulesOf(r));
    const byNamespace = new Map<string, Binding[]>();
    for (const rb of this.client.list(GVR.roleBindings)) {
      const ns = rb.metadata.namespace ?? '';
      if (!byNamespace.has(ns)) byNamespace.set(ns, []);
      byNamespace.get(ns)!.push(toBinding(rb));
    }
    const roleBindings = new Map<string, SubjectIndex>();
    for (const [ns, list] of byNamespace) roleBindings.set(ns, indexBindings(list, ns));
    const clusterRoleBindings = indexBindings(this.client.list(GVR.clusterRoleBindings).map(toBinding), undefined);
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
  private visit(user: UserInfo, namespace: string | undefined, visitor: (describe: () => string, rules: PolicyRule[]) => boolean): void {
    const s = this.load();
    for (const { binding: b, subject } of applicable(s.clusterRoleBindings, user)) {
      const describe = () => `ClusterRoleBinding ${JSON.stringify(b.name)} of ${b.roleKind} ${JSON.stringify(b.roleName)} to ${subject}`;
      if (visitor(describe, this.rulesOfBinding(s, b))) return;
    }
    if (!namespace) return;
    for (const { binding: b, subject } of applicable(s.roleBindings.get(namespace), user)) {
      const describe = () => `RoleBinding ${JSON.stringify(`${b.name}/${namespace}`)} of ${b.roleKind} ${JSON.stringify(b.roleName)} to ${subject}`;
      if (visitor(describe, this.rulesOfBinding(s, b))) return;
    }
  }

  authorize(user: UserInfo, attrs: Attributes): AuthorizationDecision {
    // The privileged-group authorizer runs before RBAC in kube-apiserver.
    if (user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    let reason = '';
    const namespace = isResourceRequest(attrs) ? attrs.namespace : undefined;
    this.visit(user, namespace, (describe, rules) => {
      if (!rules.some((rule) => ruleAllows(rule, attrs))) return false;
      reason = `RBAC: allowed by ${describe()}`;
      return true;
    });
    return reason ? { allowed: true, reason } : { allowed: false, reason: '' };
  }

  /** Every rule that applies to the user in the namespace (cluster-wide ones included). */
  rulesFor(user: UserInfo, namespace: string | undefined): PolicyRule[] {
    const out: PolicyRule[] = [];
    this.visit(user, namespace, (_d, rules) => {
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
