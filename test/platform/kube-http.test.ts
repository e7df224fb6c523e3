// The reference platform's thin Kubernetes client against the embedded control plane: JSON in and
// out, API errors with their HTTP status (apiCode/describeError read them like client-node's),
// merge patches, and per-token clients that carry only the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { apiCode, describeError, loadKubeConfig } from '../../harness/platform/kube.ts';
import { Clients } from '../../harness/platform/reference/clients.ts';
import { MERGE_PATCH } from '../../harness/platform/reference/kube-apis.ts';

const NS = 'thin';
let cp: ControlPlane;
let admin: Clients;

beforeAll(async () => {
  cp = await startControlPlane();
  admin = new Clients(loadKubeConfig({ yaml: cp.kubeconfig() }));
  await admin.core.createNamespace({ body: { metadata: { name: NS } } });
}, 60_000);
afterAll(async () => cp?.stop());

describe('reference platform Kubernetes client', () => {
  it('creates, reads, replaces and deletes with the wire JSON; a 404 carries its code and message', async () => {
    const created = await admin.core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 's1' }, data: { k: Buffer.from('v').toString('base64') } } });
    expect(created.metadata?.uid).toBeTruthy();
    expect(typeof created.metadata?.creationTimestamp).toBe('string');
    const read = await admin.core.readNamespacedSecret({ namespace: NS, name: 's1' });
    expect(Buffer.from(read.data!.k, 'base64').toString()).toBe('v');
    read.data = { ...read.data, k2: Buffer.from('w').toString('base64') };
    const replaced = await admin.core.replaceNamespacedSecret({ namespace: NS, name: 's1', body: read });
    expect(Object.keys(replaced.data ?? {}).sort()).toEqual(['k', 'k2']);
    // A stale resourceVersion is a 409, as with any client.
    const stale = await admin.core.replaceNamespacedSecret({ namespace: NS, name: 's1', body: read }).catch((e: unknown) => e);
    expect(apiCode(stale)).toBe(409);
    await admin.core.deleteNamespacedSecret({ namespace: NS, name: 's1' });
    const missing = await admin.core.readNamespacedSecret({ namespace: NS, name: 's1' }).catch((e: unknown) => e);
    expect(apiCode(missing)).toBe(404);
    expect(describeError(missing)).toMatch(/^HTTP 404: secrets "s1" not found/);
  });

  it('lists with selectors and limit/continue, and merge-patches', async () => {
    const roles = { group: 'rbac.authorization.k8s.io', version: 'v1', namespace: NS, plural: 'roles' };
    for (const n of ['a', 'b', 'c']) {
      await admin.custom.createNamespacedCustomObject({ ...roles, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `l-${n}`, labels: { pick: n === 'b' ? 'no' : 'yes' } }, rules: [] } });
    }
    const first = await admin.custom.listNamespacedCustomObject({ ...roles, labelSelector: 'pick=yes', limit: 1 });
    expect(first.items.map((r: { metadata: { name: string } }) => r.metadata.name)).toEqual(['l-a']);
    const rest = await admin.custom.listNamespacedCustomObject({ ...roles, labelSelector: 'pick=yes', limit: 1, _continue: first.metadata.continue });
    expect(rest.items.map((r: { metadata: { name: string } }) => r.metadata.name)).toEqual(['l-c']);
    const pods = await admin.core.listPodForAllNamespaces({ labelSelector: 'none=here' });
    expect(pods.items).toEqual([]);
    const picked = await admin.core.listNamespace({ labelSelector: 'kubernetes.io/metadata.name=thin' });
    expect(picked.items.map((n) => n.metadata?.name)).toEqual([NS]);
    const patched = await admin.custom.patchNamespacedCustomObject({ ...roles, name: 'l-b', body: { metadata: { annotations: { a: '1' } } } }, MERGE_PATCH);
    expect(patched.metadata.annotations).toEqual({ a: '1' });
  });

  it('a per-token client authenticates as the token alone', async () => {
    await admin.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'runner' } } });
    const tr = await admin.core.createNamespacedServiceAccountToken({ namespace: NS, name: 'runner', body: { spec: { audiences: [] } } });
    const asRunner = admin.forToken(tr.status!.token);
    const self = await asRunner.authn.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    expect(self.status?.userInfo?.username).toBe(`system:serviceaccount:${NS}:runner`);
    await admin.core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'private' } } });
    const denied = await asRunner.core.readNamespacedSecret({ namespace: NS, name: 'private' }).catch((e: unknown) => e);
    expect(apiCode(denied)).toBe(403);
    const review = await asRunner.authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: NS, verb: 'get', resource: 'secrets' } } } });
    expect(review.status?.allowed).toBe(false);
    const bad = await admin.forToken('not-a-valid-token').core.listNamespace().catch((e: unknown) => e);
    expect(apiCode(bad)).toBe(401);
  });

  it('rejects kubeconfigs it cannot authenticate with, with a clear message', () => {
    const kc = loadKubeConfig({ yaml: cp.kubeconfig() });
    const cluster = kc.getCurrentCluster()!;
    kc.loadFromOptions({ clusters: [cluster], users: [{ name: 'u', exec: { command: 'get-token' } }], contexts: [{ name: 'c', cluster: cluster.name, user: 'u' }], currentContext: 'c' });
    expect(() => new Clients(kc)).toThrow(/exec and auth-provider credentials are not supported/);
  });
});
