// Render + apply + wait-ready for the platform's kustomize overlays, on any target (kind, k3s,
// existing, and the embedded control plane in tests). Mirrors the platform's e2e deploy.sh, but the
// image swaps happen on parsed YAML and apply is server-side, with progress lines.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { ImageKey } from '../config.ts';
import { ConfigError, InfraError } from '../errors.ts';
import { progress } from '../report/progress.ts';
import { exec, processRunner, withFreshKubeCache, type ProcessRunner } from '../targets/exec.ts';
import { BACKEND_NAMESPACE, LABEL_HARNESS_RUN } from './contract.ts';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown }; [k: string]: unknown };

/** Keys of HarnessConfig.images -> the platform's image repository names (deploy.sh IMAGE_* variables). */
export const IMAGE_REPOS: Record<ImageKey, string> = {
  backend: 'quay.io/ambient_code/vteam_backend',
  frontend: 'quay.io/ambient_code/vteam_frontend',
  operator: 'quay.io/ambient_code/vteam_operator',
  runner: 'quay.io/ambient_code/vteam_claude_runner',
  stateSync: 'quay.io/ambient_code/vteam_state_sync',
  publicApi: 'quay.io/ambient_code/vteam_public_api',
  apiServer: 'quay.io/ambient_code/vteam_api_server',
};

/** The Deployments deploy.sh's wait-for-ready.sh requires before tests run. */
export const REQUIRED_DEPLOYMENTS = ['backend-api', 'agentic-operator', 'frontend'];
export const RUNNER_SECRET = 'ambient-runner-secrets';
/** Activates the runner's replay client instead of a real model (deploy.sh's mock mode). */
export const MOCK_API_KEY = 'mock-replay-key';

export interface KubectlTarget {
  kubeconfig: string;
  context?: string;
  /** kubectl discovery cache; a fresh temp dir when omitted. */
  cacheDir?: string;
  /** Where kubectl runs (tests stand in for it); the real process boundary when omitted. */
  runner?: ProcessRunner;
  /** Aborted on SIGINT: a running kubectl is ended. */
  signal?: AbortSignal;
}

export function kubectlArgs(k: KubectlTarget, args: string[]): string[] {
  return ['--kubeconfig', k.kubeconfig, ...(k.context ? ['--context', k.context] : []), ...args];
}

export function kubectl(k: KubectlTarget, args: string[], opts: { input?: string; timeoutMs?: number; allowFailure?: boolean } = {}) {
  const runner = k.runner ?? processRunner;
  const run = (cacheDir: string) => runner.exec('kubectl', kubectlArgs(k, args), { env: { ...process.env, KUBECACHEDIR: cacheDir, KUBECONFIG: k.kubeconfig }, signal: k.signal, ...opts });
  return k.cacheDir ? run(k.cacheDir) : withFreshKubeCache(run);
}

export function overlayDir(platformDir: string, overlay: string): string {
  return path.join(platformDir, 'components', 'manifests', 'overlays', overlay);
}

/** `kubectl kustomize <platformDir>/components/manifests/overlays/<overlay>` (offline; no cluster needed). */
export async function renderOverlay(platformDir: string, overlay = 'kind'): Promise<Manifest[]> {
  const dir = overlayDir(platformDir, overlay);
  if (!existsSync(path.join(dir, 'kustomization.yaml')) && !existsSync(path.join(dir, 'kustomization.yml'))) {
    throw new ConfigError(`no kustomize overlay at ${dir} (check --platform-dir and overlay)`);
  }
  progress(`rendering overlay ${overlay}`);
  // kubectl's version dispatcher may try to reach a server first; an unreachable kubeconfig keeps it offline.
  const r = await withFreshKubeCache((cacheDir) => exec('kubectl', ['kustomize', dir], { timeoutMs: 120_000, env: { ...process.env, KUBECACHEDIR: cacheDir } }));
  return parseManifests(r.stdout);
}

