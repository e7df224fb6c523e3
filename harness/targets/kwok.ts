// KWOK on a real cluster (kind, k3s): the kwok controller from its release manifests, fake Nodes it
// manages, and a taint on the real node(s), so that pods without a toleration — the runner pods the
// operator creates — are scheduled onto fake nodes, where KWOK reports them Running without running
// anything. Thousands of sessions then cost API objects, not containers. The platform's own
// workloads (and the kwok controller itself) get the toleration and a nodeSelector for the real node.
import { InfraError, oneLine } from '../errors.ts';
import { LABEL_HARNESS_RUN } from '../platform/contract.ts';
import { applyManifests, kubectl, parseManifests, waitDeploymentsAvailable, type KubectlTarget, type Manifest } from '../platform/deploy.ts';
import { progress } from '../report/progress.ts';

export const KWOK_RELEASES = 'https://github.com/kubernetes-sigs/kwok/releases/download';
/** The release's controller (CRDs, RBAC, Deployment in kube-system) and its fast stages (pods Ready at once). */
export const kwokManifestUrls = (version: string) => [`${KWOK_RELEASES}/${version}/kwok.yaml`, `${KWOK_RELEASES}/${version}/stage-fast.yaml`];

/** The kwok controller manages nodes with this annotation (its default `manageNodesWithAnnotationSelector`). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const FAKE_NODE_LABEL = 'type';
export const FAKE_NODE_LABEL_VALUE = 'kwok';
/** On the real node(s): only workloads that tolerate this run there. */
export const PLATFORM_TAINT = { key: 'harness.ambient-code.io/platform-only', value: 'true', effect: 'NoSchedule' } as const;
export const PLATFORM_NODE_LABEL = 'harness.ambient-code.io/platform-node';

/**
 * Per fake node. A runner pod requests about 0.6 CPU and 640 MiB (runner + sidecar at 0b59fe7de),
 * so pods, not CPU or memory, bound what a node takes: 5 nodes hold 5,000 runner pods.
 */
const FAKE_NODE_CAPACITY = { cpu: '1000', memory: '1Ti', pods: '1000' };

export const fakeNodeName = (i: number) => `kwok-node-${i}`;

/** N fake Nodes, untainted so the runner pods need nothing to land on them. */
export function fakeNodes(count: number, runId: string): Manifest[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: fakeNodeName(i),
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': fakeNodeName(i),
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/role': 'agent',
        [FAKE_NODE_LABEL]: FAKE_NODE_LABEL_VALUE,
        [LABEL_HARNESS_RUN]: runId,
      },
    },
    spec: {},
    status: { allocatable: FAKE_NODE_CAPACITY, capacity: FAKE_NODE_CAPACITY },
  }));
}

type PodSpec = { nodeSelector?: Record<string, string>; tolerations?: Array<Record<string, unknown>>; [k: string]: unknown };

/** The pod template of a workload, wherever its kind keeps it; undefined for everything else. */
function podSpecOf(m: Manifest): PodSpec | undefined {
  const spec = m.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(m.kind)) return spec?.template?.spec;
  if (m.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  return undefined;
}

/** Pins every workload in `manifests` to the real node(s): the platform-node selector and the taint's toleration. */
export function placeOnPlatformNodes(manifests: Manifest[]): Manifest[] {
  return manifests.map((m) => {
    if (!podSpecOf(m)) return m;
    const copy = structuredClone(m);
    const pod = podSpecOf(copy)!;
    pod.nodeSelector = { ...(pod.nodeSelector ?? {}), [PLATFORM_NODE_LABEL]: 'true' };
    const toleration = { key: PLATFORM_TAINT.key, operator: 'Equal', value: PLATFORM_TAINT.value, effect: PLATFORM_TAINT.effect };
    if (!(pod.tolerations ?? []).some((t) => t.key === PLATFORM_TAINT.key)) pod.tolerations = [...(pod.tolerations ?? []), toleration];
    return copy;
  });
}

export interface KwokOptions {
  nodes: number;
  version: string;
  runId: string;
  timeoutMs: number;
  /** Fetches a release manifest (tests serve their own). */
  fetchText?: (url: string) => Promise<string>;
}

async function fetchRelease(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new InfraError(`fetching ${url}: HTTP ${res.status}`);
  return res.text();
}

/**
 * Installs KWOK and the fake nodes. Order matters: the real nodes are labelled before the kwok
 * controller is applied (it is pinned to them), and tainted only once it runs, so nothing already
 * scheduled is disturbed; the fake nodes come last, after the taint, so nothing lands on them early.
 */
export async function installKwok(k: KubectlTarget, o: KwokOptions): Promise<void> {
  const notFake = `${FAKE_NODE_LABEL}!=${FAKE_NODE_LABEL_VALUE}`;
  const realNodes = (await kubectl(k, ['get', 'nodes', '-l', notFake, '-o', 'jsonpath={.items[*].metadata.name}'], { timeoutMs: 30_000 })).stdout.split(/\s+/).filter(Boolean);
  if (!realNodes.length) throw new InfraError('KWOK: the cluster has no node to run the platform on');
  await kubectl(k, ['label', 'nodes', '-l', notFake, `${PLATFORM_NODE_LABEL}=true`, '--overwrite'], { timeoutMs: 30_000 });

  const fetchText = o.fetchText ?? fetchRelease;
  for (const url of kwokManifestUrls(o.version)) {
    progress(`applying ${url}`);
    let manifests: Manifest[];
    try {
      manifests = parseManifests(await fetchText(url));
    } catch (err) {
      throw new InfraError(`KWOK ${o.version}: ${oneLine(err)} (set --kwok-nodes 0 to run without KWOK)`, { cause: err });
    }
    await applyManifests(k, placeOnPlatformNodes(manifests), { timeoutMs: o.timeoutMs });
  }
  await waitDeploymentsAvailable(k, 'kube-system', ['kwok-controller'], o.timeoutMs);

  await kubectl(k, ['taint', 'nodes', '-l', `${PLATFORM_NODE_LABEL}=true`, `${PLATFORM_TAINT.key}=${PLATFORM_TAINT.value}:${PLATFORM_TAINT.effect}`, '--overwrite'], { timeoutMs: 30_000 });
  progress(`creating ${o.nodes} fake node(s); runner pods are scheduled onto them`);
  await applyManifests(k, fakeNodes(o.nodes, o.runId), { timeoutMs: o.timeoutMs });
  const seconds = Math.ceil(o.timeoutMs / 1000);
  await kubectl(k, ['wait', '--for=condition=Ready', 'nodes', '-l', `${FAKE_NODE_LABEL}=${FAKE_NODE_LABEL_VALUE}`, `--timeout=${seconds}s`], { timeoutMs: o.timeoutMs + 10_000 });
}
