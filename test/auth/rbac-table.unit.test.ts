// The RBAC table evaluated directly by the authorizer over an in-memory store (aggregation by the
// controller included). The same table runs over HTTPS SubjectAccessReviews in rbac-table.test.ts.
import { describe, expect, it } from 'vitest';
import { checkEscalation, createAuth } from '../../harness/controlplane/auth/index.ts';
import { ApiError, type KubeObject } from '../../harness/controlplane/types.ts';
import { MemoryClient, settle } from './memory-client.ts';
import { platformRoles, rbacCases, tableObjects } from './rbac-cases.ts';

const gvrOf = (o: KubeObject) => {
  const resource = { Namespace: 'namespaces', Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' }[o.kind]!;
  return { group: o.kind === 'Namespace' ? '' : 'rbac.authorization.k8s.io', version: 'v1', resource };
};

async function setup(withPlatform: boolean) {
  const client = new MemoryClient();
  const auth = createAuth(client, { adminToken: 'fake-admin-token' });
  for (const c of auth.controllers) c.start(client);
  const objs = [...auth.bootstrapObjects(), ...tableObjects(), ...(withPlatform ? (platformRoles() ?? []) : [])];
  for (const o of objs) client.create(gvrOf(o), o.metadata.namespace, o);
  await settle(10);
  return { client, auth };
}

const platform = platformRoles();

describe('RBAC table (authorizer)', async () => {
  const { auth, client } = await setup(!!platform);
  const cases = rbacCases.filter((c) => platform || !c.platform);

  it(`has at least 50 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(50));

  it.each(cases.map((c, i) => [i, `${c.who.username} ${JSON.stringify(c.attrs)} → ${c.allowed} (${c.why})`, c] as const))('#%i %s', (_i, _t, c) => {
    expect(auth.authorizer.authorize(c.who, c.attrs).allowed).toBe(c.allowed);
  });

  it('names the binding in the reason', () => {
    expect(auth.authorizer.authorize({ username: 'alice', groups: ['system:authenticated'] }, { verb: 'get', group: '', resource: 'pods', namespace: 'proj' }).reason).toBe(
      'RBAC: allowed by RoleBinding "alice-admin/proj" of ClusterRole "admin" to User "alice"',
    );
    expect(auth.authorizer.authorize({ username: 'ivan', groups: [] }, { verb: 'get', path: '/healthz' }).reason).toBe('RBAC: allowed by ClusterRoleBinding "ivan-urls" of ClusterRole "url-reader" to User "ivan"');
  });

  it('re-aggregates when a labelled ClusterRole appears and drops cache on RBAC writes', async () => {
    const carol = { username: 'carol', groups: ['system:authenticated'] };
    const attrs = { verb: 'list', group: 'example.com', resource: 'widgets', namespace: 'proj' };
    expect(auth.authorizer.authorize(carol, attrs).allowed).toBe(false);
    client.create(gvrOf({ kind: 'ClusterRole' } as KubeObject), undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'widgets-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['list'] }],
    });
    await settle(10);
    expect(auth.authorizer.authorize(carol, attrs).allowed).toBe(true);
  });

  it('escalation: a Role needs the permissions it grants, a binding needs them or bind', () => {
    const bob = { username: 'bob', groups: ['system:authenticated'] };
    const role = (rules: object[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'proj' }, rules });
    expect(() => checkEscalation(bob, role([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'create'] }]), client)).not.toThrow();
    let err: ApiError | undefined;
    try {
      checkEscalation(bob, role([{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]), client);
    } catch (e) {
      err = e as ApiError;
    }
    expect(err?.code).toBe(403);
    expect(err?.message).toBe(
      'roles.rbac.authorization.k8s.io "r" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}',
    );
    const binding = (roleName: string): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'proj' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'User', name: 'x' }],
    });
    const alice = { username: 'alice', groups: ['system:authenticated'] };
    expect(() => checkEscalation(alice, binding('view'), client)).not.toThrow();
    expect(() => checkEscalation(alice, binding('cluster-admin'), client)).toThrow(/attempting to grant RBAC permissions not currently held/);
    expect(() => checkEscalation({ username: 'root', groups: ['system:masters'] }, binding('cluster-admin'), client)).not.toThrow();
  });
});
