// platform/deploy.ts: render the platform's kind overlay with real kubectl kustomize, swap images on
// parsed YAML, then apply server-side and wait for Deployments Available against the embedded
// control plane, with kubectl and its kubeconfig, exactly as on a kind cluster — at both commits.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMESPACE } from '../../harness/platform/contract.ts';
import { applyImageOverrides, applyManifests, deployPlatform, kubectl, labelRun, renderOverlay, REQUIRED_DEPLOYMENTS, toYaml, waitDeploymentsAvailable, type Manifest } from '../../harness/platform/deploy.ts';
import { fakeNodes, placeOnPlatformNodes, PLATFORM_NODE_LABEL } from '../../harness/targets/kwok.ts';
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

/**
 * The platform's real kind overlay at one commit, through deployPlatform into the embedded control
 * plane, as `--target kind` deploys it (pinned to the real node for KWOK, fake nodes beside it).
 */
function describeOverlayDeploy(commit: string): void {
  const dir = path.resolve(repoRoot, '../shared/platform', commit);
  const present = existsSync(path.join(dir, 'components/manifests/overlays/kind'));
  describe.skipIf(!present)(`deploy: the platform's kind overlay at ${commit} into the embedded control plane`, () => {
    let cp: Awaited<ReturnType<typeof import('../../harness/controlplane/index.ts')['startControlPlane']>> | undefined;
    let k: { kubeconfig: string };
    let tmp = '';
    beforeAll(async () => {
      setProgressSink('quiet');
      const { startControlPlane } = await import('../../harness/controlplane/index.ts');
      cp = await startControlPlane({ kubernetesVersion: '1.33' });
      tmp = mkdtempSync(path.join(os.tmpdir(), `deploy-${commit}-`));
      k = { kubeconfig: path.join(tmp, 'kubeconfig') };
      await cp.writeKubeconfig(k.kubeconfig);
    }, 60_000);
    afterAll(async () => {
      setProgressSink('stderr');
      await cp?.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    /** resourceVersion of every object, read back with `kubectl get -f`: also proves each one exists. */
    const versions = async (objects: Manifest[]) => {
      const r = await kubectl(k, ['get', '-f', '-', '-o', 'custom-columns=KIND:.kind,NS:.metadata.namespace,NAME:.metadata.name,RV:.metadata.resourceVersion', '--no-headers'], { input: toYaml(objects), timeoutMs: 60_000 });
      return r.stdout.trim().split('\n').sort();
    };

    it('every object is accepted, CRDs Established, every Deployment Available; a second deploy changes nothing; the namespace then deletes cleanly', async () => {
      await applyManifests(k, fakeNodes(2, `run-${commit}`));
      const deploy = () => deployPlatform(k, { platformDir: dir, overlay: 'kind', runId: `run-${commit}`, images: { backend: 'localhost/ambient-harness/vteam_backend:harness' }, transform: placeOnPlatformNodes, waitFor: [], timeoutMs: 90_000 });
      const { applied, manifests } = await deploy();
      const deployments = manifests.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name);
      expect(deployments).toEqual(expect.arrayContaining(REQUIRED_DEPLOYMENTS));
      await waitDeploymentsAvailable(k, BACKEND_NAMESPACE, deployments, 90_000);
      const before = await versions(applied);
      expect(before).toHaveLength(applied.length); // every object the deploy applied is there

      const crds = JSON.parse((await kubectl(k, ['get', 'crd', '-o', 'json'])).stdout).items as Array<{ metadata: { name: string }; status: { conditions: Array<{ type: string; status: string }> } }>;
      for (const name of manifests.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => m.metadata.name)) {
        expect(crds.find((c) => c.metadata.name === name)?.status.conditions.find((c) => c.type === 'Established')?.status, name).toBe('True');
      }
      const live = JSON.parse((await kubectl(k, ['get', 'deployments', '-n', BACKEND_NAMESPACE, '-o', 'json'])).stdout).items as Array<{ metadata: { name: string; labels: Record<string, string> }; spec: { template: { spec: { nodeSelector?: Record<string, string>; containers: Array<{ image: string }> } } }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
      expect(live.map((d) => d.metadata.name).sort()).toEqual([...deployments].sort());
      for (const d of live) {
        expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status, d.metadata.name).toBe('True');
        expect(d.metadata.labels['harness.ambient-code.io/run']).toBe(`run-${commit}`);
        expect(d.spec.template.spec.nodeSelector?.[PLATFORM_NODE_LABEL], d.metadata.name).toBe('true');
      }
      expect(live.find((d) => d.metadata.name === 'backend-api')!.spec.template.spec.containers[0].image).toBe('localhost/ambient-harness/vteam_backend:harness');
      const runnerSecret = JSON.parse((await kubectl(k, ['get', 'secret', 'ambient-runner-secrets', '-n', BACKEND_NAMESPACE, '-o', 'json'])).stdout);
      expect(Buffer.from(runnerSecret.data.ANTHROPIC_API_KEY, 'base64').toString()).toBe('mock-replay-key'); // the runner's replay mode, no real model
      const pvcs = JSON.parse((await kubectl(k, ['get', 'pvc', '-n', BACKEND_NAMESPACE, '-o', 'json'])).stdout).items as Array<{ status?: { phase?: string } }>;
      expect(pvcs.every((p) => p.status?.phase === 'Bound')).toBe(true);
      const nodes = JSON.parse((await kubectl(k, ['get', 'nodes', '-l', 'type=kwok', '-o', 'json'])).stdout).items as Array<{ metadata: { annotations: Record<string, string> } }>;
      expect(nodes.map((n) => n.metadata.annotations['kwok.x-k8s.io/node'])).toEqual(['fake', 'fake']);

      // The same deploy again: server-side apply of unchanged objects writes nothing.
      await deploy();
      expect(await versions(applied)).toEqual(before);

      // Namespace termination over every kind the overlay created.
      await kubectl(k, ['delete', 'namespace', BACKEND_NAMESPACE, '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
      expect((await kubectl(k, ['get', 'all', '-n', BACKEND_NAMESPACE, '-o', 'name'])).stdout.trim()).toBe('');
    }, 240_000);
  });
}

describeOverlayDeploy('6b21778');
describeOverlayDeploy('0b59fe7de');

describe.skipIf(!havePlatform)('deploy: waiting', () => {
  it('on a Deployment that never becomes Available fails with InfraError naming it', async () => {
    const { startControlPlane } = await import('../../harness/controlplane/index.ts');
    const cp = await startControlPlane({ kubernetesVersion: '1.33' });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'deploy-wait-'));
    try {
      const kc = { kubeconfig: path.join(tmp, 'kubeconfig') };
      await cp.writeKubeconfig(kc.kubeconfig);
      await expect(waitDeploymentsAvailable(kc, 'ambient-code', ['no-such-deployment'], 3000)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('deployment/no-such-deployment') });
    } finally {
      await cp.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 30_000);
});
