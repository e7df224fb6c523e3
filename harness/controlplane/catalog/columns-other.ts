// Printer columns for RBAC, coordination, apiextensions, networking, policy, autoscaling,
// scheduling and storage kinds, as kube-apiserver 1.33 prints them.

import type { KubeObject, PrinterColumn } from '../types.ts';
import { AGE, CREATED_AT, NONE, arr, computed, formatLabelSelector, num, obj, spec, status, str } from './column-helpers.ts';

export const ROLE_COLUMNS: PrinterColumn[] = [CREATED_AT];

function subjects(kind: string) {
  return (o: KubeObject) =>
    arr(o.subjects)
      .map(obj)
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace)}/${str(s.name)}` : str(s.name)))
      .join(', ');
}

export const ROLEBINDING_COLUMNS: PrinterColumn[] = [
  computed('Role', 'string', (o) => `${str(obj(o.roleRef).kind)}/${str(obj(o.roleRef).name)}`, 0, 'Role of the binding'),
  AGE,
  computed('Users', 'string', subjects('User'), 1, 'Users in the binding'),
  computed('Groups', 'string', subjects('Group'), 1, 'Groups in the binding'),
  computed('ServiceAccounts', 'string', subjects('ServiceAccount'), 1, 'ServiceAccounts in the binding'),
];

export const LEASE_COLUMNS: PrinterColumn[] = [
  computed('Holder', 'string', (o) => str(spec(o).holderIdentity), 0, 'The holder of the lease'),
  AGE,
];

export const CRD_COLUMNS: PrinterColumn[] = [CREATED_AT];

function ingressHosts(o: KubeObject): string {
  const hosts = arr(spec(o).rules).map((r) => str(obj(r).host)).filter(Boolean);
  if (hosts.length === 0) return '*';
  return hosts.length > 3 ? `${hosts.slice(0, 3).join(',')} + ${hosts.length - 3} more...` : hosts.join(',');
}

function loadBalancerAddresses(o: KubeObject): string {
  return arr(obj(status(o).loadBalancer).ingress)
    .map(obj)
    .map((i) => str(i.ip) || str(i.hostname))
    .filter(Boolean)
    .join(',');
}

export const INGRESS_COLUMNS: PrinterColumn[] = [
  computed('Class', 'string', (o) => str(spec(o).ingressClassName) || NONE, 0, 'The name of the IngressClass resource that should be used for this Ingress.'),
  computed('Hosts', 'string', ingressHosts, 0, 'Hosts that incoming requests are matched against before the ingress rule'),
  computed('Address', 'string', loadBalancerAddresses, 0, 'Address is a list containing ingress points for the load-balancer'),
  computed('Ports', 'string', (o) => (arr(spec(o).tls).length ? '80, 443' : '80'), 0, 'Ports of TLS configurations that open'),
  AGE,
];

export const INGRESSCLASS_COLUMNS: PrinterColumn[] = [
  computed('Controller', 'string', (o) => str(spec(o).controller), 0, 'Controller that is responsible for handling this class'),
  computed('Parameters', 'string', (o) => {
    const p = obj(spec(o).parameters);
    return str(p.name) ? `${str(p.kind)}.${str(p.apiGroup)}/${str(p.name)}`.replace(/^(\w+)\.\//, '$1/') : NONE;
  }, 0, 'A reference to a resource with additional parameters'),
  AGE,
];

export const NETWORKPOLICY_COLUMNS: PrinterColumn[] = [
  computed('Pod-Selector', 'string', (o) => formatLabelSelector(spec(o).podSelector), 0, 'Pod selector of the network policy'),
  AGE,
];

const intOrString = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

export const PDB_COLUMNS: PrinterColumn[] = [
  computed('Min Available', 'string', (o) => intOrString(spec(o).minAvailable), 0, 'The minimum number of pods that must be available.'),
  computed('Max Unavailable', 'string', (o) => intOrString(spec(o).maxUnavailable), 0, 'The maximum number of pods that may be unavailable.'),
  computed('Allowed Disruptions', 'integer', (o) => num(status(o).disruptionsAllowed), 0, 'Calculated number of pods that may be disrupted at this time.'),
  AGE,
];

/** TARGETS for resource metrics with a utilization target: "cpu: 40%/80%" or "cpu: <unknown>/80%". */
function hpaTargets(o: KubeObject): string {
  const current = arr(status(o).currentMetrics).map(obj);
  const parts = arr(spec(o).metrics)
    .map(obj)
    .filter((m) => m.type === 'Resource')
    .map((m) => {
      const res = obj(m.resource);
      const target = obj(res.target);
      const cur = current.find((c) => c.type === 'Resource' && obj(c.resource).name === res.name);
      const curUtil = cur ? obj(obj(cur.resource).current).averageUtilization : undefined;
      const have = typeof curUtil === 'number' ? `${curUtil}%` : '<unknown>';
      const want = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : str(target.averageValue) || str(target.value);
      return `${str(res.name)}: ${have}/${want}`;
    });
  return parts.length ? parts.join(', ') : NONE;
}

export const HPA_COLUMNS: PrinterColumn[] = [
  computed('Reference', 'string', (o) => `${str(obj(spec(o).scaleTargetRef).kind)}/${str(obj(spec(o).scaleTargetRef).name)}`, 0, 'Reference to the target scalable resource'),
  computed('Targets', 'string', hpaTargets, 0, 'The metrics and targets of the autoscaler'),
  computed('MinPods', 'string', (o) => (typeof spec(o).minReplicas === 'number' ? String(spec(o).minReplicas) : '<unset>'), 0, 'Lower limit for the number of pods'),
  computed('MaxPods', 'integer', (o) => num(spec(o).maxReplicas), 0, 'Upper limit for the number of pods'),
  computed('Replicas', 'integer', (o) => num(status(o).currentReplicas), 0, 'Current number of replicas of pods managed by this autoscaler'),
  AGE,
];

export const PRIORITYCLASS_COLUMNS: PrinterColumn[] = [
  computed('Value', 'integer', (o) => num(o.value), 0, 'The value of this priority class'),
  computed('Global-Default', 'boolean', (o) => o.globalDefault === true, 0, 'Whether this is the default priority class'),
  AGE,
  computed('Preemption-Policy', 'string', (o) => str(o.preemptionPolicy) || 'PreemptLowerPriority', 0, 'The preemption policy of this priority class'),
];

export const STORAGECLASS_COLUMNS: PrinterColumn[] = [
  computed('Provisioner', 'string', (o) => str(o.provisioner), 0, 'Indicates the type of the provisioner.'),
  computed('ReclaimPolicy', 'string', (o) => str(o.reclaimPolicy) || 'Delete', 0, 'Dynamically provisioned volumes reclaim policy.'),
  computed('VolumeBindingMode', 'string', (o) => str(o.volumeBindingMode) || 'Immediate', 0, 'How volumes are bound.'),
  computed('AllowVolumeExpansion', 'boolean', (o) => o.allowVolumeExpansion === true, 0, 'Whether the class allows volume expand.'),
  AGE,
];

export const LIMITRANGE_COLUMNS: PrinterColumn[] = [CREATED_AT];
