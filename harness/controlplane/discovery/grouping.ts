// Groups served types by API group and version in discovery order.

import type { ResourceType } from '../types.ts';
import { compareGroups, compareVersions } from '../catalog/ordering.ts';

/** A discovery or OpenAPI response body (no ObjectMeta: these are not API objects). */
export type DiscoveryDocument = Record<string, unknown>;

export interface GroupVersions {
  group: string;
  /** Highest priority first; versions[0] is the preferred version. */
  versions: Array<{ version: string; types: ResourceType[] }>;
}

export function groupTypes(types: ResourceType[]): GroupVersions[] {
  const byGroup = new Map<string, Map<string, ResourceType[]>>();
  for (const rt of types) {
    let versions = byGroup.get(rt.group);
    if (!versions) byGroup.set(rt.group, (versions = new Map()));
    const list = versions.get(rt.version) ?? [];
    list.push(rt);
    versions.set(rt.version, list);
  }
  return [...byGroup.keys()].sort(compareGroups).map((group) => ({
    group,
    versions: [...byGroup.get(group)!.entries()]
      .sort(([a], [b]) => compareVersions(a, b))
      .map(([version, list]) => ({ version, types: [...list].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0)) })),
  }));
}

export function groupVersionString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
