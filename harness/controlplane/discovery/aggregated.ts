// Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) for GET /api and /apis.
// It must be served with AGGREGATED_DISCOVERY_CONTENT_TYPE: labelled plain application/json,
// kubectl reads the body as a legacy list and finds no resources.

import type { ResourceType } from '../types.ts';
import { subresourceInfo } from '../catalog/subresources.ts';
import { groupTypes, type DiscoveryDocument } from './grouping.ts';

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when an Accept header asks for aggregated discovery v2 (kubectl and client-go ≥ 1.30 do). */
export function acceptsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params[0] === 'application/json' && params.includes('g=apidiscovery.k8s.io') && params.includes('v=v2') && params.includes('as=APIGroupDiscoveryList');
  });
}

function resourceEntry(rt: ResourceType): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: rt.resource,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: rt.verbs,
  };
  if (rt.shortNames?.length) entry.shortNames = rt.shortNames;
  if (rt.categories?.length) entry.categories = rt.categories;
  if (rt.subresources.length) {
    entry.subresources = [...rt.subresources].sort().map((sub) => {
      const info = subresourceInfo(rt, sub);
      return { subresource: sub, responseKind: { group: info.group, version: info.version, kind: info.kind }, verbs: info.verbs };
    });
  }
  return entry;
}

/** `/api` lists the core group only; `/apis` every other group in discovery order. */
export function aggregatedDiscovery(types: ResourceType[], root: 'api' | 'apis'): DiscoveryDocument {
  const groups = groupTypes(types).filter((g) => (root === 'api' ? g.group === '' : g.group !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.group },
      versions: g.versions.map((v) => ({ version: v.version, resources: v.types.map(resourceEntry), freshness: 'Current' })),
    })),
  };
}