export function parseManifests(text: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new InfraError(`rendered manifests are not valid YAML: ${doc.errors[0].message}`);
    const obj = doc.toJS() as Manifest | null;
    if (obj && typeof obj === 'object' && obj.kind) out.push(obj);
  }
  return out;
}

export function toYaml(manifests: Manifest[]): string {
  return manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n');
}

/**
 * The deploy.sh `sed` swaps, on parsed objects: every string equal to, or containing, `<repo>:<tag>` of an
 * overridden image is rewritten (container images, operator env, the agent-registry ConfigMap JSON), and
 * containers running an overridden image get `imagePullPolicy: IfNotPresent` (images loaded into the node).
 */
export function applyImageOverrides(manifests: Manifest[], images: Record<string, string>): Manifest[] {
  const swaps = Object.entries(images).map(([key, image]) => {
    const repo = IMAGE_REPOS[key as ImageKey];
    if (!repo) throw new ConfigError(`unknown image key "${key}" (known: ${Object.keys(IMAGE_REPOS).join(', ')})`);
    return { pattern: new RegExp(`${repo.replace(/[.]/g, '\\.')}(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?`, 'g'), image };
  });
  if (!swaps.length) return manifests;
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') return swaps.reduce((s, { pattern, image }) => s.replace(pattern, image), value);
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = rewrite(v);
      // A container whose image was swapped must not be pulled from a registry.
      if (typeof out.image === 'string' && typeof out.name === 'string' && swaps.some((s) => s.image === out.image)) out.imagePullPolicy = 'IfNotPresent';
      return out;
    }
    return value;
  };
  return manifests.map((m) => rewrite(m) as Manifest);
}

/**
 * Secrets' `stringData` written as `data`: the stored Secret is the same, but server-side apply of
 * stringData is never a no-op on kube-apiserver (the object always differs from what is stored, so
 * every apply in a new second writes a new resourceVersion; kubernetes/kubernetes#96841). With
 * `data` a second deploy of an unchanged platform writes nothing.
 */
export function stringDataAsData(manifests: Manifest[]): Manifest[] {
  return manifests.map((m) => {
    const stringData = m.kind === 'Secret' ? (m.stringData as Record<string, unknown> | undefined) : undefined;
    if (!stringData || typeof stringData !== 'object') return m;
    const { stringData: _dropped, ...rest } = m;
    const encoded = Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(String(v), 'utf8').toString('base64')]));
    return { ...rest, data: { ...((m.data as Record<string, string> | undefined) ?? {}), ...encoded } } as Manifest;
  });
}

/** Every object the harness creates carries the run label, so cleanup can find it. */
export function labelRun(manifests: Manifest[], runId: string, key = LABEL_HARNESS_RUN): Manifest[] {
  return manifests.map((m) => ({ ...m, metadata: { ...m.metadata, labels: { ...(m.metadata.labels ?? {}), [key]: runId } } }));
}

export function runnerSecret(namespace: string, runId: string, apiKey = MOCK_API_KEY, labelKey = LABEL_HARNESS_RUN): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: RUNNER_SECRET, namespace, labels: { [labelKey]: runId } },
    type: 'Opaque',
    // `data`, not `stringData`: the same bytes on every API server, and server-side apply owns the field.
    data: { ANTHROPIC_API_KEY: Buffer.from(apiKey).toString('base64') },
  };
}

const isFoundation = (m: Manifest) => m.kind === 'Namespace' || m.kind === 'CustomResourceDefinition';

/**
 * Server-side apply in two phases: Namespaces and CRDs first (then wait for CRDs Established), then
 * everything else, so custom resources in the same bundle find their type.
 */
export async function applyManifests(k: KubectlTarget, manifests: Manifest[], opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const phases = [manifests.filter(isFoundation), manifests.filter((m) => !isFoundation(m))];
  for (const [i, batch] of phases.entries()) {
    if (!batch.length) continue;
    progress(`applying ${batch.length} object(s) (phase ${i + 1}/2)`);
    await kubectl(k, ['apply', '--server-side', '--force-conflicts', '--field-manager=ambient-harness', '--validate=false', '-f', '-'], {
      input: toYaml(batch),
      timeoutMs,
    });
    const crds = batch.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => `crd/${m.metadata.name}`);
    if (crds.length) {
      await kubectl(k, ['wait', '--for=condition=Established', `--timeout=${Math.ceil(timeoutMs / 1000)}s`, ...crds], { timeoutMs: timeoutMs + 10_000 });
    }
  }
}

