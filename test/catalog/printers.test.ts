// Table output, JSONPath and AGE formatting, against what kubectl shows for the same objects.
import { describe, expect, it } from 'vitest';
import { builtinResourceTypes } from '../../harness/controlplane/catalog/index.ts';
import { evaluateJsonPath, humanDuration, toTable } from '../../harness/controlplane/printers/index.ts';
import type { KubeObject, ResourceType } from '../../harness/controlplane/types.ts';

const types = builtinResourceTypes();
const rtOf = (group: string, resource: string) => types.find((t) => t.group === group && t.resource === resource)!;
const NOW = new Date('2026-01-10T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

type Table = { kind: string; apiVersion: string; metadata: Record<string, unknown>; columnDefinitions: Array<{ name: string; type: string; format: string; priority: number }>; rows: Array<{ cells: unknown[]; object?: KubeObject }> };

describe('humanDuration (AGE)', () => {
  it.each([
    [0, '0s'], [-800, '0s'], [-3000, '<invalid>'], [5_000, '5s'], [119_000, '119s'], [120_000, '2m'], [200_000, '3m20s'],
    [9 * 60_000, '9m'], [15 * 60_000, '15m'], [179 * 60_000, '179m'], [3 * 3600_000, '3h'], [5.5 * 3600_000, '5h30m'],
    [10 * 3600_000, '10h'], [47 * 3600_000, '47h'], [2 * 86400_000, '2d'], [(2 * 24 + 4) * 3600_000, '2d4h'],
    [10 * 86400_000, '10d'], [400 * 86400_000, '400d'], [(2 * 365 + 10) * 86400_000, '2y10d'], [9 * 365 * 86400_000, '9y'],
  ])('%i ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('JSONPath subset', () => {
  const obj = {
    metadata: { name: 'w1', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: { items: [{ name: 'a', port: 80 }, { name: 'b', port: 443 }] },
    status: { phase: 'Ready', conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True', reason: 'Ok' }] },
  };
  it.each([
    ['.status.phase', ['Ready']],
    ['{.status.phase}', ['Ready']],
    ['$.status.phase', ['Ready']],
    ['.spec.items[0].name', ['a']],
    ['.spec.items[-1].port', [443]],
    ['.spec.items[*].name', ['a', 'b']],
    ['.spec.items[5].name', []],
    ['.status.missing', []],
    [".metadata.labels['app.kubernetes.io/name']", ['web']],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['web']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.status.conditions[?(@.type!="Ready")].type', ['Synced']],
    ['.spec.items[?(@.port>100)].name', ['b']],
    ['.status.conditions[?(@.reason)].type', ['Ready']],
    ['..name', ['w1', 'a', 'b']],
  ])('%s', (path, want) => {
    expect(evaluateJsonPath(path, obj)).toEqual(want);
  });
  it('rejects malformed paths', () => {
    expect(() => evaluateJsonPath('.spec.items[abc]', obj)).toThrow();
    expect(() => evaluateJsonPath('.spec.items[0', obj)).toThrow();
  });
});

function pod(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: ago(5 * 60_000), labels: { app: 'x' } },
    spec: { containers: [{ name: 'main', image: 'busybox' }, { name: 'side', image: 'envoy' }], nodeName: 'node-1' },
    ...extra,
  };
}

describe('toTable', () => {
  it('prints pods with kubectl columns: NAME READY STATUS RESTARTS AGE, IP/NODE at priority 1', () => {
    const running = pod('web', {
      status: {
        phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }],
        containerStatuses: [
          { name: 'main', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: ago(60_000), exitCode: 1 } } },
          { name: 'side', ready: false, restartCount: 0, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    });
    const pending = pod('new', { spec: { containers: [{ name: 'main', image: 'x' }] }, status: { phase: 'Pending' } });
    const table = toTable(rtOf('', 'pods'), [running, pending], { listResourceVersion: '42', now: NOW }) as unknown as Table;
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '42' });
    const cols = table.columnDefinitions;
    expect(cols.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase())).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(cols.filter((c) => c.priority === 1).map((c) => c.name.toUpperCase())).toEqual(['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(cols[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name' });
    const cell = (row: number, name: string) => table.rows[row].cells[cols.findIndex((c) => c.name === name)];
    expect([cell(0, 'Name'), cell(0, 'Ready'), cell(0, 'Status'), cell(0, 'Restarts'), cell(0, 'Age')]).toEqual(['web', '1/2', 'CrashLoopBackOff', '2 (60s ago)', '5m']);
    expect([cell(0, 'IP'), cell(0, 'Node'), cell(0, 'Nominated Node')]).toEqual(['10.0.0.5', 'node-1', '<none>']);
    expect([cell(1, 'Ready'), cell(1, 'Status'), cell(1, 'Restarts'), cell(1, 'IP')]).toEqual(['0/1', 'Pending', '0', '<none>']);
    // Default includeObject=Metadata: PartialObjectMetadata rows (kubectl reads labels/namespace from them).
    expect(table.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: running.metadata });
  });

  it('derives pod STATUS like kubectl for init containers, completion and deletion', () => {
    const rt = rtOf('', 'pods');
    const status = (p: KubeObject) => {
      const t = toTable(rt, [p], { now: NOW }) as unknown as Table;
      return t.rows[0].cells[t.columnDefinitions.findIndex((c) => c.name === 'Status')];
    };
    expect(status(pod('a', { spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'm' }] }, status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] } }))).toBe('Init:1/2');
    expect(status(pod('b', { status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'ImagePullBackOff' } } }] } }))).toBe('Init:ImagePullBackOff');
    expect(status(pod('c', { status: { phase: 'Succeeded', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } }))).toBe('Completed');
    expect(status(pod('d', { status: { phase: 'Failed', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 137 } } }] } }))).toBe('ExitCode:137');
    expect(status(pod('e', { metadata: { name: 'e', deletionTimestamp: ago(1000) }, status: { phase: 'Running' } }))).toBe('Terminating');
  });

  it('prints deployments as NAME READY UP-TO-DATE AVAILABLE AGE', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'd', creationTimestamp: ago(3 * 86400_000) },
      spec: { replicas: 3, selector: { matchLabels: { app: 'api', tier: 'be' } }, template: { spec: { containers: [{ name: 'api', image: 'api:1' }, { name: 'proxy', image: 'envoy:2' }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    const t = toTable(rtOf('apps', 'deployments'), [d], { now: NOW }) as unknown as Table;
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase())).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name.toUpperCase())).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(t.rows[0].cells).toEqual(['api', '2/3', 3, 2, '3d', 'api,proxy', 'api:1,envoy:2', 'app=api,tier=be']);
  });

  it('prints the other common kinds with kubectl columns', () => {
    const base = (kind: string, apiVersion: string, extra: Record<string, unknown>) => ({ apiVersion, kind, metadata: { name: 'x', creationTimestamp: ago(30_000) }, ...extra }) as KubeObject;
    const row = (group: string, resource: string, o: KubeObject) => {
      const t = toTable(rtOf(group, resource), [o], { now: NOW }) as unknown as Table;
      return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), t.rows[0].cells[i]]));
    };
    expect(row('', 'namespaces', base('Namespace', 'v1', { status: { phase: 'Active' } }))).toEqual({ NAME: 'x', STATUS: 'Active', AGE: '30s' });
    expect(row('', 'secrets', base('Secret', 'v1', { type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } }))).toEqual({ NAME: 'x', TYPE: 'Opaque', DATA: 2, AGE: '30s' });
    expect(row('', 'configmaps', base('ConfigMap', 'v1', { data: { a: '1' }, binaryData: { b: 'AA==' } }))).toEqual({ NAME: 'x', DATA: 2, AGE: '30s' });
    expect(row('', 'serviceaccounts', base('ServiceAccount', 'v1', {}))).toEqual({ NAME: 'x', SECRETS: 0, AGE: '30s' });
    expect(row('', 'services', base('Service', 'v1', { spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'dns' } } }))).toEqual({
      NAME: 'x', TYPE: 'NodePort', 'CLUSTER-IP': '10.96.0.10', 'EXTERNAL-IP': '<none>', 'PORT(S)': '80:30080/TCP,53/UDP', AGE: '30s', SELECTOR: 'app=dns',
    });
    expect(row('batch', 'jobs', base('Job', 'batch/v1', { spec: { completions: 1, template: { spec: { containers: [] } } }, status: { succeeded: 1, startTime: ago(20_000), completionTime: ago(8_000), conditions: [{ type: 'Complete', status: 'True' }] } }))).toMatchObject({
      NAME: 'x', STATUS: 'Complete', COMPLETIONS: '1/1', DURATION: '12s', AGE: '30s',
    });
    expect(row('rbac.authorization.k8s.io', 'rolebindings', base('RoleBinding', 'rbac.authorization.k8s.io/v1', { roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }, { kind: 'User', name: 'alice' }] }))).toEqual({
      NAME: 'x', ROLE: 'ClusterRole/edit', AGE: '30s', USERS: 'alice', GROUPS: '', SERVICEACCOUNTS: 'ns/sa',
    });
    expect(row('rbac.authorization.k8s.io', 'roles', base('Role', 'rbac.authorization.k8s.io/v1', {}))).toEqual({ NAME: 'x', 'CREATED AT': ago(30_000).replace('.000Z', 'Z') });
    expect(row('apiextensions.k8s.io', 'customresourcedefinitions', base('CustomResourceDefinition', 'apiextensions.k8s.io/v1', {}))).toEqual({ NAME: 'x', 'CREATED AT': ago(30_000).replace('.000Z', 'Z') });
    expect(row('coordination.k8s.io', 'leases', base('Lease', 'coordination.k8s.io/v1', { spec: { holderIdentity: 'op-1' } }))).toEqual({ NAME: 'x', HOLDER: 'op-1', AGE: '30s' });
    expect(row('', 'nodes', base('Node', 'v1', { metadata: { name: 'n', creationTimestamp: ago(30_000), labels: { 'node-role.kubernetes.io/control-plane': '' } }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.33.0' } } }))).toMatchObject({
      NAME: 'n', STATUS: 'Ready', ROLES: 'control-plane', VERSION: 'v1.33.0',
    });
    const ev = row('', 'events', base('Event', 'v1', { involvedObject: { kind: 'Pod', name: 'web' }, type: 'Normal', reason: 'Started', message: ' Started container ', lastTimestamp: ago(10_000), firstTimestamp: ago(40_000), count: 3 }));
    expect(ev).toMatchObject({ 'LAST SEEN': '10s', TYPE: 'Normal', REASON: 'Started', OBJECT: 'pod/web', MESSAGE: 'Started container', 'FIRST SEEN': '40s', COUNT: 3, NAME: 'x' });
  });

  it('uses CRD additionalPrinterColumns (JSONPath, typed cells) and defaults to AGE only', () => {
    const crdType: ResourceType = {
      group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', listKind: 'WidgetList', singular: 'widget', namespaced: true,
      verbs: ['get', 'list'], subresources: [], custom: true,
      printerColumns: [
        { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
        { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio', priority: 1 },
        { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
        { name: 'Ports', type: 'string', jsonPath: '.spec.ports' },
        { name: 'Started', type: 'date', jsonPath: '.status.startTime' },
      ],
    };
    const w: KubeObject = {
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'n', creationTimestamp: ago(60_000) },
      spec: { size: 3.0, ratio: 0.5, paused: false, ports: [80, 443] },
      status: { phase: 'Running', startTime: ago(2 * 3600_000), conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const t = toTable(crdType, [w, { ...w, metadata: { name: 'w2' }, spec: {}, status: {} }], { now: NOW, includeObject: 'Object' }) as unknown as Table;
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0], ['Phase', 'string', 0], ['Ready', 'string', 0], ['Size', 'integer', 0], ['Ratio', 'number', 1], ['Paused', 'boolean', 0], ['Ports', 'string', 0], ['Started', 'date', 0],
    ]);
    expect(t.rows[0].cells).toEqual(['w1', 'Running', 'True', 3, 0.5, false, '[80,443]', '120m']);
    expect(t.rows[1].cells).toEqual(['w2', null, null, null, null, null, null, null]);
    expect(t.rows[0].object).toBe(w);

    const plain = toTable({ ...crdType, printerColumns: undefined }, [w], { now: NOW, includeObject: 'None', continue: 'tok' }) as unknown as Table;
    expect(plain.columnDefinitions.map((c) => [c.name, c.type])).toEqual([['Name', 'string'], ['Age', 'date']]);
    expect(plain.rows[0]).toEqual({ cells: ['w1', '60s'] });
    expect(plain.metadata).toEqual({ continue: 'tok' });
  });
});
