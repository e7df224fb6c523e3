// Server-side Table output (meta.k8s.io/v1 Table), what `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Columns come from the ResourceType:
// built-ins carry kubectl's columns (some computed), CRDs their additionalPrinterColumns.

import type { KubeObject, PrinterColumn, ResourceType } from '../types.ts';
import { ageSince } from './age.ts';
import { evaluateJsonPath } from './jsonpath.ts';

export { humanDuration, ageSince } from './age.ts';
export { evaluateJsonPath, parseJsonPath, JsonPathError } from './jsonpath.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** What each row's `object` carries; kube-apiserver's default (and kubectl's) is Metadata. */
  includeObject?: IncludeObject;
  listResourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Clock for AGE cells (tests). */
  now?: Date;
}

const NAME_COLUMN: PrinterColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  jsonPath: '.metadata.name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

/** The Age column every type without explicit columns gets (as CRDs without additionalPrinterColumns do). */
export const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
};

/**
 * The columns of `rt`'s Table: Name first, unless a built-in places its own name column (core
 * events print NAME last, at priority 1). CRDs always get Name first, as kube-apiserver does.
 */
export function tableColumns(rt: ResourceType): PrinterColumn[] {
  const declared = rt.printerColumns && rt.printerColumns.length > 0 ? rt.printerColumns : [AGE_COLUMN];
  return !rt.custom && declared.some((c) => c.format === 'name') ? declared : [NAME_COLUMN, ...declared];
}

export function toTable(rt: ResourceType, objects: KubeObject[], opts: TableOptions = {}): KubeObject {
  const columns = tableColumns(rt);
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const metadata: Record<string, unknown> = {};
  if (opts.listResourceVersion !== undefined) metadata.resourceVersion = opts.listResourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((obj) => {
      const row: Record<string, unknown> = { cells: columns.map((c) => cellFor(c, obj, now)) };
      if (include === 'Object') row.object = obj;
      else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
      return row;
    }),
  };
}

/** One cell: a computed value, else the first JSONPath result converted to the column type (null prints "<none>"). */
export function cellFor(col: PrinterColumn, obj: KubeObject, now: Date = new Date()): unknown {
  if (col.compute) return col.compute(obj, now) ?? null;
  let results: unknown[];
  try {
    results = evaluateJsonPath(col.jsonPath, obj);
  } catch {
    return null;
  }
  if (results.length === 0 || results[0] === null || results[0] === undefined) return null;
  return convertCell(col.type, results[0], now);
}

function convertCell(type: PrinterColumn['type'], value: unknown, now: Date): unknown {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
    case 'integer':
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
      return null;
    case 'number':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      return null;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return null;
    case 'date':
      if (typeof value !== 'string') return null;
      return Number.isNaN(Date.parse(value)) ? '<invalid>' : ageSince(value, now);
  }
}
