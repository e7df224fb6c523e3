// The served resource types: built-ins plus the versions of every established CRD. Objects of all
// versions of one group/resource share one storage bucket keyed `<group>/<resource>`.
import type { GroupVersionResource, ResourceType } from '../types.ts';

export function storageKey(rt: Pick<ResourceType, 'group' | 'resource'>): string {
  return `${rt.group}/${rt.resource}`;
}

export class TypeTable {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly listeners = new Set<() => void>();

  constructor(builtins: ResourceType[]) {
    for (const t of builtins) this.byGvr.set(`${t.group}/${t.version}/${t.resource}`, t);
  }

  resolve(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  resolveGvr(gvr: GroupVersionResource): ResourceType | undefined {
    return this.resolve(gvr.group, gvr.version, gvr.resource);
  }

  /** Any served version of a group/resource (for internal callers that name no exact version). */
  anyVersion(group: string, resource: string): ResourceType | undefined {
    for (const t of this.byGvr.values()) if (t.group === group && t.resource === resource) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }

  /** Replaces every version of `group/resource` with `types` (CRD created, updated or removed). */
  replace(group: string, resource: string, types: ResourceType[]): void {
    for (const [k, t] of this.byGvr) if (t.group === group && t.resource === resource) this.byGvr.delete(k);
    for (const t of types) this.byGvr.set(`${t.group}/${t.version}/${t.resource}`, t);
    for (const l of [...this.listeners]) l();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
