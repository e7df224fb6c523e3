// kubectl 1.33 (protobuf request bodies) against the embedded control plane: the typed commands
// that need the protobuf decoder succeed and store what was asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubectlAvailable, kubectlFor, openAccess, type KubectlResult } from './kubectl-helper.ts';

describe.skipIf(!kubectlAvailable)('kubectl protobuf bodies against the control plane', () => {
  let cp: ControlPlane;
  let kubectl: (...args: string[]) => Promise<KubectlResult>;

  beforeAll(async () => {
    cp = await startControlPlane({ kubernetesVersion: '1.33', ...openAccess });
    ({ kubectl } = await kubectlFor(cp));
    expect((await kubectl('create', 'namespace', 'pb-a')).ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await cp?.stop();
  });

  const json = async (...args: string[]) => {
    const r = await kubectl(...args, '-o', 'json');
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };

  it('create configmap / secret stores data (secret data base64 round-trips)', async () => {
    expect((await kubectl('-n', 'pb-a', 'create', 'configmap', 'cm1', '--from-literal=a=b', '--from-literal=empty=')).ok).toBe(true);
    expect((await json('-n', 'pb-a', 'get', 'configmap', 'cm1')).data).toEqual({ a: 'b', empty: '' });
    expect((await kubectl('-n', 'pb-a', 'create', 'secret', 'generic', 's1', '--from-literal=token=fake-value')).ok).toBe(true);
    const secret = await json('-n', 'pb-a', 'get', 'secret', 's1');
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe('fake-value');
  }, 60_000);

  it('create deployment / job / role / rolebinding store their specs', async () => {
    expect((await kubectl('-n', 'pb-a', 'create', 'deployment', 'd1', '--image=example.invalid/img:1', '--replicas=2', '--port=8080')).ok).toBe(true);
    const d = await json('-n', 'pb-a', 'get', 'deployment', 'd1');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'd1' } });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'img', image: 'example.invalid/img:1', ports: [{ containerPort: 8080 }] });

    expect((await kubectl('-n', 'pb-a', 'create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi')).ok).toBe(true);
    const j = await json('-n', 'pb-a', 'get', 'job', 'j1');
    expect(j.spec.template.spec).toMatchObject({ restartPolicy: 'Never', containers: [{ name: 'j1', image: 'busybox', command: ['echo', 'hi'] }] });

    expect((await kubectl('-n', 'pb-a', 'create', 'role', 'r1', '--verb=get,list', '--resource=pods')).ok).toBe(true);
    expect((await json('-n', 'pb-a', 'get', 'role', 'r1')).rules).toEqual([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]);
    expect((await kubectl('-n', 'pb-a', 'create', 'rolebinding', 'rb1', '--role=r1', '--user=alice')).ok).toBe(true);
    const rb = await json('-n', 'pb-a', 'get', 'rolebinding', 'rb1');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' });
    expect(rb.subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }]);
  }, 60_000);

  it('ran kubectl 1.33 (which sends protobuf, see kubectl-bodies.test.ts) and every write succeeded', async () => {
    const version = JSON.parse((await kubectl('version', '-o', 'json')).stdout);
    expect(version.clientVersion.minor).toBe('33');
    const posts = cp.requestLog.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(7);
    expect(posts.filter((r) => r.status !== 201)).toEqual([]);
  }, 60_000);
});
