// The kind target with its process boundary faked (kind, docker and kubectl answered by a
// FakeRunner; the overlay rendered by the real `kubectl kustomize`): what it runs and in which
// order, what it applies (KWOK's fake nodes, the platform pinned to the real node, the built
// images), the image-load fallback, and that a failed set-up and SIGINT both delete the cluster.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type HarnessConfigInput } from '../../harness/config.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { kindLoadImage, localImageName } from '../../harness/targets/images.ts';
import { kindTargetWith } from '../../harness/targets/kind.ts';
import { KWOK_NODE_ANNOTATION, PLATFORM_NODE_LABEL, PLATFORM_TAINT } from '../../harness/targets/kwok.ts';
import { which } from '../../harness/targets/exec.ts';
import { FakeRunner, type Call } from './fake-runner.ts';
import { fakeKwokFetch, OPERATOR_MEMORY_LIMIT, writeMiniPlatform } from './mini-platform.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
/** What a Docker engine with the containerd image store makes `kind load docker-image` say. */
const SNAPSHOTTER_FAILURE = 'ERROR: failed to load image: command "docker exec --privileged -i kind-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1\nctr: content digest sha256:4f1e5b8c: not found';

type Obj = { kind: string; metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> }; spec?: Record<string, unknown> };
const docsOf = (c: Call): Obj[] => parseAllDocuments(c.input ?? '').map((d) => d.toJS() as Obj).filter(Boolean);
const podSpec = (o: Obj) => (o.spec as { template: { spec: { nodeSelector?: Record<string, string>; tolerations?: Array<Record<string, string>>; containers: Array<{ image: string; imagePullPolicy?: string }> } } }).template.spec;
const isApply = (c: Call) => c.cmd === 'kubectl' && c.args.includes('apply');

