// The one embedded node, as its kubelet would register it: a Ready Node with fixed capacity and a
// kube-node-lease Lease renewed on a slow timer.
import type { Controller, InternalClient, KubeObject } from '../types.ts';
import { type Clock, logError } from './runtime.ts';
import { GVR, clone, jsonEqual, rfc3339 } from './resources.ts';

const NAME = 'node';
export const DEFAULT_NODE_NAME = 'embedded-node';
export const NODE_INTERNAL_IP = '172.18.0.2';
const LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;
const RENEW_MS = 10_000;
export const KUBELET_VERSION = 'v1.33.0';

export class NodeController implements Controller {
  readonly name = NAME;
  private client!: InternalClient;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly clock: Clock, private readonly nodeName: string) {}

  start(client: InternalClient): void {
    this.client = client;
    this.stopped = false;
    try {
      this.registerNode();
    } catch (err) {
      logError(NAME, `register node ${this.nodeName}`, err);
    }
    this.renew();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private renew(): void {
    if (this.stopped) return;
    try {
      this.renewLease();
    } catch (err) {
      logError(NAME, 'renew lease', err);
    }
    this.timer = this.clock.setTimeout(() => this.renew(), RENEW_MS);
  }

  private nodeStatus(existing: unknown): Record<string, unknown> {
    const now = rfc3339(this.clock.now());
    const old = (existing ?? {}) as { conditions?: Array<{ type: string; lastTransitionTime?: string }> };
    const since = (type: string) => old.conditions?.find((c) => c.type === type)?.lastTransitionTime ?? now;
    const pressure = (type: string, reason: string, message: string) => ({
      type, status: 'False', reason, message, lastHeartbeatTime: now, lastTransitionTime: since(type),
    });
    const resources = { cpu: '2', memory: '24Gi', pods: '250', 'ephemeral-storage': '100Gi' };
    return {
      capacity: resources,
      allocatable: resources,
      conditions: [
        pressure('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: since('Ready') },
      ],
      addresses: [
        { type: 'InternalIP', address: NODE_INTERNAL_IP },
        { type: 'Hostname', address: this.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: 'embedded', systemUUID: 'embedded', bootID: 'embedded',
        kernelVersion: '6.0.0', osImage: 'ambient-harness embedded node', containerRuntimeVersion: 'containerd://1.7.0',
        kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION, operatingSystem: 'linux', architecture: 'amd64',
      },
    };
  }

  private registerNode(): void {
    let node = this.client.get(GVR.nodes, undefined, this.nodeName);
    if (!node) {
      node = this.client.create(GVR.nodes, undefined, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: this.nodeName,
          labels: {
            'kubernetes.io/hostname': this.nodeName,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'node-role.kubernetes.io/control-plane': '',
            'node.kubernetes.io/exclude-from-external-load-balancers': '',
          },
        },
        spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'] },
      }, { fieldManager: 'kubelet' });
    }
    const status = this.nodeStatus(node.status);
    const want = clone(node);
    want.status = status;
    // Keep the existing heartbeat when nothing else changed; the lease carries liveness.
    if (!jsonEqual(withoutHeartbeats(node.status), withoutHeartbeats(status))) {
      this.client.update(GVR.nodes, undefined, want, { subresource: 'status', fieldManager: 'kubelet' });
    }
  }

  private renewLease(): void {
    const now = new Date(this.clock.now()).toISOString().replace('Z', '000Z');
    const existing = this.client.get(GVR.leases, LEASE_NAMESPACE, this.nodeName);
    if (existing) {
      const next = clone(existing);
      next.spec = { ...(existing.spec as object), renewTime: now };
      this.client.update(GVR.leases, LEASE_NAMESPACE, next, { fieldManager: 'kubelet' });
      return;
    }
    if (!this.client.get(GVR.namespaces, undefined, LEASE_NAMESPACE)) {
      this.client.create(GVR.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NAMESPACE } });
    }
    const node = this.client.get(GVR.nodes, undefined, this.nodeName);
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.nodeName,
        namespace: LEASE_NAMESPACE,
        ...(node ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata.uid ?? '' }] } : {}),
      },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
    };
    this.client.create(GVR.leases, LEASE_NAMESPACE, lease, { fieldManager: 'kubelet' });
  }
}

function withoutHeartbeats(status: unknown): unknown {
  const s = clone((status ?? {}) as { conditions?: Array<Record<string, unknown>> });
  for (const c of s.conditions ?? []) delete c.lastHeartbeatTime;
  return s;
}
