// End to end: real kubectl and @kubernetes/client-node against the embedded API server, exercising
// server-side apply ownership and strategic merge patch through HTTPS.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubectlFor } from '../controlplane/helpers.ts';

const hasKubectl = existsSync('/usr/bin/kubectl') || spawnSync('kubectl', ['--help'], { stdio: 'ignore' }).status === 0;

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function deploymentYaml(name: string, replicas: number, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: ${image}
`;
}

describe.skipIf(!hasKubectl)('patch module through kubectl and client-node', () => {
  let cp: ControlPlane;
  let dir: string;

  let kubectl: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  function file(name: string, text: string): string {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  }
  async function getJson(args: string[]): Promise<Any> {
    const r = await kubectl(['get', ...args, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Any;
  }

  beforeAll(async () => {
    cp = await startControlPlane();
    // The server must run this module, not the registry's stand-in.
    expect(cp.missingModules.patch).toBeUndefined();
    const kc = kubectlFor(cp);
    dir = kc.dir;
    kubectl = (args) => kc.run(args);
  }, 60_000);
  afterAll(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl apply --server-side: a second manager conflicts, --force-conflicts takes the field', async () => {
    const first = await kubectl(['apply', '--server-side', '--field-manager=alice', '-f', file('alice.yaml', deploymentYaml('ssa', 2, 'nginx:1.27'))]);
    expect(first.code, first.stderr).toBe(0);

    const bobFile = file('bob.yaml', deploymentYaml('ssa', 5, 'nginx:1.27'));
    const conflict = await kubectl(['apply', '--server-side', '--field-manager=bob', '-f', bobFile]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict with "alice"');
    expect(conflict.stderr).toContain('.spec.replicas');
    expect((await getJson(['deployment', 'ssa', '-n', 'default'])).spec.replicas).toBe(2);

    const forced = await kubectl(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', bobFile]);
    expect(forced.code, forced.stderr).toBe(0);
    const obj = await getJson(['deployment', 'ssa', '-n', 'default', '--show-managed-fields']);
    expect(obj.spec.replicas).toBe(5);
    const byManager = Object.fromEntries((obj.metadata.managedFields as Any[]).map((m) => [m.manager, m]));
    expect(byManager.bob.operation).toBe('Apply');
    expect(byManager.bob.fieldsV1['f:spec']).toHaveProperty('f:replicas');
    expect(byManager.alice.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
  }, 60_000);

  it('kubectl patch --type=strategic merges containers by name; --type=json test failures are 422', async () => {
    const created = await kubectl(['apply', '--server-side', '--field-manager=alice', '-f', file('smp.yaml', deploymentYaml('smp', 1, 'nginx'))]);
    expect(created.code, created.stderr).toBe(0);
    const patch = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }, { name: 'web', image: 'nginx:1.28' }] } } } });
    const patched = await kubectl(['patch', 'deployment', 'smp', '-n', 'default', '--type=strategic', '-p', patch]);
    expect(patched.code, patched.stderr).toBe(0);
    const obj = await getJson(['deployment', 'smp', '-n', 'default', '--show-managed-fields']);
    expect(obj.spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'sidecar', image: 'busybox' }),
      expect.objectContaining({ name: 'web', image: 'nginx:1.28' }),
    ]);
    // The patcher (kubectl-patch, operation Update) now owns the image it changed.
    const patcher = (obj.metadata.managedFields as Any[]).find((m) => m.manager === 'kubectl-patch');
    expect(patcher?.operation).toBe('Update');
    expect(JSON.stringify(patcher?.fieldsV1)).toContain('k:{\\"name\\":\\"web\\"}');

    const failed = await kubectl(['patch', 'deployment', 'smp', '-n', 'default', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('the server rejected our request due to an error in our request');
  }, 60_000);

  it('kubectl apply (client-side) sends a three-way strategic patch: containers and env merge, removed items go', async () => {
    const v1 = deploymentYaml('csa', 1, 'nginx') + `        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
      - name: sidecar
        image: busybox
`;
    const first = await kubectl(['apply', '-f', file('csa1.yaml', v1)]);
    expect(first.code, first.stderr).toBe(0);
    // Someone else adds a container the applier never declared: the three-way patch must keep it.
    const extra = await kubectl(['patch', 'deployment', 'csa', '-n', 'default', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'extra', image: 'redis' }] } } } })]);
    expect(extra.code, extra.stderr).toBe(0);

    const v2 = deploymentYaml('csa', 1, 'nginx:1.28') + `        env:
        - {name: B, value: "two"}
`;
    const second = await kubectl(['apply', '-f', file('csa2.yaml', v2)]);
    expect(second.code, second.stderr).toBe(0);
    const obj = await getJson(['deployment', 'csa', '-n', 'default']);
    const containers = obj.spec.template.spec.containers as Any[];
    expect(containers.map((c) => c.name).sort()).toEqual(['extra', 'web']);
    const web = containers.find((c) => c.name === 'web')!;
    expect(web.image).toBe('nginx:1.28');
    expect(web.env).toEqual([{ name: 'B', value: 'two' }]);

    // Moving to server-side apply with the same kubectl: no conflict with kubectl-client-side-apply.
    const upgraded = await kubectl(['apply', '--server-side', '-f', file('csa3.yaml', deploymentYaml('csa', 3, 'nginx:1.28'))]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect((await getJson(['deployment', 'csa', '-n', 'default'])).spec.replicas).toBe(3);
  }, 60_000);

  it('client-node server-side apply with setHeaderOptions(ServerSideApply): create, conflict 409, force', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(cp.kubeconfig());
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const ssa = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
    const body = (replicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'node-ssa', namespace: 'default' },
      spec: { replicas, selector: { matchLabels: { app: 'n' } }, template: { metadata: { labels: { app: 'n' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const created = await apps.patchNamespacedDeployment({ name: 'node-ssa', namespace: 'default', body: body(1), fieldManager: 'operator' }, ssa);
    expect(created.spec?.replicas).toBe(1);
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: 'operator', operation: 'Apply' });

    const err = await apps.patchNamespacedDeployment({ name: 'node-ssa', namespace: 'default', body: body(3), fieldManager: 'other' }, ssa).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    const apiErr = err as k8s.ApiException<string>;
    expect(apiErr.code).toBe(409);
    const status = JSON.parse(apiErr.body) as Any;
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "operator": .spec.replicas');
    expect(status.details.causes).toEqual([{ type: 'FieldManagerConflict', message: 'conflict with "operator"', field: '.spec.replicas' }]);

    const forced = await apps.patchNamespacedDeployment({ name: 'node-ssa', namespace: 'default', body: body(3), fieldManager: 'other', force: true }, ssa);
    expect(forced.spec?.replicas).toBe(3);

    // A resourceVersion in the applied body is an optimistic-concurrency precondition.
    const stale = { ...body(4), metadata: { ...body(4).metadata, resourceVersion: created.metadata!.resourceVersion } };
    const staleErr = (await apps.patchNamespacedDeployment({ name: 'node-ssa', namespace: 'default', body: stale, fieldManager: 'other' }, ssa).catch((e: unknown) => e)) as k8s.ApiException<string>;
    expect(staleErr.code).toBe(409);
    expect(JSON.parse(staleErr.body).message).toContain('the object has been modified');
  }, 60_000);
});