/** One `kubectl wait --for=condition=Available` over all the Deployments; the failure names the ones not ready. */
export async function waitDeploymentsAvailable(k: KubectlTarget, namespace: string, names: string[], timeoutMs = 300_000): Promise<void> {
  if (!names.length) return;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  progress(`waiting for ${names.map((n) => `deployment/${n}`).join(', ')} in ${namespace} to be Available (≤${seconds}s)`);
  const r = await kubectl(k, ['wait', '--for=condition=Available', `--timeout=${seconds}s`, '-n', namespace, ...names.map((n) => `deployment/${n}`)], {
    timeoutMs: seconds * 1000 + 15_000,
    allowFailure: true,
  });
  if (r.code !== 0) {
    const met = new Set([...r.stdout.matchAll(/deployment\.apps\/([a-z0-9-]+) condition met/g)].map((m) => m[1]));
    const pending = names.filter((n) => !met.has(n));
    throw new InfraError(`deployment(s) ${pending.map((n) => `deployment/${n}`).join(', ')} in ${namespace} did not become Available: ${r.stderr.trim().split('\n').pop() ?? ''}`, { code: 'DEPLOY_NOT_READY' });
  }
}

export interface DeployOptions {
  platformDir: string;
  /** Already-rendered overlay (skips `kubectl kustomize`). */
  rendered?: Manifest[];
  overlay?: string;
  images?: Record<string, string>;
  runId: string;
  namespace?: string;
  /** Deployments to wait for; default the three deploy.sh waits for. Empty = don't wait. */
  waitFor?: string[];
  timeoutMs?: number;
  /** Called with every object just before it is applied (existing: note which already exist). */
  beforeApply?: (objects: Manifest[]) => Promise<void>;
  /** Last change to the objects before they are applied (e.g. KWOK placement on kind/k3s). */
  transform?: (manifests: Manifest[]) => Manifest[];
  /**
   * Label key carrying the runId. Default: the run label (deleted at teardown). On an existing
   * cluster use DEPLOYED_BY_LABEL so cleanup never removes a platform the harness only updated.
   */
  labelKey?: string;
}

export const DEPLOYED_BY_LABEL = 'harness.ambient-code.io/deployed-by';

export interface DeployResult {
  /** The platform's objects as applied (the runner secret is in `applied` only). */
  manifests: Manifest[];
  applied: Manifest[];
  renderedYaml: string;
}

/** render -> image overrides, Secrets as data -> transform -> run label -> apply (+ runner secret) -> wait Available. */
export async function deployPlatform(k: KubectlTarget, opts: DeployOptions): Promise<DeployResult> {
  const namespace = opts.namespace ?? BACKEND_NAMESPACE;
  const rendered = opts.rendered ?? (await renderOverlay(opts.platformDir, opts.overlay ?? 'kind'));
  const overridden = stringDataAsData(applyImageOverrides(rendered, opts.images ?? {}));
  const manifests = labelRun(opts.transform ? opts.transform(overridden) : overridden, opts.runId, opts.labelKey);
  const applied = [...manifests, runnerSecret(namespace, opts.runId, MOCK_API_KEY, opts.labelKey)];
  await opts.beforeApply?.(applied);
  await applyManifests(k, applied, { timeoutMs: opts.timeoutMs });
  const waitFor = opts.waitFor ?? REQUIRED_DEPLOYMENTS;
  if (waitFor.length) await waitDeploymentsAvailable(k, namespace, waitFor, opts.timeoutMs);
  progress(`platform deployed (${manifests.length} objects)`);
  return { manifests, applied, renderedYaml: toYaml(manifests) };
}
