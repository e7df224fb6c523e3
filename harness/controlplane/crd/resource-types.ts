// One ResourceType per served version of a CRD: names (with the v1 defaults for singular and
// listKind), scope, subresources, printer columns and selectable fields of that version.
import type { KubeObject, PrinterColumn, ResourceType } from '../types.ts';
import { crdSpec, isObject } from './schema-types.ts';

const CR_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Value at a simple JSONPath like `.spec.color` (what selectableFields allow). */
export function valueAtJsonPath(obj: unknown, jsonPath: string): unknown {
  let cur: unknown = obj;
  for (const part of jsonPath.replace(/^\./, '').split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Selectable field values are strings, integers or booleans, compared as their string form. */
function selectableValue(obj: KubeObject, jsonPath: string): string | undefined {
  const v = valueAtJsonPath(obj, jsonPath);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function crdResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = crdSpec(crd);
  const names = spec.names ?? {};
  const kind = names.kind ?? '';
  const storageVersion = spec.versions?.find((v) => v.storage)?.name;
  return (spec.versions ?? [])
    .filter((v) => v.served !== false)
    .map((v) => {
      const subresources: string[] = [];
      if (v.subresources?.status) subresources.push('status');
      if (v.subresources?.scale) subresources.push('scale');
      const printerColumns: PrinterColumn[] = (v.additionalPrinterColumns ?? []).map((c) => ({
        name: c.name ?? '',
        type: (c.type ?? 'string') as PrinterColumn['type'],
        jsonPath: c.jsonPath ?? '',
        ...(c.description ? { description: c.description } : {}),
        ...(c.priority !== undefined ? { priority: c.priority } : {}),
        ...(c.format ? { format: c.format } : {}),
      }));
      const fieldSelectors: ResourceType['fieldSelectors'] = {};
      for (const f of v.selectableFields ?? []) {
        if (!f.jsonPath) continue;
        const path = f.jsonPath;
        fieldSelectors[path.replace(/^\./, '')] = (obj) => selectableValue(obj, path);
      }
      const rt: ResourceType = {
        group: spec.group ?? '',
        version: v.name,
        resource: names.plural ?? '',
        kind,
        listKind: names.listKind || `${kind}List`,
        singular: names.singular || kind.toLowerCase(),
        namespaced: spec.scope !== 'Cluster',
        verbs: [...CR_VERBS],
        subresources,
        custom: true,
        ...(storageVersion ? { storageVersion } : {}),
        ...(names.shortNames?.length ? { shortNames: [...names.shortNames] } : {}),
        ...(names.categories?.length ? { categories: [...names.categories] } : {}),
        ...(printerColumns.length ? { printerColumns } : {}),
        ...(Object.keys(fieldSelectors).length ? { fieldSelectors } : {}),
      };
      return rt;
    });
}
