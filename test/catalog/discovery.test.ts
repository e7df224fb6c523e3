// Discovery documents, checked against the shapes kube-apiserver 1.33 serves and kubectl reads.
import { describe, expect, it } from 'vitest';
import { builtinResourceTypes } from '../../harness/controlplane/catalog/index.ts';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  acceptsAggregatedDiscovery,
  aggregatedDiscovery,
  apiGroup,
  apiResourceList,
  legacyApi,
  legacyApis,
  versionInfo,
} from '../../harness/controlplane/discovery/index.ts';
import type { ResourceType } from '../../harness/controlplane/types.ts';

const builtins = builtinResourceTypes();

/** A CRD-backed type as the crd module derives it (served v1 and v1alpha1 of a CRD group). */
function widgetType(version: string): ResourceType {
  return {
    group: 'example.com', version, resource: 'widgets', kind: 'Widget', listKind: 'WidgetList', singular: 'widget',
    namespaced: true, verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
    shortNames: ['wd'], categories: ['all'], subresources: ['status'], custom: true,
  };
}

type Item = { metadata: { name: string }; versions: Array<{ version: string; freshness: string; resources: Array<Record<string, any>> }> };

describe('/version', () => {
  it('reports major/minor the way the kubectl dispatcher reads them', () => {
    const v = versionInfo('1.33');
    expect(v).toMatchObject({ major: '1', minor: '33', gitVersion: 'v1.33.0', gitTreeState: 'clean', compiler: 'gc' });
    expect(v.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(v.platform).toMatch(/^[a-z0-9]+\/[a-z0-9]+$/);
    expect(versionInfo('v1.31.4')).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.4' });
    expect(versionInfo('v1.31.4').emulationMinor).toBeUndefined();
    expect(() => versionInfo('latest')).toThrow(/invalid Kubernetes version/);
  });
});

describe('aggregated discovery (apidiscovery.k8s.io/v2)', () => {
  it('uses the exact content type kubectl requires', () => {
    expect(AGGREGATED_DISCOVERY_CONTENT_TYPE).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const kubectlAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    expect(acceptsAggregatedDiscovery(kubectlAccept)).toBe(true);
    expect(acceptsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json')).toBe(false);
    expect(acceptsAggregatedDiscovery('application/json, */*')).toBe(false);
  });

  it('/api holds only the core group with namespaces as kubectl needs them', () => {
    const doc = aggregatedDiscovery(builtins, 'api') as { kind: string; apiVersion: string; items: Item[] };
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2');
    expect(doc.items).toHaveLength(1);
    expect(doc.items[0].metadata.name).toBe('');
    const v1 = doc.items[0].versions[0];
    expect(v1).toMatchObject({ version: 'v1', freshness: 'Current' });
    const ns = v1.resources.find((r) => r.resource === 'namespaces')!;
    expect(ns).toMatchObject({
      resource: 'namespaces',
      responseKind: { group: '', version: 'v1', kind: 'Namespace' },
      scope: 'Cluster',
      singularResource: 'namespace',
      shortNames: ['ns'],
    });
    expect(ns.subresources).toEqual([
      { subresource: 'finalize', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] },
      { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['get', 'patch', 'update'] },
    ]);
    const sa = v1.resources.find((r) => r.resource === 'serviceaccounts')!;
    expect(sa.subresources).toEqual([{ subresource: 'token', responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] }]);
    const pods = v1.resources.find((r) => r.resource === 'pods')!;
    expect(pods).toMatchObject({ scope: 'Namespaced', categories: ['all'], shortNames: ['po'] });
    // Resources are listed alphabetically, as kube-apiserver does.
    const names = v1.resources.map((r) => r.resource);
    expect(names).toEqual([...names].sort());
  });

  it('/apis lists groups in kube-apiserver order, preferred version first, CRD groups last', () => {
    const doc = aggregatedDiscovery([...builtins, widgetType('v1alpha1'), widgetType('v1')], 'apis') as { items: Item[] };
    const groups = doc.items.map((i) => i.metadata.name);
    expect(groups).not.toContain('');
    expect(groups.slice(0, 4)).toEqual(['apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io']);
    expect(groups.indexOf('batch')).toBeLessThan(groups.indexOf('rbac.authorization.k8s.io'));
    expect(groups.at(-1)).toBe('example.com');
    const autoscaling = doc.items.find((i) => i.metadata.name === 'autoscaling')!;
    expect(autoscaling.versions.map((v) => v.version)).toEqual(['v2', 'v1']);
    const example = doc.items.find((i) => i.metadata.name === 'example.com')!;
    expect(example.versions.map((v) => v.version)).toEqual(['v1', 'v1alpha1']);
    const deploy = doc.items.find((i) => i.metadata.name === 'apps')!.versions[0].resources.find((r) => r.resource === 'deployments')!;
    expect(deploy.subresources).toEqual([
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
      { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
    ]);
    const ssar = doc.items.find((i) => i.metadata.name === 'authorization.k8s.io')!.versions[0].resources.find((r) => r.resource === 'selfsubjectaccessreviews')!;
    expect(ssar).toMatchObject({ scope: 'Cluster', verbs: ['create'] });
    const metrics = doc.items.find((i) => i.metadata.name === 'metrics.k8s.io')!.versions[0];
    expect(metrics.version).toBe('v1beta1');
    expect(metrics.resources.map((r) => [r.resource, r.responseKind.kind, r.scope])).toEqual([
      ['nodes', 'NodeMetrics', 'Cluster'],
      ['pods', 'PodMetrics', 'Namespaced'],
    ]);
  });
});

describe('legacy discovery', () => {
  it('/api is APIVersions with serverAddressByClientCIDRs', () => {
    expect(legacyApi('127.0.0.1:41234')).toEqual({
      kind: 'APIVersions',
      apiVersion: 'v1',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:41234' }],
    });
  });

  it('/apis is an APIGroupList with preferred versions', () => {
    const list = legacyApis([...builtins, widgetType('v1')]) as { kind: string; groups: Array<Record<string, any>> };
    expect(list.kind).toBe('APIGroupList');
    const autoscaling = list.groups.find((g) => g.name === 'autoscaling')!;
    expect(autoscaling).toEqual({
      name: 'autoscaling',
      versions: [{ groupVersion: 'autoscaling/v2', version: 'v2' }, { groupVersion: 'autoscaling/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
    });
    expect(list.groups.map((g) => g.name)).toContain('example.com');
    expect(list.groups.map((g) => g.name)).not.toContain('');
  });

  it('/apis/<group> is an APIGroup, unknown groups are undefined', () => {
    expect(apiGroup(builtins, 'apps')).toEqual({
      kind: 'APIGroup', apiVersion: 'v1', name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    expect(apiGroup(builtins, 'nope.example')).toBeUndefined();
  });

  it('/api/v1 lists subresources as "<resource>/<sub>" with their own kinds', () => {
    const list = apiResourceList(builtins, '', 'v1') as { kind: string; groupVersion: string; resources: Array<Record<string, any>> };
    expect(list.kind).toBe('APIResourceList');
    expect(list.groupVersion).toBe('v1');
    const token = list.resources.find((r) => r.name === 'serviceaccounts/token');
    expect(token).toEqual({ name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    expect(list.resources.find((r) => r.name === 'pods/status')).toEqual({ name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    expect(list.resources.find((r) => r.name === 'pods/log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    const pods = list.resources.find((r) => r.name === 'pods')!;
    expect(pods).toMatchObject({ singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] });
    expect(pods.storageVersionHash).toMatch(/^[A-Za-z0-9+/]{11}=$/);
    // Each resource is followed by its subresources.
    const names = list.resources.map((r) => r.name as string);
    expect(names.indexOf('pods/log')).toBe(names.indexOf('pods') + 1);
  });

  it('/apis/apps/v1 has scale as autoscaling/v1 Scale; unknown GVs are undefined', () => {
    const list = apiResourceList(builtins, 'apps', 'v1') as { groupVersion: string; resources: Array<Record<string, any>> };
    expect(list.groupVersion).toBe('apps/v1');
    expect(list.resources.find((r) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(list.resources.find((r) => r.name === 'deployments/status')).toMatchObject({ kind: 'Deployment' });
    expect(list.resources.find((r) => r.name === 'deployments/status')!.group).toBeUndefined();
    expect(apiResourceList(builtins, 'apps', 'v1beta1')).toBeUndefined();
    const reviews = apiResourceList(builtins, 'authentication.k8s.io', 'v1') as { resources: Array<Record<string, any>> };
    expect(reviews.resources.map((r) => [r.name, r.kind, r.verbs])).toEqual([
      ['selfsubjectreviews', 'SelfSubjectReview', ['create']],
      ['tokenreviews', 'TokenReview', ['create']],
    ]);
  });
});
