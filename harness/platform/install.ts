// Installs what the platform's programs need on any API server, with an admin kubeconfig: the
// CRDs and RBAC — the platform checkout's own (--platform-dir: its rendered overlay) or, without
// one, the harness-authored ones (fixtures/) — the platform namespace, the backend/operator/
// test-user ServiceAccounts, and bearer-token kubeconfigs for them (minted by TokenRequest).
// Every object carries the run label; an object that already exists and was not made by the
// harness is left as it is, and what this run created is listed so it can be deleted again.
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubernetesObjectApi, loadAllYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { PROJECT_ROOT } from '../bundle/bundle.mjs';
import { BACKEND_NAMESPACE, BACKEND_SA, LABEL_HARNESS_RUN, LABEL_MANAGED, OPERATOR_SA } from './contract.ts';
import { apiCode, describeError, kubeconfigYamlForToken } from './kube.ts';
import type { PlatformManifests } from './local/checkout.ts';

export const FIXTURES_DIR = path.join(PROJECT_ROOT, 'fixtures');
export const TEST_USER_SA = 'test-user';

export interface InstallOptions {
  adminKc: KubeConfig;
  /** Directory with CRDs to use instead of fixtures/crds (ignored when `manifests` is given). */
  crdDir?: string;
  /** The platform checkout's CRDs, RBAC and namespace (`--platform-dir`). */
  manifests?: PlatformManifests;
  backendNamespace?: string;
  /** Where kubeconfig files are written. */
  outDir: string;
  /** Token lifetime for the SA kubeconfigs. */
  tokenSeconds?: number;
  /** Value of the run label on every object installed. */
  runId?: string;
  /** Filled, as it goes, with the objects this install created (not those it found): a failed install can be undone too. */
  created?: KubernetesObject[];
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

/**
 * Creates `obj` with the run label. When it exists: replaced if the harness made it (it carries a
 * run label, of any run), otherwise kept — a cluster's own platform objects are never overwritten.
 */
export async function ensureObject(api: KubernetesObjectApi, obj: KubernetesObject, runId: string): Promise<'created' | 'replaced' | 'kept'> {
  const labelled = { ...obj, metadata: { ...obj.metadata, labels: { ...(obj.metadata?.labels ?? {}), [LABEL_HARNESS_RUN]: runId } } };
  try {
    await api.create(labelled);
    return 'created';
  } catch (err) {
    if (apiCode(err) !== 409) throw new Error(`create ${obj.kind} ${obj.metadata?.name}: ${describeError(err)}`);
  }
  const live = (await api.read({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace } } as never)) as KubernetesObject;
  if (!live.metadata?.labels?.[LABEL_HARNESS_RUN]) return 'kept';
  await api.replace({ ...labelled, metadata: { ...labelled.metadata, resourceVersion: live.metadata?.resourceVersion } });
  return 'replaced';
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

const sa = (name: string, namespace: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
const clusterRoleBinding = (name: string, role: string, saName: string, namespace: string): KubernetesObject =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: saName, namespace }],
  }) as KubernetesObject;

export async function installReferencePlatform(opts: InstallOptions): Promise<InstalledPlatform> {
  const kc = opts.adminKc;
  const m = opts.manifests;
  const ns = m?.namespace ?? opts.backendNamespace ?? BACKEND_NAMESPACE;
  const runId = opts.runId ?? 'installed';
  const api = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const created = opts.created ?? [];
  const ensure = async (o: KubernetesObject) => {
    if ((await ensureObject(api, o, runId)) === 'created') created.push(o);
  };

  const crds = m ? (m.crds as KubernetesObject[]) : (await yamlDocs(opts.crdDir ?? path.join(FIXTURES_DIR, 'crds'))).filter((d) => d.kind === 'CustomResourceDefinition');
  for (const c of crds) await ensure(c);
  await waitEstablished(kc, crds.map((c) => c.metadata?.name ?? ''));
  await ensure({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [LABEL_MANAGED]: 'true' } } });
  // The harness's roles first (self reviews for every caller, the reference platform's roles);
  // a checkout's own RBAC then replaces those of the same name.
  for (const o of await yamlDocs(path.join(FIXTURES_DIR, 'rbac'))) await ensure(o);
  const backendSa = m?.programs.backend.serviceAccount ?? BACKEND_SA;
  const operatorSa = m?.programs.operator.serviceAccount ?? OPERATOR_SA;
  if (m) {
    for (const o of m.rbac as KubernetesObject[]) await ensure(o);
  } else {
    for (const [name, role] of [[BACKEND_SA, 'backend-api'], [OPERATOR_SA, 'agentic-operator']]) {
      await ensure(sa(name, ns));
      await ensure(clusterRoleBinding(`${name}-${role}`, role, name, ns));
    }
  }
  await ensure(sa(TEST_USER_SA, ns));
  await ensure(clusterRoleBinding(`${TEST_USER_SA}-cluster-admin`, 'cluster-admin', TEST_USER_SA, ns));

  const seconds = opts.tokenSeconds ?? 24 * 3600;
  await mkdir(opts.outDir, { recursive: true });
  const backendKubeconfigPath = path.join(opts.outDir, 'backend-api.kubeconfig');
  const operatorKubeconfigPath = path.join(opts.outDir, 'agentic-operator.kubeconfig');
  await writeFile(backendKubeconfigPath, kubeconfigYamlForToken(kc, await mintToken(core, ns, backendSa, seconds), backendSa), { mode: 0o600 });
  await writeFile(operatorKubeconfigPath, kubeconfigYamlForToken(kc, await mintToken(core, ns, operatorSa, seconds), operatorSa), { mode: 0o600 });
  return { backendNamespace: ns, backendKubeconfigPath, operatorKubeconfigPath, testUserToken: await mintToken(core, ns, TEST_USER_SA, seconds) };
}

/** Deletes what an install created, newest first (an API server that outlives the run). Never throws; returns the problems. */
export async function uninstall(kc: KubeConfig, created: KubernetesObject[]): Promise<string[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const problems: string[] = [];
  for (const o of [...created].reverse()) {
    try {
      await api.delete(o);
    } catch (err) {
      if (apiCode(err) !== 404) problems.push(`${o.kind} ${o.metadata?.name}: ${describeError(err)}`);
    }
  }
  return problems;
}
