// Strategic merge patch, with expectations from the Kubernetes task "Update API Objects in Place
// Using kubectl patch" and the strategic-merge-patch directives.
import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch } from '../../harness/controlplane/patch/index.ts';
import type { KubeObject } from '../../harness/controlplane/types.ts';
import { apiError } from './api-error.ts';

function patchDemo(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '30%' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{ name: 'patch-demo-ctr', image: 'nginx', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }, { containerPort: 443 }] }],
          tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
        },
      },
    },
  };
}
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const podSpec = (o: KubeObject): Any => (o.spec as Any).template.spec;
const names = (list: Any[]) => list.map((c) => c.name);


describe('applyStrategicMergePatch', () => {
  it('adds a container by name; the patched item comes first, the existing one keeps its fields (kubectl patch docs)', () => {
    const out = applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } }, 'Deployment');
    const containers = podSpec(out).containers;
    expect(names(containers)).toEqual(['patch-demo-ctr-2', 'patch-demo-ctr']);
    expect(containers[0]).toEqual({ name: 'patch-demo-ctr-2', image: 'redis' });
    expect(containers[1].image).toBe('nginx');
    expect(containers[1].env).toHaveLength(2);
  });

  it('replaces a list without a patch strategy (tolerations, kubectl patch docs)', () => {
    const out = applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { tolerations: [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }] } } } }, 'Deployment');
    expect(podSpec(out).tolerations).toEqual([{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }]);
  });

  it('merges an existing container in place by name, env by name and ports by containerPort', () => {
    const out = applyStrategicMergePatch(
      patchDemo(),
      { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', image: 'nginx:1.27', env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }], ports: [{ containerPort: 443, name: 'https' }] }] } } } },
      'Deployment',
    );
    const [c] = podSpec(out).containers;
    expect(c.image).toBe('nginx:1.27');
    expect(c.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'C', value: '3' }]);
    expect(c.ports).toEqual([{ containerPort: 80 }, { containerPort: 443, name: 'https' }]);
  });

  it('$retainKeys drops the keys it does not list (kubectl patch docs, strategy Recreate)', () => {
    const withRetain = applyStrategicMergePatch(patchDemo(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, 'Deployment');
    expect((withRetain.spec as Any).strategy).toEqual({ type: 'Recreate' });
    const without = applyStrategicMergePatch(patchDemo(), { spec: { strategy: { type: 'Recreate' } } }, 'Deployment');
    expect((without.spec as Any).strategy).toEqual({ type: 'Recreate', rollingUpdate: { maxSurge: '30%' } });
    const err = apiError(() => applyStrategicMergePatch(patchDemo(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, 'Deployment'));
    expect(err.code).toBe(422);
  });

  it('$patch: delete removes a list item by merge key, and a map', () => {
    const out = applyStrategicMergePatch(
      patchDemo(),
      { spec: { strategy: { rollingUpdate: { $patch: 'delete' } }, template: { spec: { containers: [{ name: 'patch-demo-ctr', env: [{ name: 'A', $patch: 'delete' }] }] } } } },
      'Deployment',
    );
    expect(podSpec(out).containers[0].env).toEqual([{ name: 'B', value: '2' }]);
    expect((out.spec as Any).strategy).toEqual({ type: 'RollingUpdate' });
    const gone = applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', $patch: 'delete' }] } } } }, 'Deployment');
    expect(podSpec(gone).containers).toEqual([]);
  });

  it('$patch: replace replaces a whole list or a whole map', () => {
    const list = applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'busybox' }] } } } }, 'Deployment');
    expect(podSpec(list).containers).toEqual([{ name: 'only', image: 'busybox' }]);
    const map = applyStrategicMergePatch(patchDemo(), { spec: { template: { metadata: { labels: { $patch: 'replace', tier: 'web' } } } } }, 'Deployment');
    expect((map.spec as Any).template.metadata.labels).toEqual({ tier: 'web' });
  });

  it('finalizers form a union; $deleteFromPrimitiveList removes values', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a', 'b'] }, data: { x: '1', y: '2' } };
    const added = applyStrategicMergePatch(cm, { metadata: { finalizers: ['b', 'c'] } }, 'ConfigMap');
    expect([...added.metadata.finalizers!].sort()).toEqual(['a', 'b', 'c']);
    const removed = applyStrategicMergePatch(cm, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, 'ConfigMap');
    expect(removed.metadata.finalizers).toEqual(['b']);
    const data = applyStrategicMergePatch(cm, { data: { x: null, z: '3' } }, 'ConfigMap');
    expect(data.data).toEqual({ y: '2', z: '3' });
  });

  it('$setElementOrder orders a merged list', () => {
    const two = applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { containers: [{ name: 'b', image: 'redis' }] } } } }, 'Deployment');
    const out = applyStrategicMergePatch(two, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'patch-demo-ctr' }, { name: 'b' }] } } } }, 'Deployment');
    expect(names(podSpec(out).containers)).toEqual(['patch-demo-ctr', 'b']);
  });

  it('Service ports merge by port; ownerReferences by uid', () => {
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' }] },
      spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'a' } },
    };
    const out = applyStrategicMergePatch(svc, { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'q', uid: 'u2' }] }, spec: { ports: [{ port: 80, name: 'http' }, { port: 443 }] } }, 'Service');
    expect((out.spec as Any).ports).toEqual([{ port: 80, targetPort: 8080, name: 'http' }, { port: 443 }]);
    expect(out.metadata.ownerReferences!.map((r) => r.uid)).toEqual(['u2', 'u1']);
  });

  it('Pod spec and CronJob job templates are found by kind', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } };
    expect(names((applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'b', image: 'y' }] } }, 'Pod').spec as Any).containers)).toEqual(['b', 'a']);
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } } } };
    const out = applyStrategicMergePatch(cron, { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'z' }] } } } } } }, 'CronJob');
    expect((out.spec as Any).jobTemplate.spec.template.spec.containers).toEqual([{ name: 'a', image: 'z' }]);
  });

  it('applies the three-way patch kubectl apply sends ($setElementOrder, $patch: delete in nested lists)', () => {
    const live = applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }, { name: 'extra', image: 'redis' }] } } } }, 'Deployment');
    const fromKubectl = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'patch-demo-ctr' }],
            containers: [
              { '$setElementOrder/env': [{ name: 'B' }], env: [{ $patch: 'delete', name: 'A' }, { name: 'B', value: 'two' }], image: 'nginx:1.28', name: 'patch-demo-ctr' },
              { $patch: 'delete', name: 'sidecar' },
            ],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(live, fromKubectl, 'Deployment');
    const containers = podSpec(out).containers;
    expect(names(containers)).toEqual(['extra', 'patch-demo-ctr']);
    expect(containers[1]).toMatchObject({ image: 'nginx:1.28', env: [{ name: 'B', value: 'two' }] });
  });

  it('$retainKeys inside a volume switches its source (volumes are merge,retainKeys)', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }] } };
    const out = applyStrategicMergePatch(pod, { spec: { volumes: [{ $retainKeys: ['name', 'secret'], name: 'data', secret: { secretName: 's' } }] } }, 'Pod');
    expect((out.spec as Any).volumes).toEqual([
      { name: 'data', secret: { secretName: 's' } },
      { name: 'cfg', configMap: { name: 'c' } },
    ]);
  });

  it('errors like kube-apiserver', () => {
    const notObject = apiError(() => applyStrategicMergePatch(patchDemo(), [{ op: 'add' }], 'Deployment'));
    expect([notObject.code, notObject.reason]).toEqual([400, 'BadRequest']);
    const noKey = apiError(() => applyStrategicMergePatch(patchDemo(), { spec: { template: { spec: { volumes: [{ hostPath: { path: '/var/lib' } }] } } } }, 'Deployment'));
    expect(noKey.code).toBe(500);
    expect(noKey.message).toBe('map: map[hostPath:map[path:/var/lib]] does not contain declared merge key: name');
  });

  it('never mutates its input', () => {
    const input = patchDemo();
    const snapshot = structuredClone(input);
    applyStrategicMergePatch(input, { spec: { replicas: 5, template: { spec: { containers: [{ name: 'patch-demo-ctr', image: 'x' }] } } } }, 'Deployment');
    expect(input).toEqual(snapshot);
  });
});
