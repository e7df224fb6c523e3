// The built-in catalog against what `kubectl api-resources -o wide` lists on a real 1.33 cluster.
import { describe, expect, it } from 'vitest';
import { builtinResourceTypes, subresourceInfo } from '../../harness/controlplane/catalog/index.ts';
import type { KubeObject } from '../../harness/controlplane/types.ts';

const types = builtinResourceTypes();
const find = (group: string, version: string, resource: string) => {
  const rt = types.find((t) => t.group === group && t.version === version && t.resource === resource);
  if (!rt) throw new Error(`${group}/${version}/${resource} not in catalog`);
  return rt;
};

// NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND as printed by kubectl 1.33 against kube-apiserver 1.33.
const API_RESOURCES = `
configmaps cm v1 true ConfigMap
endpoints ep v1 true Endpoints
events ev v1 true Event
limitranges limits v1 true LimitRange
namespaces ns v1 false Namespace
nodes no v1 false Node
persistentvolumeclaims pvc v1 true PersistentVolumeClaim
persistentvolumes pv v1 false PersistentVolume
pods po v1 true Pod
replicationcontrollers rc v1 true ReplicationController
resourcequotas quota v1 true ResourceQuota
secrets - v1 true Secret
serviceaccounts sa v1 true ServiceAccount
services svc v1 true Service
customresourcedefinitions crd,crds apiextensions.k8s.io/v1 false CustomResourceDefinition
controllerrevisions - apps/v1 true ControllerRevision
daemonsets ds apps/v1 true DaemonSet
deployments deploy apps/v1 true Deployment
replicasets rs apps/v1 true ReplicaSet
statefulsets sts apps/v1 true StatefulSet
selfsubjectreviews - authentication.k8s.io/v1 false SelfSubjectReview
tokenreviews - authentication.k8s.io/v1 false TokenReview
localsubjectaccessreviews - authorization.k8s.io/v1 true LocalSubjectAccessReview
selfsubjectaccessreviews - authorization.k8s.io/v1 false SelfSubjectAccessReview
selfsubjectrulesreviews - authorization.k8s.io/v1 false SelfSubjectRulesReview
subjectaccessreviews - authorization.k8s.io/v1 false SubjectAccessReview
horizontalpodautoscalers hpa autoscaling/v2 true HorizontalPodAutoscaler
horizontalpodautoscalers hpa autoscaling/v1 true HorizontalPodAutoscaler
cronjobs cj batch/v1 true CronJob
jobs - batch/v1 true Job
leases - coordination.k8s.io/v1 true Lease
endpointslices - discovery.k8s.io/v1 true EndpointSlice
events ev events.k8s.io/v1 true Event
nodes - metrics.k8s.io/v1beta1 false NodeMetrics
pods - metrics.k8s.io/v1beta1 true PodMetrics
ingressclasses - networking.k8s.io/v1 false IngressClass
ingresses ing networking.k8s.io/v1 true Ingress
networkpolicies netpol networking.k8s.io/v1 true NetworkPolicy
poddisruptionbudgets pdb policy/v1 true PodDisruptionBudget
clusterrolebindings - rbac.authorization.k8s.io/v1 false ClusterRoleBinding
clusterroles - rbac.authorization.k8s.io/v1 false ClusterRole
rolebindings - rbac.authorization.k8s.io/v1 true RoleBinding
roles - rbac.authorization.k8s.io/v1 true Role
priorityclasses pc scheduling.k8s.io/v1 false PriorityClass
storageclasses sc storage.k8s.io/v1 false StorageClass
`
  .trim()
  .split('\n')
  .map((l) => {
    const [name, short, apiVersion, namespaced, kind] = l.split(' ');
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return { name, shortNames: short === '-' ? [] : short.split(','), group, version, namespaced: namespaced === 'true', kind };
  });

