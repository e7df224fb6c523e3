// platform/deploy.ts: render the platform's kind overlay with real kubectl kustomize, swap images on
// parsed YAML, then apply server-side and wait for Deployments Available against the embedded
// control plane, with kubectl (1.33) and its kubeconfig, exactly as on a kind cluster.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyImageOverrides, deployPlatform, kubectl, labelRun, renderOverlay, type Manifest } from '../../harness/platform/deploy.ts';
import { setProgressSink } from '../../harness/report/progress.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const platformDir = path.resolve(repoRoot, '../shared/platform/6b21778');
const havePlatform = existsSync(path.join(platformDir, 'components/manifests/overlays/kind'));

const containers = (ms: Manifest[], deployment: string) =>
  ((ms.find((m) => m.kind === 'Deployment' && m.metadata.name === deployment) as unknown as { spec: { template: { spec: { containers: Array<{ name: string; image: string; imagePullPolicy?: string; env?: Array<{ name: string; value?: string }> }> } } } }).spec.template.spec.containers);

// Rendered once (kubectl kustomize takes seconds) and shared by both groups.
let renderedOnce: Promise<Manifest[]> | undefined;
const renderKind = () => (renderedOnce ??= renderOverlay(platformDir, 'kind'));

describe.skipIf(!havePlatform)('deploy: render + image overrides (platform 6b21778 kind overlay)', () => {
  let rendered: Manifest[];
  beforeAll(async () => {
    setProgressSink('quiet');
    rendered = await renderKind();
  }, 60_000);
  afterAll(() => setProgressSink('stderr'));

  it('renders the overlay: namespace, CRDs, the three Deployments deploy.sh waits for', () => {
    const names = rendered.map((m) => `${m.kind}/${m.metadata.name}`);
    for (const n of ['Namespace/ambient-code', 'CustomResourceDefinition/agenticsessions.vteam.ambient-code', 'Deployment/backend-api', 'Deployment/agentic-operator', 'Deployment/frontend']) expect(names).toContain(n);
  });

  it('swaps images everywhere deploy.sh sed would, and sets IfNotPresent on swapped containers only', () => {
    const out = applyImageOverrides(rendered, { backend: 'localhost/vteam_backend:pr-1', runner: 'localhost/runner:pr-1' });
    const backend = containers(out, 'backend-api').find((c) => c.image.startsWith('quay.io/ambient_code/vteam_backend'));
    expect(backend).toBeUndefined();
    const swapped = containers(out, 'backend-api').find((c) => c.image === 'localhost/vteam_backend:pr-1')!;
    expect(swapped.imagePullPolicy).toBe('IfNotPresent');
    const op = containers(out, 'agentic-operator')[0];
    expect(op.image).toMatch(/vteam_operator/);
    expect(op.env?.find((e) => e.name === 'AMBIENT_CODE_RUNNER_IMAGE')?.value).toBe('localhost/runner:pr-1');
    const text = JSON.stringify(out);
    expect(text).not.toContain('quay.io/ambient_code/vteam_claude_runner');
    expect(text).toContain('localhost/runner:pr-1'); // also inside the agent-registry ConfigMap JSON
    expect(JSON.stringify(rendered)).toContain('quay.io/ambient_code/vteam_claude_runner'); // input untouched
    expect(() => applyImageOverrides(rendered, { nope: 'x' })).toThrow(/unknown image key/);
  });

  it('labels every object with the run id', () => {
    expect(labelRun(rendered, 'r-1').every((m) => m.metadata.labels?.['harness.ambient-code.io/run'] === 'r-1')).toBe(true);
  });
});

describe.skipIf(!havePlatform)('deploy: apply + wait against the embedded control plane', () => {
  let cp: Awaited<ReturnType<typeof import('../../harness/controlplane/index.ts')['startControlPlane']>> | undefined;
  let k: { kubeconfig: string };
  let dir = '';
  beforeAll(async () => {
    setProgressSink('quiet');
    const { startControlPlane } = await import('../../harness/controlplane/index.ts');
    cp = await startControlPlane({ kubernetesVersion: '1.33' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'h8-deploy-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    await cp.writeKubeconfig(kubeconfig);
    k = { kubeconfig }; // a fresh discovery cache per kubectl call, removed after it
  }, 60_000);
  afterAll(async () => {
    setProgressSink('stderr');
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('server-side applies the overlay plus the runner secret, and the Deployments become Available', async () => {
    const { manifests } = await deployPlatform(k, { platformDir, rendered: await renderKind(), overlay: 'kind', runId: 'run-deploy-1', images: { backend: 'localhost/vteam_backend:test' }, timeoutMs: 90_000 });
    expect(manifests.length).toBeGreaterThan(20);
    const deps = JSON.parse((await kubectl(k, ['get', 'deployments', '-n', 'ambient-code', '-o', 'json'])).stdout) as { items: Array<{ metadata: { name: string; labels: Record<string, string> }; status?: { conditions?: Array<{ type: string; status: string }> }; spec: { template: { spec: { containers: Array<{ image: string }> } } } }> };
    for (const name of ['backend-api', 'agentic-operator', 'frontend']) {
      const d = deps.items.find((i) => i.metadata.name === name)!;
      expect(d.metadata.labels['harness.ambient-code.io/run']).toBe('run-deploy-1');
      expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    }
    expect(deps.items.find((i) => i.metadata.name === 'backend-api')!.spec.template.spec.containers[0].image).toBe('localhost/vteam_backend:test');
    const secret = JSON.parse((await kubectl(k, ['get', 'secret', 'ambient-runner-secrets', '-n', 'ambient-code', '-o', 'json'])).stdout);
    expect(Buffer.from(secret.data.ANTHROPIC_API_KEY, 'base64').toString()).toBe('mock-replay-key');
    const crd = JSON.parse((await kubectl(k, ['get', 'crd', 'agenticsessions.vteam.ambient-code', '-o', 'json'])).stdout);
    expect(crd.status.conditions.find((c: { type: string }) => c.type === 'Established').status).toBe('True');
  }, 180_000);

  it('waiting on a Deployment that never becomes Available fails with InfraError naming it', async () => {
    const { waitDeploymentsAvailable } = await import('../../harness/platform/deploy.ts');
    await expect(waitDeploymentsAvailable(k, 'ambient-code', ['no-such-deployment'], 3000)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('deployment/no-such-deployment') });
  }, 30_000);
});
