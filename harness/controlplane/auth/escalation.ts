// RBAC escalation prevention for writes of Roles, ClusterRoles and their bindings: the writer must
// already hold what it grants, or have `escalate` (roles) / `bind` (bindings) on the role.
import { ApiError, type InternalClient, type KubeObject, type UserInfo } from '../types.ts';
import { SYSTEM_MASTERS, type RbacEvaluator } from './rbac-evaluator.ts';
import { describeAtomic, uncoveredRules, type PolicyRule } from './rbac-rules.ts';

const RBAC = 'rbac.authorization.k8s.io';
const evaluators = new WeakMap<InternalClient, RbacEvaluator>();

export function registerEvaluator(client: InternalClient, evaluator: RbacEvaluator): void {
  evaluators.set(client, evaluator);
}

const resourceOf: Record<string, string> = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' };

function forbidden(obj: KubeObject, detail: string): ApiError {
  const resource = resourceOf[obj.kind];
  const name = obj.metadata.name ?? '';
  return new ApiError(403, 'Forbidden', `${resource}.${RBAC} ${JSON.stringify(name)} is forbidden: ${detail}`, { name, group: RBAC, kind: resource });
}

function confirmNoEscalation(rbac: RbacEvaluator, user: UserInfo, namespace: string | undefined, rules: PolicyRule[], obj: KubeObject): void {
  const missing = uncoveredRules(rbac.rulesFor(user, namespace), rules);
  if (!missing.length) return;
  const groups = `[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]`;
  throw forbidden(obj, `user ${JSON.stringify(user.username)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${missing.map(describeAtomic).join('\n')}`);
}

/**
 * Call from the registry before a create or update (not dry-run-exempt) of a Role, ClusterRole,
 * RoleBinding or ClusterRoleBinding by a user request. Throws ApiError(403) on escalation; other
 * kinds pass. Needs createAuth(client, ...) to have been called for this client.
 */
export function checkEscalation(user: UserInfo, obj: KubeObject, client: InternalClient): void {
  const rbac = evaluators.get(client);
  if (!rbac || !resourceOf[obj.kind] || user.groups.includes(SYSTEM_MASTERS)) return;
  const namespace = obj.kind === 'Role' || obj.kind === 'RoleBinding' ? obj.metadata.namespace : undefined;

  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    const escalate = rbac.authorize(user, { verb: 'escalate', group: RBAC, resource: resourceOf[obj.kind], namespace, name: obj.metadata.name });
    if (escalate.allowed) return;
    confirmNoEscalation(rbac, user, namespace, ((obj.rules as PolicyRule[] | undefined) ?? []).filter(Boolean), obj);
    if (obj.kind === 'ClusterRole' && obj.aggregationRule) {
      // An aggregation rule can gather anything, so it needs full authority.
      const full: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];
      if (uncoveredRules(rbac.rulesFor(user, undefined), full).length) throw forbidden(obj, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return;
  }

  const roleRef = (obj.roleRef ?? {}) as { kind?: string; name?: string };
  const roleResource = roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
  const bind = rbac.authorize(user, { verb: 'bind', group: RBAC, resource: roleResource, namespace, name: roleRef.name });
  if (bind.allowed) return;
  const rules = rbac.roleRules(roleRef.kind ?? '', roleRef.name ?? '', namespace);
  if (!rules) throw forbidden(obj, `${roleResource}.${RBAC} ${JSON.stringify(roleRef.name ?? '')} not found`);
  confirmNoEscalation(rbac, user, namespace, rules, obj);
}