describe('built-in catalog', () => {
  it.each(API_RESOURCES)('serves $name in $group/$version as kubectl api-resources shows it', (row) => {
    const rt = find(row.group, row.version, row.name);
    expect(rt.kind).toBe(row.kind);
    expect(rt.namespaced).toBe(row.namespaced);
    expect(rt.shortNames ?? []).toEqual(row.shortNames);
  });

  it('every type is self-consistent', () => {
    const seen = new Set<string>();
    for (const rt of types) {
      const key = `${rt.group}/${rt.version}/${rt.resource}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      expect(rt.listKind, key).toBe(`${rt.kind}List`);
      expect(rt.resource, key).toMatch(/^[a-z]+$/);
      expect(rt.singular, key).toBe(rt.kind.toLowerCase());
      if (rt.virtual) {
        expect(rt.verbs, key).toEqual(['create']);
        expect(rt.subresources, key).toEqual([]);
      } else {
        expect(rt.verbs, key).toEqual(expect.arrayContaining(['get', 'list']));
      }
    }
  });

  it('has the verbs kube-apiserver reports for special cases', () => {
    const all = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    expect(find('', 'v1', 'pods').verbs).toEqual(all);
    expect(find('', 'v1', 'namespaces').verbs).toEqual(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    expect(find('', 'v1', 'services').verbs).not.toContain('deletecollection');
    expect(find('metrics.k8s.io', 'v1beta1', 'pods').verbs).toEqual(['get', 'list']);
    expect(find('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews').virtual).toBe(true);
  });

  it('declares categories "all" for workloads and services, "api-extensions" for CRDs', () => {
    for (const [g, r] of [['', 'pods'], ['', 'services'], ['apps', 'deployments'], ['apps', 'statefulsets'], ['batch', 'jobs'], ['batch', 'cronjobs']]) {
      expect(find(g, 'v1', r).categories).toEqual(['all']);
    }
    expect(find('', 'v1', 'configmaps').categories).toBeUndefined();
    expect(find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions').categories).toEqual(['api-extensions']);
  });

  it('has the subresources clients use, with their kinds', () => {
    expect(find('', 'v1', 'serviceaccounts').subresources).toContain('token');
    expect(subresourceInfo(find('', 'v1', 'serviceaccounts'), 'token')).toEqual({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    const deploy = find('apps', 'v1', 'deployments');
    expect(deploy.subresources.sort()).toEqual(['scale', 'status']);
    expect(subresourceInfo(deploy, 'scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(subresourceInfo(deploy, 'status')).toMatchObject({ group: 'apps', version: 'v1', kind: 'Deployment', verbs: ['get', 'patch', 'update'] });
    expect(find('', 'v1', 'namespaces').subresources.sort()).toEqual(['finalize', 'status']);
    expect(find('', 'v1', 'pods').subresources).toEqual(expect.arrayContaining(['status', 'log']));
    expect(find('batch', 'v1', 'jobs').subresources).toEqual(['status']);
    expect(find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions').subresources).toEqual(['status']);
    expect(find('', 'v1', 'configmaps').subresources).toEqual([]);
  });

  it('implements kube-apiserver field selectors', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns' },
      spec: { serviceAccountName: 'runner', restartPolicy: 'Never', schedulerName: 'default-scheduler' },
      status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }], podIP: '10.0.0.7' },
    };
    const f = find('', 'v1', 'pods').fieldSelectors!;
    expect(f['spec.nodeName'](pod)).toBe(''); // unscheduled pods match spec.nodeName=
    expect(f['status.phase'](pod)).toBe('Running');
    expect(f['spec.serviceAccountName'](pod)).toBe('runner');
    expect(f['status.podIP'](pod)).toBe('10.0.0.7');
    expect(f['spec.restartPolicy'](pod)).toBe('Never');
    expect(f['spec.schedulerName'](pod)).toBe('default-scheduler');
    expect(f['spec.hostNetwork'](pod)).toBe('false');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/service-account-token' };
    expect(find('', 'v1', 'secrets').fieldSelectors!.type(secret)).toBe('kubernetes.io/service-account-token');
    const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p', uid: 'u1' }, reason: 'Started', type: 'Normal' };
    const ef = find('', 'v1', 'events').fieldSelectors!;
    expect([ef['involvedObject.kind'](ev), ef['involvedObject.name'](ev), ef['involvedObject.uid'](ev), ef.reason(ev), ef.type(ev)]).toEqual(['Pod', 'p', 'u1', 'Started', 'Normal']);
    expect(find('', 'v1', 'namespaces').fieldSelectors!['status.phase']({ apiVersion: 'v1', kind: 'Namespace', metadata: {}, status: { phase: 'Terminating' } })).toBe('Terminating');
    expect(find('', 'v1', 'nodes').fieldSelectors!['spec.unschedulable']({ apiVersion: 'v1', kind: 'Node', metadata: {}, spec: { unschedulable: true } })).toBe('true');
    expect(find('', 'v1', 'configmaps').fieldSelectors).toBeUndefined();
  });

  it('returns fresh objects, so callers may mutate them', () => {
    const a = builtinResourceTypes();
    a[0].verbs.push('bogus');
    a[0].subresources.push('bogus');
    const b = builtinResourceTypes();
    expect(b[0].verbs).not.toContain('bogus');
    expect(b[0].subresources).not.toContain('bogus');
  });
});
