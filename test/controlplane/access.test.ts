// Authentication and authorization at the HTTP front: 401 for bad credentials, and kube-apiserver's
// exact Forbidden messages for resource, cluster-scoped, subresource and non-resource requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { api } from './helpers.ts';

let cp: ControlPlane;
const ALICE = 'alice-fake-token-0123456789';

beforeAll(async () => {
  cp = await startControlPlane({ controllers: [], users: [{ name: 'alice', token: ALICE }] });
});
afterAll(async () => cp?.stop());

describe('authentication and authorization', () => {
  it('lets the admin in and refuses bad tokens with 401', async () => {
    expect((await api(cp, 'GET', '/api/v1/namespaces/default/configmaps')).status).toBe(200);
    const bad = await api(cp, 'GET', '/api/v1/namespaces/default/configmaps', { token: 'not-a-real-token' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('writes the real Forbidden messages', async () => {
    const as = (method: string, path: string, body?: unknown) => api(cp, method, path, { token: ALICE, body });
    const get = await as('GET', '/api/v1/namespaces/default/configmaps/x');
    expect(get.status).toBe(403);
    expect(get.body.reason).toBe('Forbidden');
    expect(get.body.message).toMatch(/^configmaps "x" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "default"/);
    const list = await as('GET', '/api/v1/namespaces/default/configmaps');
    expect(list.body.message).toMatch(/^configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"/);
    const cluster = await as('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    expect(cluster.body.message).toMatch(/^customresourcedefinitions\.apiextensions\.k8s\.io is forbidden: User "alice" cannot list resource "customresourcedefinitions" in API group "apiextensions\.k8s\.io" at the cluster scope/);
    const sub = await as('POST', '/api/v1/namespaces/default/serviceaccounts/default/token', { spec: {} });
    expect(sub.body.message).toMatch(/^serviceaccounts "default" is forbidden: User "alice" cannot create resource "serviceaccounts\/token" in API group "" in the namespace "default"/);
    const nonResource = await as('GET', '/metrics');
    expect(nonResource.status).toBe(403);
    expect(nonResource.body.message).toMatch(/^forbidden: User "alice" cannot get path "\/metrics"/);
    const anonymous = await api(cp, 'GET', '/api/v1/namespaces/default/secrets', { token: null });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.message).toMatch(/^secrets is forbidden: User "system:anonymous" cannot list resource "secrets"/);
  });

  it('refuses RBAC escalation through roles (admission on API writes)', async () => {
    const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/default';
    const grant = { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create'] };
    expect((await api(cp, 'POST', `${rbac}/roles`, { body: { metadata: { name: 'role-maker' }, rules: [grant] } })).status).toBe(201);
    const binding = { metadata: { name: 'alice-role-maker' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'role-maker' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] };
    expect((await api(cp, 'POST', `${rbac}/rolebindings`, { body: binding })).status).toBe(201);
    const escalating = await api(cp, 'POST', `${rbac}/roles`, { token: ALICE, body: { metadata: { name: 'secrets-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } });
    expect(escalating.status).toBe(403);
    expect(escalating.body.reason).toBe('Forbidden');
    const modest = await api(cp, 'POST', `${rbac}/roles`, { token: ALICE, body: { metadata: { name: 'copy' }, rules: [grant] } });
    expect(modest.status).toBe(201);
  });

  it('renders kubeconfigs for known users only', () => {
    expect(cp.kubeconfig('alice')).toContain('certificate-authority-data');
    expect(() => cp.kubeconfig('mallory')).toThrow(/no such user/);
  });
});
