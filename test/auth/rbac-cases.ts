// RBAC allow/deny table. Expected answers follow the Kubernetes RBAC documentation (user-facing
// roles admin/edit/view, resourceNames, subresources, nonResourceURLs, wildcards, default
// discovery bindings) and the platform's own project ClusterRoles read from ../shared at test time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, NonResourceAttributes, ResourceAttributes, UserInfo } from '../../harness/controlplane/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The newest platform checkout's base RBAC directory, if ../shared/platform is present. */
export function platformRbacDir(): string | undefined {
  const root = path.resolve(repoRoot, '../shared/platform');
  if (!existsSync(root)) return undefined;
  for (const rev of readdirSync(root).sort()) {
    const dir = path.join(root, rev, 'components/manifests/base/rbac');
    if (existsSync(path.join(dir, 'ambient-project-admin-clusterrole.yaml'))) return dir;
  }
  return undefined;
}

export function readYamlObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJSON() as KubeObject)
    .filter((o) => o && typeof o === 'object' && o.kind);
}

/** Platform ClusterRoles used by the table (undefined when ../shared is absent). */
export function platformRoles(): KubeObject[] | undefined {
  const dir = platformRbacDir();
  if (!dir) return undefined;
  const files = ['ambient-project-admin-clusterrole.yaml', 'ambient-project-edit-clusterrole.yaml', 'ambient-project-view-clusterrole.yaml', 'aggregate-agenticsessions-admin.yaml'];
  return files.flatMap((f) => readYamlObjects(path.join(dir, f)));
}

const RBAC = 'rbac.authorization.k8s.io';
const roleBinding = (name: string, ns: string, roleKind: 'Role' | 'ClusterRole', role: string, subjects: object[]): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'RoleBinding',
  metadata: { name, namespace: ns },
  roleRef: { apiGroup: RBAC, kind: roleKind, name: role },
  subjects,
});
const user = (name: string) => ({ apiGroup: RBAC, kind: 'User', name });
const group = (name: string) => ({ apiGroup: RBAC, kind: 'Group', name });

/** Objects the table needs besides the bootstrap roles and the platform roles. */
export function tableObjects(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'proj' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
    roleBinding('alice-admin', 'proj', 'ClusterRole', 'admin', [user('alice')]),
    roleBinding('bob-edit', 'proj', 'ClusterRole', 'edit', [user('bob')]),
    roleBinding('carol-view', 'proj', 'ClusterRole', 'view', [user('carol')]),
    roleBinding('dave-project-edit', 'proj', 'ClusterRole', 'ambient-project-edit', [user('dave')]),
    roleBinding('erin-project-view', 'proj', 'ClusterRole', 'ambient-project-view', [user('erin')]),
    roleBinding('frank-project-admin', 'proj', 'ClusterRole', 'ambient-project-admin', [user('frank')]),
    { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'app-config-reader', namespace: 'proj' }, rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['app-config'], verbs: ['get'] }] },
    roleBinding('gina-app-config', 'proj', 'Role', 'app-config-reader', [user('gina')]),
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'status-reader' }, rules: [{ apiGroups: ['*'], resources: ['*/status'], verbs: ['get'] }] },
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'auditors-status' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'status-reader' }, subjects: [group('auditors')] },
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'url-reader' }, rules: [{ nonResourceURLs: ['/healthz', '/logs/*'], verbs: ['get'] }] },
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'ivan-urls' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'url-reader' }, subjects: [user('ivan')] },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: 'runner', namespace: 'proj' },
      rules: [
        { apiGroups: ['vteam.ambient-code'], resources: ['agenticsessions'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
      ],
    },
    roleBinding('runner', 'proj', 'Role', 'runner', [{ kind: 'ServiceAccount', name: 'runner', namespace: 'proj' }]),
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'apps-everything' }, rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }] },
    roleBinding('app-team', 'proj', 'ClusterRole', 'apps-everything', [group('app-team')]),
  ];
}

export interface RbacCase {
  who: UserInfo;
  attrs: ResourceAttributes | NonResourceAttributes;
  allowed: boolean;
  /** Needs the platform's ClusterRoles. */
  platform?: boolean;
  why: string;
}

