// Installs what the reference platform needs on any cluster, with an admin kubeconfig: the
// harness-authored CRDs and RBAC (fixtures/), the backend namespace, the backend/operator/test-user
// ServiceAccounts with their ClusterRoleBindings, and bearer-token kubeconfigs for them (minted by
// TokenRequest). The embedded target calls this before starting the backend and operator.
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubernetesObjectApi, loadAllYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { PROJECT_ROOT } from '../bundle/bundle.mjs';
import { BACKEND_NAMESPACE, BACKEND_SA, LABEL_MANAGED, OPERATOR_SA } from './contract.ts';
import { apiCode, describeError, kubeconfigYamlForToken } from './kube.ts';

export const FIXTURES_DIR = path.join(PROJECT_ROOT, 'fixtures');
export const TEST_USER_SA = 'test-user';

export interface InstallOptions {
  adminKc: KubeConfig;
  /** Directory with the platform's own CRDs instead of fixtures/crds (`--platform-dir`). */
  crdDir?: string;
  backendNamespace?: string;
  /** Where kubeconfig files are written. */
  outDir: string;
  /** Token lifetime for the SA kubeconfigs. */
  tokenSeconds?: number;
}

export interface InstalledPlatform {
  backendNamespace: string;
  backendKubeconfigPath: string;
  operatorKubeconfigPath: string;
  /** Token of SA `test-user` (cluster-admin, like the kind overlay's test user). Never log it. */
  testUserToken: string;
}

async function yamlDocs(dir: string): Promise<KubernetesObject[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const docs: KubernetesObject[] = [];
  for (const f of files) docs.push(...(loadAllYaml(await readFile(path.join(dir, f), 'utf8')) as KubernetesObject[]).filter(Boolean));
  return docs;
}

/** create, or replace on 409 (keeps the live resourceVersion). */
export async function applyObject(api: KubernetesObjectApi, obj: KubernetesObject): Promise<void> {
  try {
    await api.create(obj);
  } catch (err) {
    if (apiCode(err) !== 409) throw new Error(`create ${obj.kind} ${obj.metadata?.name}: ${describeError(err)}`);
    const live = await api.read({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace } } as never);
    await api.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: (live as KubernetesObject).metadata?.resourceVersion } });
  }
}

async function waitEstablished(kc: KubeConfig, names: string[], timeoutMs = 15_000): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await ext.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function mintToken(core: CoreV1Api, namespace: string, sa: string, seconds: number): Promise<string> {
  const tr = await core.createNamespacedServiceAccountToken({ namespace, name: sa, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: seconds } } });
  if (!tr.status?.token) throw new Error(`TokenRequest for ${namespace}/${sa} returned no token`);
  return tr.status.token;
}

export async function installReferencePlatform(opts: InstallOptions): Promise<InstalledPlatform> {
  const kc = opts.adminKc;
  const ns = opts.backendNamespace ?? BACKEND_NAMESPACE;
  const api = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);

  const crds = await yamlDocs(opts.crdDir ?? path.join(FIXTURES_DIR, 'crds'));
  for (const c of crds.filter((d) => d.kind === 'CustomResourceDefinition')) await applyObject(api, c);
  await waitEstablished(kc, crds.filter((d) => d.kind === 'CustomResourceDefinition').map((c) => c.metadata?.name ?? ''));
  for (const o of await yamlDocs(path.join(FIXTURES_DIR, 'rbac'))) await applyObject(api, o);

  try {
    await core.createNamespace({ body: { metadata: { name: ns, labels: { [LABEL_MANAGED]: 'true' } } } });
  } catch (err) {
    if (apiCode(err) !== 409) throw err;
  }
  const bindings: [string, string][] = [
    [BACKEND_SA, 'backend-api'],
    [OPERATOR_SA, 'agentic-operator'],
    [TEST_USER_SA, 'cluster-admin'],
  ];
  for (const [sa, role] of bindings) {
    try {
      await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa, namespace: ns } } });
    } catch (err) {
      if (apiCode(err) !== 409) throw err;
    }
    await applyObject(api, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${sa}-${role}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    } as KubernetesObject);
  }
  const seconds = opts.tokenSeconds ?? 24 * 3600;
  await mkdir(opts.outDir, { recursive: true });
  const backendKubeconfigPath = path.join(opts.outDir, 'backend-api.kubeconfig');
  const operatorKubeconfigPath = path.join(opts.outDir, 'agentic-operator.kubeconfig');
  await writeFile(backendKubeconfigPath, kubeconfigYamlForToken(kc, await mintToken(core, ns, BACKEND_SA, seconds), BACKEND_SA), { mode: 0o600 });
  await writeFile(operatorKubeconfigPath, kubeconfigYamlForToken(kc, await mintToken(core, ns, OPERATOR_SA, seconds), OPERATOR_SA), { mode: 0o600 });
  return { backendNamespace: ns, backendKubeconfigPath, operatorKubeconfigPath, testUserToken: await mintToken(core, ns, TEST_USER_SA, seconds) };
}
