// Test helper: a throwaway HTTPS server that answers just enough (/version, aggregated discovery)
// for kubectl's typed `create`/`auth` commands and records the raw body of every write.
// `/version` picks the kubectl binary through the dispatcher: minor 33 → protobuf, 31 → JSON.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { decodeProtobuf } from '../../harness/controlplane/protobuf/index.ts';

export interface Captured { method: string; path: string; contentType: string; body: Buffer }

type Res = { resource: string; kind: string; scope: 'Namespaced' | 'Cluster'; verbs?: string[]; subresources?: Array<{ subresource: string; kind: string; group: string }> };

const ALL = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const GROUPS: Record<string, Res[]> = {
  '': [
    { resource: 'configmaps', kind: 'ConfigMap', scope: 'Namespaced' },
    { resource: 'secrets', kind: 'Secret', scope: 'Namespaced' },
    { resource: 'namespaces', kind: 'Namespace', scope: 'Cluster' },
    { resource: 'pods', kind: 'Pod', scope: 'Namespaced' },
    { resource: 'services', kind: 'Service', scope: 'Namespaced' },
    { resource: 'serviceaccounts', kind: 'ServiceAccount', scope: 'Namespaced', subresources: [{ subresource: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io' }] },
  ],
  apps: [{ resource: 'deployments', kind: 'Deployment', scope: 'Namespaced' }],
  batch: [
    { resource: 'jobs', kind: 'Job', scope: 'Namespaced' },
    { resource: 'cronjobs', kind: 'CronJob', scope: 'Namespaced' },
  ],
  'rbac.authorization.k8s.io': [
    { resource: 'roles', kind: 'Role', scope: 'Namespaced' },
    { resource: 'rolebindings', kind: 'RoleBinding', scope: 'Namespaced' },
    { resource: 'clusterroles', kind: 'ClusterRole', scope: 'Cluster' },
    { resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', scope: 'Cluster' },
  ],
  'authentication.k8s.io': [{ resource: 'selfsubjectreviews', kind: 'SelfSubjectReview', scope: 'Cluster', verbs: ['create'] }],
  'authorization.k8s.io': [
    { resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', scope: 'Cluster', verbs: ['create'] },
    { resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', scope: 'Cluster', verbs: ['create'] },
  ],
};

function discovery(groups: string[]): unknown {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g },
      versions: [{
        version: 'v1',
        freshness: 'Current',
        resources: GROUPS[g].map((r) => ({
          resource: r.resource,
          responseKind: { group: g, version: 'v1', kind: r.kind },
          scope: r.scope,
          singularResource: r.kind.toLowerCase(),
          verbs: r.verbs ?? ALL,
          subresources: (r.subresources ?? []).map((s) => ({ subresource: s.subresource, responseKind: { group: s.group, version: 'v1', kind: s.kind }, verbs: ['create'] })),
        })),
      }],
    })),
  };
}

/** What the fake server answers to a write: the decoded object plus a plausible status. */
function respond(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj, metadata: { ...(obj.metadata as object), creationTimestamp: '2026-01-01T00:00:00Z', uid: 'fake-uid' } };
  if (obj.kind === 'TokenRequest') out.status = { token: 'fake-token-not-a-secret', expirationTimestamp: '2026-01-01T01:00:00Z' };
  if (obj.kind === 'SelfSubjectAccessReview') out.status = { allowed: true };
  if (obj.kind === 'SelfSubjectRulesReview') out.status = { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: false };
  if (obj.kind === 'SelfSubjectReview') out.status = { userInfo: { username: 'tester', groups: ['system:authenticated'] } };
  return out;
}

export interface CaptureServer { url: string; minor: string; captured: Captured[]; kubeconfig: string; cacheDir: string; close(): Promise<void> }

export async function startCaptureServer(minor: string): Promise<CaptureServer> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 } as never);
  const captured: Captured[] = [];
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const json = (code: number, body: unknown, type = 'application/json') => {
        res.writeHead(code, { 'Content-Type': type });
        res.end(JSON.stringify(body));
      };
      const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
      if (req.method === 'GET' && url.pathname === '/version') return json(200, { major: '1', minor, gitVersion: `v1.${minor}.0`, platform: 'linux/amd64' });
      if (req.method === 'GET' && url.pathname === '/api') return json(200, discovery(['']), aggregated);
      if (req.method === 'GET' && url.pathname === '/apis') return json(200, discovery(Object.keys(GROUPS).filter((g) => g)), aggregated);
      if (req.method === 'POST' || req.method === 'PUT') {
        const body = Buffer.concat(chunks);
        const contentType = String(req.headers['content-type'] ?? '');
        captured.push({ method: req.method, path: url.pathname, contentType, body });
        try {
          const obj = contentType.startsWith('application/vnd.kubernetes.protobuf') ? decodeProtobuf(body) : JSON.parse(body.toString('utf8'));
          return json(201, respond(obj));
        } catch (err) {
          return json(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String((err as Error).message), reason: 'BadRequest', code: 400 });
        }
      }
      return json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'not found', reason: 'NotFound', code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-capture-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    'clusters: [{name: c, cluster: {server: "' + url + '", insecure-skip-tls-verify: true}}]',
    'users: [{name: u, user: {token: fake-test-token}}]',
    'contexts: [{name: c, context: {cluster: c, user: u, namespace: team-a}}]', '',
  ].join('\n'));
  return {
    url, minor, captured, kubeconfig, cacheDir: path.join(dir, 'cache'),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