const u = (name: string, ...groups: string[]): UserInfo => ({ username: name, groups: [...groups, 'system:authenticated'] });
const sa = (ns: string, name: string): UserInfo => ({ username: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] });
const anon: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const r = (verb: string, group: string, resource: string, namespace?: string, name?: string, subresource?: string): ResourceAttributes => ({ verb, group, resource, namespace, name, subresource });
const url = (verb: string, p: string): NonResourceAttributes => ({ verb, path: p });
const V = 'vteam.ambient-code';

export const rbacCases: RbacCase[] = [
  // admin ⊇ edit ⊇ view in a namespace (docs: user-facing roles)
  { who: u('alice'), attrs: r('get', '', 'pods', 'proj', 'p'), allowed: true, why: 'admin aggregates view' },
  { who: u('alice'), attrs: r('create', 'apps', 'deployments', 'proj'), allowed: true, why: 'admin aggregates edit' },
  { who: u('alice'), attrs: r('create', RBAC, 'rolebindings', 'proj'), allowed: true, why: 'admin may manage rolebindings' },
  { who: u('alice'), attrs: r('list', '', 'secrets', 'proj'), allowed: true, why: 'admin reads secrets' },
  { who: u('alice'), attrs: r('delete', '', 'namespaces', undefined, 'proj'), allowed: false, why: 'admin does not cover the namespace itself' },
  { who: u('alice'), attrs: r('get', '', 'pods', 'other'), allowed: false, why: 'RoleBinding is namespace-scoped' },
  { who: u('alice'), attrs: r('create', '', 'resourcequotas', 'proj'), allowed: false, why: 'admin cannot write resource quotas' },
  { who: u('alice'), attrs: r('create', 'authorization.k8s.io', 'localsubjectaccessreviews', 'proj'), allowed: true, why: 'admin creates LSARs' },
  { who: u('alice'), attrs: r('create', V, 'agenticsessions', 'proj'), allowed: true, platform: true, why: 'agenticsessions-aggregate-to-admin aggregates into admin' },
  { who: u('alice'), attrs: r('update', V, 'agenticsessions', 'proj', 's', 'status'), allowed: true, platform: true, why: 'aggregated agenticsessions/status update' },
  { who: u('bob'), attrs: r('create', '', 'secrets', 'proj'), allowed: true, why: 'edit writes secrets' },
  { who: u('bob'), attrs: r('list', RBAC, 'roles', 'proj'), allowed: false, why: 'edit cannot view roles' },
  { who: u('bob'), attrs: r('create', RBAC, 'rolebindings', 'proj'), allowed: false, why: 'edit cannot bind roles' },
  { who: u('bob'), attrs: r('create', '', 'serviceaccounts', 'proj', 'sa', 'token'), allowed: true, why: 'edit creates SA tokens' },
  { who: u('bob'), attrs: r('impersonate', '', 'serviceaccounts', 'proj', 'sa'), allowed: true, why: 'edit may run as any SA of the namespace' },
  { who: u('bob'), attrs: r('get', V, 'agenticsessions', 'proj'), allowed: false, platform: true, why: 'agenticsessions aggregate to admin only' },
  { who: u('bob'), attrs: r('create', '', 'pods', 'proj', 'p', 'exec'), allowed: true, why: 'edit can exec' },
  { who: u('carol'), attrs: r('list', '', 'pods', 'proj'), allowed: true, why: 'view lists pods' },
  { who: u('carol'), attrs: r('get', '', 'secrets', 'proj', 's'), allowed: false, why: 'view does not show secrets' },
  { who: u('carol'), attrs: r('get', '', 'pods', 'proj', 'p', 'log'), allowed: true, why: 'view reads pods/log' },
  { who: u('carol'), attrs: r('create', '', 'pods', 'proj'), allowed: false, why: 'view is read-only' },
  { who: u('carol'), attrs: r('watch', 'apps', 'deployments', 'proj'), allowed: true, why: 'view watches deployments' },
  { who: u('carol'), attrs: r('get', RBAC, 'roles', 'proj', 'x'), allowed: false, why: 'view cannot see roles' },
  { who: u('carol'), attrs: r('create', '', 'serviceaccounts', 'proj', 'sa', 'token'), allowed: false, why: 'view cannot mint tokens' },
  { who: u('carol'), attrs: r('get', '', 'configmaps', 'proj', 'c'), allowed: true, why: 'view reads configmaps' },
  { who: u('carol'), attrs: r('get', '', 'pods', 'proj', 'p', 'exec'), allowed: false, why: 'view has no exec' },
  // ambient-project-edit
  { who: u('dave'), attrs: r('get', '', 'secrets', 'proj', 'ambient-runner-secrets'), allowed: true, platform: true, why: 'resourceNames grant' },
  { who: u('dave'), attrs: r('get', '', 'secrets', 'proj', 'other-secret'), allowed: false, platform: true, why: 'name not in resourceNames' },
  { who: u('dave'), attrs: r('list', '', 'secrets', 'proj'), allowed: false, platform: true, why: 'a resourceNames rule never matches list' },
  { who: u('dave'), attrs: r('create', '', 'secrets', 'proj'), allowed: true, platform: true, why: 'secrets create' },
  { who: u('dave'), attrs: r('create', V, 'agenticsessions', 'proj'), allowed: true, platform: true, why: 'edit creates sessions' },
  { who: u('dave'), attrs: r('delete', V, 'agenticsessions', 'proj', 's'), allowed: false, platform: true, why: 'edit cannot delete sessions' },
  { who: u('dave'), attrs: r('get', '', 'pods', 'proj', 'p', 'log'), allowed: true, platform: true, why: 'pods/log' },
  { who: u('dave'), attrs: r('create', '', 'serviceaccounts', 'proj', 'sa', 'token'), allowed: true, platform: true, why: 'serviceaccounts/token create' },
  { who: u('dave'), attrs: r('update', V, 'agenticsessions', 'proj', 's', 'status'), allowed: false, platform: true, why: 'status is read-only for edit' },
  { who: u('dave'), attrs: r('create', 'batch', 'jobs', 'proj'), allowed: false, platform: true, why: 'jobs are created by the backend SA' },
  // ambient-project-view
  { who: u('erin'), attrs: r('list', V, 'agenticsessions', 'proj'), allowed: true, platform: true, why: 'view lists sessions' },
  { who: u('erin'), attrs: r('create', V, 'agenticsessions', 'proj'), allowed: false, platform: true, why: 'view is read-only' },
  { who: u('erin'), attrs: r('get', V, 'projectsettings', 'proj', 'ps', 'status'), allowed: true, platform: true, why: 'projectsettings/status get' },
  { who: u('erin'), attrs: r('get', '', 'secrets', 'proj', 'ambient-runner-secrets'), allowed: false, platform: true, why: 'no secrets' },
  { who: u('erin'), attrs: r('get', V, 'agenticsessions', 'other', 's'), allowed: false, platform: true, why: 'other namespace' },
  // ambient-project-admin
  { who: u('frank'), attrs: r('delete', V, 'agenticsessions', 'proj', 's'), allowed: true, platform: true, why: 'admin deletes sessions' },
  { who: u('frank'), attrs: r('update', V, 'agenticsessions', 'proj', 's', 'status'), allowed: false, platform: true, why: 'agenticsessions/status is read-only here' },
  { who: u('frank'), attrs: r('create', RBAC, 'rolebindings', 'proj'), allowed: true, platform: true, why: 'rolebindings create' },
  { who: u('frank'), attrs: r('deletecollection', '', 'secrets', 'proj'), allowed: false, platform: true, why: 'no deletecollection verb' },
  { who: u('frank'), attrs: r('create', '', 'serviceaccounts', 'proj', 'k', 'token'), allowed: true, platform: true, why: 'token create' },
  // resourceNames
  { who: u('gina'), attrs: r('get', '', 'secrets', 'proj', 'app-config'), allowed: true, why: 'named secret' },
  { who: u('gina'), attrs: r('get', '', 'secrets', 'proj', 'db'), allowed: false, why: 'another name' },
  { who: u('gina'), attrs: r('list', '', 'secrets', 'proj'), allowed: false, why: 'list has no name' },
  { who: u('gina'), attrs: r('watch', '', 'secrets', 'proj', 'app-config'), allowed: false, why: 'verb not granted' },
  { who: u('gina'), attrs: r('create', '', 'secrets', 'proj'), allowed: false, why: 'create has no name' },
  // */subresource
  { who: u('henry', 'auditors'), attrs: r('get', 'apps', 'deployments', 'proj', 'd', 'status'), allowed: true, why: '*/status matches any resource' },
  { who: u('henry', 'auditors'), attrs: r('get', '', 'pods', 'other', 'p', 'status'), allowed: true, why: 'ClusterRoleBinding is cluster-wide' },
  { who: u('henry', 'auditors'), attrs: r('get', '', 'pods', 'proj', 'p'), allowed: false, why: '*/status does not match the main resource' },
  { who: u('henry', 'auditors'), attrs: r('update', '', 'pods', 'proj', 'p', 'status'), allowed: false, why: 'only get' },
  { who: u('henry'), attrs: r('get', '', 'pods', 'proj', 'p', 'status'), allowed: false, why: 'not in the group' },
  // nonResourceURLs
  { who: u('ivan'), attrs: url('get', '/healthz'), allowed: true, why: 'exact URL' },
  { who: u('ivan'), attrs: url('get', '/logs/kubelet.log'), allowed: true, why: 'trailing * is a prefix' },
  { who: u('ivan'), attrs: url('get', '/metrics'), allowed: false, why: 'URL not granted' },
  { who: u('ivan'), attrs: url('post', '/healthz'), allowed: false, why: 'verb not granted' },
  { who: u('zoe'), attrs: url('get', '/version'), allowed: true, why: 'system:public-info-viewer' },
  { who: anon, attrs: url('get', '/healthz'), allowed: true, why: 'public info is open to unauthenticated' },
  { who: anon, attrs: url('get', '/api'), allowed: false, why: 'discovery needs authentication' },
  { who: u('zoe'), attrs: url('get', '/apis/apps/v1'), allowed: true, why: 'system:discovery /apis/*' },
  { who: anon, attrs: r('create', 'authorization.k8s.io', 'selfsubjectaccessreviews'), allowed: false, why: 'basic-user is for authenticated users' },
  { who: u('zoe'), attrs: r('create', 'authorization.k8s.io', 'selfsubjectrulesreviews'), allowed: true, why: 'system:basic-user' },
  { who: u('zoe'), attrs: r('create', 'authentication.k8s.io', 'selfsubjectreviews'), allowed: true, why: 'system:basic-user whoami' },
  { who: sa('proj', 'x'), attrs: url('get', '/openid/v1/jwks'), allowed: true, why: 'service-account-issuer-discovery' },
  // ServiceAccount subjects
  { who: sa('proj', 'runner'), attrs: r('get', V, 'agenticsessions', 'proj', 's'), allowed: true, why: 'SA RoleBinding' },
  { who: sa('proj', 'runner'), attrs: r('get', V, 'agenticsessions', 'other', 's'), allowed: false, why: 'other namespace' },
  { who: sa('proj', 'runner'), attrs: r('get', '', 'secrets', 'proj', 'anything'), allowed: true, why: 'any secret in namespace' },
  { who: sa('proj', 'runner'), attrs: r('delete', V, 'agenticsessions', 'proj', 's'), allowed: false, why: 'no delete' },
  { who: sa('other', 'runner'), attrs: r('get', V, 'agenticsessions', 'proj', 's'), allowed: false, why: 'same name, other namespace' },
  // wildcards
  { who: u('kim', 'app-team'), attrs: r('delete', 'apps', 'statefulsets', 'proj', 's'), allowed: true, why: 'verbs * resources *' },
  { who: u('kim', 'app-team'), attrs: r('update', 'apps', 'deployments', 'proj', 'd', 'scale'), allowed: true, why: 'resource * covers subresources' },
  { who: u('kim', 'app-team'), attrs: r('get', '', 'pods', 'proj', 'p'), allowed: false, why: 'apiGroups limits to apps' },
  { who: u('kim', 'app-team'), attrs: r('create', 'apps', 'deployments', 'other'), allowed: false, why: 'RoleBinding namespace' },
  // privileged group
  { who: u('root', 'system:masters'), attrs: r('delete', '', 'nodes', undefined, 'n1'), allowed: true, why: 'system:masters bypass' },
  { who: u('root', 'system:masters'), attrs: url('get', '/debug/pprof'), allowed: true, why: 'system:masters bypass' },
  { who: u('nobody'), attrs: r('list', '', 'namespaces'), allowed: false, why: 'no binding' },
];
