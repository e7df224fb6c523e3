// RBAC escalation prevention over HTTPS with client-node: a namespace admin may only grant what it
// holds, unless it has `escalate` (roles) or `bind` (bindings) on the role.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubeConfigFor, TEST_USERS } from './helpers.ts';

const NS = 'esc';
const RBAC = 'rbac.authorization.k8s.io';
let cp: ControlPlane;
let asAdmin: k8s.RbacAuthorizationV1Api;
let asAlice: k8s.RbacAuthorizationV1Api;

const role = (name: string, rules: k8s.V1PolicyRule[]): k8s.V1Role => ({ metadata: { name, namespace: NS }, rules });
const binding = (name: string, kind: 'Role' | 'ClusterRole', roleName: string, user: string): k8s.V1RoleBinding => ({
  metadata: { name, namespace: NS },
  roleRef: { apiGroup: RBAC, kind, name: roleName },
  subjects: [{ apiGroup: RBAC, kind: 'User', name: user }],
});
const outcome = (p: Promise<unknown>) => p.then(() => ({ code: 201, message: '' }), (e: k8s.ApiException<string>) => ({ code: e.code, message: String(JSON.parse(e.body).message ?? '') }));

beforeAll(async () => {
  cp = await startControlPlane({ users: TEST_USERS });
  const admin = kubeConfigFor(cp, { user: 'admin' });
  asAdmin = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  asAlice = kubeConfigFor(cp, { user: 'alice' }).makeApiClient(k8s.RbacAuthorizationV1Api);
  await admin.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  await asAdmin.createNamespacedRoleBinding({ namespace: NS, body: binding('alice-admin', 'ClusterRole', 'admin', 'alice') });
}, 60_000);
afterAll(async () => cp?.stop());

describe('RBAC escalation checks', () => {
  it('a Role may only grant what the writer holds', async () => {
    expect((await outcome(asAlice.createNamespacedRole({ namespace: NS, body: role('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]) }))).code).toBe(201);
    const denied = await outcome(asAlice.createNamespacedRole({ namespace: NS, body: role('node-reader', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]) }));
    expect(denied.code).toBe(403);
    expect(denied.message).toBe(
      'roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}',
    );
  });

  it('a binding needs the role permissions or bind', async () => {
    expect((await outcome(asAlice.createNamespacedRoleBinding({ namespace: NS, body: binding('bob-view', 'ClusterRole', 'view', 'bob') }))).code).toBe(201);
    const denied = await outcome(asAlice.createNamespacedRoleBinding({ namespace: NS, body: binding('bob-root', 'ClusterRole', 'cluster-admin', 'bob') }));
    expect(denied.code).toBe(403);
    expect(denied.message).toContain('rolebindings.rbac.authorization.k8s.io "bob-root" is forbidden: user "alice"');
    // Grant alice `bind` on exactly cluster-admin: now the same binding is allowed.
    await asAdmin.createClusterRole({ body: { metadata: { name: 'bind-cluster-admin' }, rules: [{ apiGroups: [RBAC], resources: ['clusterroles'], resourceNames: ['cluster-admin'], verbs: ['bind'] }] } });
    await asAdmin.createNamespacedRoleBinding({ namespace: NS, body: binding('alice-bind', 'ClusterRole', 'bind-cluster-admin', 'alice') });
    expect((await outcome(asAlice.createNamespacedRoleBinding({ namespace: NS, body: binding('bob-root', 'ClusterRole', 'cluster-admin', 'bob') }))).code).toBe(201);
  });

  it('escalate lets a writer create roles beyond its own rights', async () => {
    await asAdmin.createNamespacedRole({ namespace: NS, body: role('escalator', [{ apiGroups: [RBAC], resources: ['roles'], verbs: ['escalate'] }]) });
    await asAdmin.createNamespacedRoleBinding({ namespace: NS, body: binding('alice-escalate', 'Role', 'escalator', 'alice') });
    expect((await outcome(asAlice.createNamespacedRole({ namespace: NS, body: role('node-reader', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]) }))).code).toBe(201);
  });

  it('a ClusterRole with an aggregationRule needs cluster-admin rights', async () => {
    await asAdmin.createClusterRole({ body: { metadata: { name: 'cr-writer' }, rules: [{ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['create'] }] } });
    await asAdmin.createClusterRoleBinding({ body: { metadata: { name: 'alice-cr-writer' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cr-writer' }, subjects: [{ apiGroup: RBAC, kind: 'User', name: 'alice' }] } });
    const asAliceCr = await outcome(asAlice.createClusterRole({ body: { metadata: { name: 'sneaky' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] }, rules: [] } }));
    expect(asAliceCr.code).toBe(403);
    expect(asAliceCr.message).toContain('must have cluster-admin privileges to use the aggregationRule');
  });
});
