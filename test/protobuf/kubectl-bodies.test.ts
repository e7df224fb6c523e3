// Real kubectl bodies: kubectl 1.33 (picked by /version minor 33) sends protobuf, kubectl 1.31 sends
// JSON for the same commands. The decoded protobuf must equal a hand-written expectation and,
// up to Go's JSON nulls and empty structs, the JSON body of the older kubectl.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtobuf } from '../../harness/controlplane/protobuf/index.ts';
import { startCaptureServer, type Captured, type CaptureServer } from './capture-server.ts';

const run = promisify(execFile);
const kubectlPath = (process.env.PATH ?? '').split(':').map((d) => `${d}/kubectl`).find((p) => existsSync(p));

interface Case { args: string[]; path: string; expected: Record<string, unknown> }

const CASES: Case[] = [
  {
    args: ['create', 'configmap', 'cm1', '--from-literal=a=b', '--from-literal=empty='],
    path: '/api/v1/namespaces/team-a/configmaps',
    expected: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b', empty: '' } },
  },
  {
    args: ['create', 'secret', 'generic', 's1', '--from-literal=token=fake-value'],
    path: '/api/v1/namespaces/team-a/secrets',
    expected: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { token: Buffer.from('fake-value').toString('base64') } },
  },
  {
    args: ['create', 'token', 'runner', '--audience', 'api', '--duration', '10m'],
    path: '/api/v1/namespaces/team-a/serviceaccounts/runner/token',
    expected: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['api'], expirationSeconds: 600 } },
  },
  {
    args: ['create', 'token', 'runner', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1', '--bound-object-uid', 'uid-1'],
    path: '/api/v1/namespaces/team-a/serviceaccounts/runner/token',
    expected: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'uid-1' } } },
  },
  {
    args: ['auth', 'can-i', 'create', 'pods'],
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    expected: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { namespace: 'team-a', verb: 'create', resource: 'pods' } }, status: { allowed: false } },
  },
  {
    args: ['auth', 'can-i', 'get', '/healthz'],
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    expected: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } }, status: { allowed: false } },
  },
  {
    args: ['auth', 'can-i', '--list'],
    path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    expected: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'team-a' }, status: { incomplete: false } },
  },
  {
    args: ['auth', 'whoami'],
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    expected: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} },
  },
  {
    args: ['create', 'namespace', 'ns1'],
    path: '/api/v1/namespaces',
    expected: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } },
  },
  {
    args: ['create', 'deployment', 'd1', '--image=example.invalid/img:1', '--replicas=2', '--port=8080'],
    path: '/apis/apps/v1/namespaces/team-a/deployments',
    expected: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1', labels: { app: 'd1' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'img', image: 'example.invalid/img:1', ports: [{ containerPort: 8080 }] }] } } },
    },
  },
  {
    args: ['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'],
    path: '/apis/batch/v1/namespaces/team-a/jobs',
    expected: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j1' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j1', image: 'busybox', command: ['echo', 'hi'] }] } } } },
  },
  {
    args: ['create', 'role', 'r1', '--verb=get,list', '--resource=pods'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles',
    expected: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r1' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] },
  },
  {
    args: ['create', 'rolebinding', 'rb1', '--role=r1', '--user=alice', '--serviceaccount=team-a:runner'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings',
    expected: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb1' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }, { kind: 'ServiceAccount', name: 'runner', namespace: 'team-a' }],
    },
  },
  {
    args: ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080'],
    path: '/api/v1/namespaces/team-a/services',
    expected: {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc1', labels: { app: 'svc1' } },
      spec: { type: 'ClusterIP', ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc1' } },
    },
  },
];

/** Go's JSON writes nulls, "" and empty structs that carry no information; drop them to compare. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n === null || n === '' || (typeof n === 'object' && !Array.isArray(n) && Object.keys(n as object).length === 0)) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}

function decodeCaptured(c: Captured): Record<string, unknown> {
  return c.contentType.startsWith('application/vnd.kubernetes.protobuf') ? decodeProtobuf(c.body) : JSON.parse(c.body.toString('utf8'));
}

async function captureAll(server: CaptureServer): Promise<Array<Captured | undefined>> {
  const out: Array<Captured | undefined> = [];
  for (const c of CASES) {
    server.captured.length = 0;
    await run('kubectl', ['--kubeconfig', server.kubeconfig, ...c.args], { env: { ...process.env, KUBECACHEDIR: server.cacheDir }, timeout: 30_000 });
    out.push(server.captured.find((x) => x.path === c.path));
  }
  return out;
}

describe.skipIf(!kubectlPath)('bodies sent by real kubectl', () => {
  let pbServer: CaptureServer;
  let jsonServer: CaptureServer;
  let pb: Array<Captured | undefined> = [];
  let json: Array<Captured | undefined> = [];

  beforeAll(async () => {
    [pbServer, jsonServer] = await Promise.all([startCaptureServer('33'), startCaptureServer('31')]);
    [pb, json] = await Promise.all([captureAll(pbServer), captureAll(jsonServer)]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([pbServer?.close(), jsonServer?.close()]);
  });

  CASES.forEach((c, i) => {
    it(`kubectl ${c.args.slice(0, 3).join(' ')}`, () => {
      const body = pb[i];
      expect(body, 'kubectl 1.33 sent no body').toBeDefined();
      expect(body!.contentType).toBe('application/vnd.kubernetes.protobuf');
      const decoded = decodeProtobuf(body!.body);
      expect(decoded).toEqual(c.expected);
      expect(json[i], 'kubectl 1.31 sent no body').toBeDefined();
      expect(normalize(decoded)).toEqual(normalize(decodeCaptured(json[i]!)));
    });
  });
});
