// Printer columns for core/v1 kinds other than pods, as kube-apiserver 1.33 prints them.

import type { KubeObject, PrinterColumn } from '../types.ts';
import { ageSince } from '../printers/age.ts';
import { AGE, NONE, arr, computed, formatLabels, num, obj, spec, status, str } from './column-helpers.ts';

export const NAMESPACE_COLUMNS: PrinterColumn[] = [
  computed('Status', 'string', (o) => str(status(o).phase), 0, 'The status of the namespace'),
  AGE,
];

function serviceExternalIP(svc: KubeObject): string {
  const s = spec(svc);
  const externalIPs = arr(s.externalIPs).map(String);
  switch (s.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : NONE;
    case 'LoadBalancer': {
      const lb = arr(obj(status(svc).loadBalancer).ingress)
        .map(obj)
        .map((i) => str(i.ip) || str(i.hostname))
        .filter(Boolean);
      const all = [...lb, ...externalIPs];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(s.externalName);
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: KubeObject): string {
  const ports = arr(spec(svc).ports).map(obj);
  if (ports.length === 0) return NONE;
  return ports
    .map((p) => {
      const proto = str(p.protocol) || 'TCP';
      return num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${proto}` : `${num(p.port)}/${proto}`;
    })
    .join(',');
}

export const SERVICE_COLUMNS: PrinterColumn[] = [
  computed('Type', 'string', (o) => str(spec(o).type) || 'ClusterIP', 0, 'The type of the service.'),
  computed('Cluster-IP', 'string', (o) => str(spec(o).clusterIP) || NONE, 0, 'The IP address of the service.'),
  computed('External-IP', 'string', serviceExternalIP, 0, 'The external IP address of the service.'),
  computed('Port(s)', 'string', servicePorts, 0, 'The ports exposed by the service.'),
  AGE,
  computed('Selector', 'string', (o) => formatLabels(spec(o).selector), 1, 'Route service traffic to pods with label keys and values matching this selector.'),
];

export const SERVICEACCOUNT_COLUMNS: PrinterColumn[] = [
  computed('Secrets', 'integer', (o) => arr(o.secrets).length, 0, 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
  AGE,
];

export const SECRET_COLUMNS: PrinterColumn[] = [
  computed('Type', 'string', (o) => str(o.type) || 'Opaque', 0, 'The type of the secret'),
  computed('Data', 'integer', (o) => Object.keys(obj(o.data)).length, 0, 'The number of entries in the secret'),
  AGE,
];

export const CONFIGMAP_COLUMNS: PrinterColumn[] = [
  computed('Data', 'integer', (o) => Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length, 0, 'The number of entries in the config map'),
  AGE,
];

/** ENDPOINTS: "ip:port,…" with at most three shown ("+ N more..."). */
function formatEndpoints(ep: KubeObject): string {
  const all: string[] = [];
  for (const subset of arr(ep.subsets).map(obj)) {
    const ports = arr(subset.ports).map(obj);
    for (const a of arr(subset.addresses).map(obj)) {
      if (ports.length === 0) all.push(str(a.ip));
      else for (const p of ports) all.push(`${str(a.ip)}:${num(p.port)}`);
    }
  }
  if (all.length === 0) return NONE;
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const ENDPOINTS_COLUMNS: PrinterColumn[] = [computed('Endpoints', 'string', formatEndpoints, 0, 'Endpoints of the resource.'), AGE];

function eventLastSeen(ev: KubeObject, now: Date): string {
  const series = obj(ev.series);
  if (str(series.lastObservedTime)) return ageSince(series.lastObservedTime, now);
  if (str(ev.lastTimestamp)) return ageSince(ev.lastTimestamp, now);
  return eventFirstSeen(ev, now);
}

function eventFirstSeen(ev: KubeObject, now: Date): string {
  return str(ev.firstTimestamp) ? ageSince(ev.firstTimestamp, now) : ageSince(ev.eventTime, now);
}

function eventObject(ev: KubeObject): string {
  const io = obj(ev.involvedObject);
  const kind = str(io.kind).toLowerCase();
  return str(io.name) ? `${kind}/${str(io.name)}` : kind;
}

/** Core events put NAME last (priority 1), as `kubectl get events` shows. */
export const EVENT_COLUMNS: PrinterColumn[] = [
  computed('Last Seen', 'string', eventLastSeen, 0, 'Time when last event occurred'),
  computed('Type', 'string', (o) => str(o.type), 0, 'Type of this event (Normal, Warning)'),
  computed('Reason', 'string', (o) => str(o.reason), 0, 'Reason of the event'),
  computed('Object', 'string', eventObject, 0, 'The object that the event is about'),
  computed('Subobject', 'string', (o) => str(obj(o.involvedObject).fieldPath), 1, 'The subobject that the event is about'),
  computed('Source', 'string', (o) => {
    const src = obj(o.source);
    const component = str(src.component) || str(o.reportingComponent);
    return [component, str(src.host)].filter(Boolean).join(', ');
  }, 1, 'The source of the event'),
  computed('Message', 'string', (o) => str(o.message).trim(), 0, 'A human-readable description of the status of this operation'),
  computed('First Seen', 'string', eventFirstSeen, 1, 'Time when first event occurred'),
  computed('Count', 'integer', (o) => (obj(o.series).count as number | undefined) ?? (num(o.count) || 1), 1, 'Count of event occurrence'),
  { name: 'Name', type: 'string', format: 'name', jsonPath: '.metadata.name', priority: 1, description: 'Name of the event' },
];

function nodeStatus(node: KubeObject): string {
  const ready = arr(status(node).conditions).map(obj).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (spec(node).unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : NONE;
}

const nodeAddress = (type: string) => (node: KubeObject) =>
  str(arr(status(node).addresses).map(obj).find((a) => a.type === type)?.address) || NONE;
const nodeInfo = (key: string) => (node: KubeObject) => str(obj(status(node).nodeInfo)[key]);

export const NODE_COLUMNS: PrinterColumn[] = [
  computed('Status', 'string', nodeStatus, 0, 'The status of the node'),
  computed('Roles', 'string', nodeRoles, 0, 'The roles of the node'),
  AGE,
  computed('Version', 'string', nodeInfo('kubeletVersion'), 0, 'Kubelet Version reported by the node.'),
  computed('Internal-IP', 'string', nodeAddress('InternalIP'), 1, 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
  computed('External-IP', 'string', nodeAddress('ExternalIP'), 1, 'List of addresses reachable to the node. Queried from cloud provider, if available.'),
  computed('OS-Image', 'string', nodeInfo('osImage'), 1, 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
  computed('Kernel-Version', 'string', nodeInfo('kernelVersion'), 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
  computed('Container-Runtime', 'string', nodeInfo('containerRuntimeVersion'), 1, 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
];

const ACCESS_MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const accessModes = (v: unknown) => arr(v).map((m) => ACCESS_MODES[String(m)] ?? String(m)).join(',');

export const PVC_COLUMNS: PrinterColumn[] = [
  computed('Status', 'string', (o) => (o.metadata.deletionTimestamp ? 'Terminating' : str(status(o).phase)), 0, 'The status of the persistent volume claim'),
  computed('Volume', 'string', (o) => str(spec(o).volumeName), 0, 'The volume bound to the claim'),
  computed('Capacity', 'string', (o) => str(obj(status(o).capacity).storage), 0, 'The capacity of the bound volume'),
  computed('Access Modes', 'string', (o) => accessModes(status(o).accessModes), 0, 'The access modes of the bound volume'),
  computed('StorageClass', 'string', (o) => str(spec(o).storageClassName) || str(o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class']), 0, 'The storage class of the claim'),
  computed('VolumeAttributesClass', 'string', (o) => str(spec(o).volumeAttributesClassName) || '<unset>', 0, 'The volume attributes class of the claim'),
  AGE,
  computed('VolumeMode', 'string', (o) => str(spec(o).volumeMode) || 'Filesystem', 1, 'The volume mode of the claim'),
];
