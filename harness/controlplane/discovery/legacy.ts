// Legacy (non-aggregated) discovery: /api (APIVersions), /apis (APIGroupList), /apis/<g>
// (APIGroup) and /api/v1, /apis/<g>/<v> (APIResourceList). Needed beside aggregated discovery:
// kubectl falls back to it, `auth can-i` and client-node's KubernetesObjectApi read it directly.

import { createHash } from 'node:crypto';
import type { ResourceType } from '../types.ts';
import { subresourceInfo } from '../catalog/subresources.ts';
import { groupTypes, groupVersionString, type DiscoveryDocument, type GroupVersions } from './grouping.ts';

/** GET /api. */
export function legacyApi(serverAddress = '127.0.0.1:6443'): DiscoveryDocument {
  return {
    kind: 'APIVersions',
    apiVersion: 'v1',
        versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroupEntry(g: GroupVersions): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: groupVersionString(g.group, v.version), version: v.version }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

/** GET /apis: every non-core group with its versions, preferred first. */
export function legacyApis(types: ResourceType[]): DiscoveryDocument {
  const groups = groupTypes(types).filter((g) => g.group !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroupEntry) };
}

/** GET /apis/<group>; undefined when the group is not served. */
export function apiGroup(types: ResourceType[], group: string): DiscoveryDocument | undefined {
  if (group === '') return undefined;
  const g = groupTypes(types).find((x) => x.group === group);
  return g ? ({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroupEntry(g) }) : undefined;
}

/** kube-apiserver's storageVersionHash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"). */
export function storageVersionHash(rt: ResourceType): string {
  const version = rt.storageVersion ?? rt.version;
  return createHash('sha256').update(`${rt.group}/${version}/${rt.kind}`).digest().subarray(0, 8).toString('base64');
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when the group-version is not served. */
export function apiResourceList(types: ResourceType[], group: string, version: string): DiscoveryDocument | undefined {
  const served = types.filter((t) => t.group === group && t.version === version).sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  if (served.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const rt of served) {
    const entry: Record<string, unknown> = { name: rt.resource, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: rt.verbs };
    if (rt.shortNames?.length) entry.shortNames = rt.shortNames;
    if (rt.categories?.length) entry.categories = rt.categories;
    if (!rt.virtual) entry.storageVersionHash = storageVersionHash(rt);
    resources.push(entry);
    for (const sub of [...rt.subresources].sort()) {
      const info = subresourceInfo(rt, sub);
      const subEntry: Record<string, unknown> = { name: `${rt.resource}/${sub}`, singularName: '', namespaced: rt.namespaced };
      // group/version appear only when the subresource's kind lives elsewhere (TokenRequest, Scale, Eviction).
      if (info.group !== rt.group || info.version !== rt.version) Object.assign(subEntry, { group: info.group, version: info.version });
      Object.assign(subEntry, { kind: info.kind, verbs: info.verbs });
      resources.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionString(group, version), resources };
}