describe.skipIf(!which('kubectl'))('kind target, process boundary faked', () => {
  let platformDir: string;
  let workDir: string;
  let runner: FakeRunner;
  let events: string[];
  beforeAll(() => {
    setProgressSink('quiet');
    platformDir = writeMiniPlatform(mkdtempSync(path.join(os.tmpdir(), 'kind-unit-platform-')));
  });
  afterAll(() => {
    setProgressSink('stderr');
    rmSync(platformDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'kind-unit-work-'));
    events = [];
    runner = new FakeRunner().on((c) => {
      const line = FakeRunner.line(c);
      if (/^kind (create|delete) cluster/.test(line)) events.push(line.split(' ').slice(0, 3).join(' '));
      // kind writes the new cluster's kubeconfig where --kubeconfig says.
      if (line.startsWith('kind create cluster')) writeFileSync(c.args[c.args.indexOf('--kubeconfig') + 1], 'apiVersion: v1\nkind: Config\nclusters: []\n');
      if (line.includes('get nodes -l type!=kwok')) return { stdout: 'ambient-harness-control-plane' };
      if (line.includes('get deployment agentic-operator')) return { stdout: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'agentic-operator', resources: { limits: { memory: OPERATOR_MEMORY_LIMIT } } }] } } } }) };
      if (line.includes('get secret test-user-token')) return { code: 1, stderr: 'Error from server (NotFound)' };
      return undefined;
    });
  });

  const target = () =>
    kindTargetWith({
      runner,
      fetchText: fakeKwokFetch,
      portForward: async () => ({ localPort: 40123, stop: () => void events.push('port-forward stopped') }),
    });
  const config = (over: HarnessConfigInput = {}) => parseConfig({ target: 'kind', platformDir, kindConfig: path.join(repoRoot, 'kind-config.yaml'), kindClusterName: 'kind-unit', kwokNodes: 3, ...over });
  const up = (over: HarnessConfigInput = {}, signal?: AbortSignal) => target().up({ config: config(over), runId: 'run-kind-unit', workDir, logDir: workDir, signal });

  it('builds, creates, loads, installs KWOK, deploys pinned to the real node; down stops the port-forward, then deletes the cluster', async () => {
    const cluster = await up({ buildImages: ['backend', 'operator', 'runner'] });
    const at = (re: RegExp) => {
      const i = runner.indexOf(re);
      expect(i, `no call matching ${re}:\n${runner.lines().join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    // Images are built before the cluster exists (a failing build costs no cluster), from the checkout's own Dockerfiles.
    const backendBuild = runner.calls[at(/^docker build .*vteam_backend/)];
    expect(backendBuild.args.at(-1)).toBe(path.join(platformDir, 'components/backend'));
    expect(runner.calls[at(/^docker build .*vteam_operator/)].args.at(-1)).toBe(path.join(platformDir, 'components/operator'));
    const runnerBuild = runner.calls[at(/^docker build .*vteam_claude_runner/)];
    expect(runnerBuild.args.at(-1)).toBe(path.join(platformDir, 'components/runners')); // COPY ambient-runner: the parent is the context
    expect(runnerBuild.args).toContain(path.join(platformDir, 'components/runners/ambient-runner/Dockerfile'));
    const create = runner.calls[at(/^kind create cluster/)];
    expect(at(/^kind get clusters/)).toBeLessThan(at(/^docker build/));
    expect(at(/vteam_claude_runner/)).toBeLessThan(at(/^kind create cluster/));
    // The cluster comes from the project's kind config, whose node image is pinned by digest; its kubeconfig stays in the work dir.
    const flag = (c: Call, f: string) => c.args[c.args.indexOf(f) + 1];
    expect(flag(create, '--name')).toBe('kind-unit');
    expect(readFileSync(flag(create, '--config'), 'utf8')).toMatch(/image: kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}/);
    expect(path.dirname(flag(create, '--kubeconfig'))).toBe(workDir);
    expect(cluster.kubeconfig.path).toBe(flag(create, '--kubeconfig'));
    // Every built image is loaded into this cluster, after it exists.
    for (const key of ['backend', 'operator', 'runner'] as const) expect(at(new RegExp(`^kind load docker-image ${localImageName(key).replace(/[./]/g, '\\$&')} --name kind-unit$`))).toBeGreaterThan(at(/^kind create cluster/));

    // KWOK: real node labelled, controller applied pinned to it and Available, then the taint, then the fake nodes.
    const label = at(/kubectl .* label nodes -l type!=kwok harness\.ambient-code\.io\/platform-node=true/);
    const kwokApply = runner.calls.findIndex((c) => isApply(c) && docsOf(c).some((o) => o.metadata.name === 'kwok-controller' && o.kind === 'Deployment'));
    const kwokWait = at(/wait --for=condition=Available .* -n kube-system deployment\/kwok-controller/);
    const taint = at(/taint nodes -l harness\.ambient-code\.io\/platform-node=true harness\.ambient-code\.io\/platform-only=true:NoSchedule/);
    const nodesApply = runner.calls.findIndex((c) => isApply(c) && docsOf(c).some((o) => o.kind === 'Node'));
    const nodesReady = at(/wait --for=condition=Ready nodes -l type=kwok/);
    const platformApply = runner.calls.findIndex((c) => isApply(c) && docsOf(c).some((o) => o.metadata.name === 'backend-api'));
    expect([label, kwokApply, kwokWait, taint, nodesApply, nodesReady, platformApply]).toEqual([label, kwokApply, kwokWait, taint, nodesApply, nodesReady, platformApply].sort((a, b) => a - b));
    expect(label).toBeGreaterThan(at(/^kind load docker-image/));
    expect(podSpec(docsOf(runner.calls[kwokApply]).find((o) => o.kind === 'Deployment')!).nodeSelector).toEqual({ [PLATFORM_NODE_LABEL]: 'true' });
    const nodes = docsOf(runner.calls[nodesApply]);
    expect(nodes.map((n) => n.metadata.name)).toHaveLength(3);
    for (const n of nodes) {
      expect(n.metadata.annotations?.[KWOK_NODE_ANNOTATION]).toBe('fake');
      expect(n.spec?.taints).toBeUndefined(); // runner pods carry no toleration
    }

    // The platform: every workload tolerates the taint and selects the real node; built images swapped in, never pulled.
    const platform = runner.calls.filter((c) => isApply(c)).flatMap(docsOf).filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'kwok-controller');
    expect(platform.map((d) => d.metadata.name).sort()).toEqual(['agentic-operator', 'backend-api', 'frontend']);
    for (const d of platform) {
      expect(podSpec(d).nodeSelector?.[PLATFORM_NODE_LABEL], d.metadata.name).toBe('true');
      expect(podSpec(d).tolerations).toContainEqual({ key: PLATFORM_TAINT.key, operator: 'Equal', value: PLATFORM_TAINT.value, effect: PLATFORM_TAINT.effect });
    }
    const backend = podSpec(platform.find((d) => d.metadata.name === 'backend-api')!).containers[0];
    expect(backend).toMatchObject({ image: localImageName('backend'), imagePullPolicy: 'IfNotPresent' });

    expect(cluster.backendUrl).toBe('http://127.0.0.1:40123/api');
    expect(cluster.probes.operatorPod).toEqual({ namespace: 'ambient-code', labelSelector: 'app=agentic-operator' });
    expect(cluster.probes.operatorMemoryLimitBytes).toBe(384 * 1024 * 1024);
    expect(cluster.capabilities.realScheduling.reason).toMatch(/3 KWOK fake node/);
    expect(events).toEqual(['kind create cluster']);
    await cluster.down();
    await cluster.down(); // idempotent
    expect(events).toEqual(['kind create cluster', 'port-forward stopped', 'kind delete cluster']);
  }, 60_000);

  it('image load: falls back to docker save | kind load image-archive when kind load docker-image fails', async () => {
    runner.on((c) => (FakeRunner.line(c).startsWith('kind load docker-image') ? { code: 1, stderr: SNAPSHOTTER_FAILURE } : undefined));
    expect(await kindLoadImage(runner, 'kind-unit', 'localhost/x:1', { timeoutMs: 1000 })).toBe('image-archive');
    const fallback = runner.calls.at(-1)!;
    expect(fallback.from).toEqual({ cmd: 'docker', args: ['save', 'localhost/x:1'] });
    expect([fallback.cmd, ...fallback.args]).toEqual(['kind', 'load', 'image-archive', '/dev/stdin', '--name', 'kind-unit']);
  });

  it('image load: when the fallback fails too, set-up fails (exit 3) and the cluster is deleted', async () => {
    runner.on((c) => (FakeRunner.line(c).startsWith('kind load') ? { code: 1, stderr: 'ERROR: no such image' } : undefined));
    runner.on((c) => (c.from ? { code: 1, stderr: 'Error response from daemon: reference does not exist' } : undefined));
    await expect(up({ images: { backend: 'localhost/missing:1' } })).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('kind load image-archive') });
    expect(events).toEqual(['kind create cluster', 'kind delete cluster']);
    expect(runner.indexOf(/apply/)).toBe(-1);
  });

  it('a failed deploy deletes the cluster; no port-forward is started', async () => {
    runner.on((c) => (isApply(c) && docsOf(c).some((o) => o.metadata.name === 'backend-api') ? { code: 1, stderr: 'Error from server (Forbidden): admission webhook denied the request' } : undefined));
    await expect(up()).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('admission webhook denied') });
    expect(events).toEqual(['kind create cluster', 'kind delete cluster']);
    expect(runner.lines().at(-1)).toMatch(/^kind delete cluster --name kind-unit --kubeconfig /);
  });

  for (const [when, pattern] of [
    ['kind create cluster', /^kind create cluster/],
    ['the KWOK controller wait', /deployment\/kwok-controller/],
  ] as const) {
    it(`SIGINT during ${when}: the running command ends, nothing further runs, the cluster is deleted`, async () => {
      const abort = new AbortController();
      runner.on((c) => (pattern.test(FakeRunner.line(c)) ? 'hang' : undefined));
      runner.onHang = () => setTimeout(() => abort.abort(), 10);
      await expect(up({}, abort.signal)).rejects.toMatchObject({ code: 'INTERRUPTED', exitCode: 3 });
      const hung = runner.indexOf(pattern);
      expect(runner.lines().slice(hung + 1)).toEqual([expect.stringMatching(/^kind delete cluster --name kind-unit/)]);
      expect(events.at(-1)).toBe('kind delete cluster');
    });
  }

  it('--keep: down leaves the cluster and says how to remove it', async () => {
    const cluster = await up({ keep: true, kwokNodes: 0 });
    await cluster.down();
    expect(events).toEqual(['kind create cluster', 'port-forward stopped']);
    expect(cluster.kept).toEqual({ kindCluster: 'kind-unit' });
    expect(runner.indexOf(/kwok|taint/)).toBe(-1); // --kwok-nodes 0: no KWOK at all
  });

  it('never adopts a cluster it did not create: an existing name is refused before anything is built', async () => {
    runner.on((c) => (FakeRunner.line(c) === 'kind get clusters' ? { stdout: 'other\nkind-unit\n' } : undefined));
    await expect(up({ buildImages: ['backend'] })).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('kind cluster kind-unit already exists') });
    expect(runner.lines()).toEqual(['kind get clusters']);
  });

  it('without --platform-dir, or with --no-deploy, it is bad input (exit 2) and runs nothing', async () => {
    await expect(up({ platformDir: undefined })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--platform-dir') });
    await expect(up({ deploy: false })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--no-deploy') });
    await expect(up({ buildImages: ['publicApi'] })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('no Dockerfile') });
    expect(runner.calls).toEqual([]);
  });
});
