// Small helpers shared by the built-in printer column tables: typed access into untyped JSON
// objects and kubectl's standard formatting ("<none>", label selectors, container lists).

import type { KubeObject, PrinterColumn } from '../types.ts';
import { AGE_COLUMN } from '../printers/index.ts';

export type Obj = Record<string, unknown>;

export const NONE = '<none>';

export function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}

export function spec(o: KubeObject): Obj {
  return obj(o.spec);
}

export function status(o: KubeObject): Obj {
  return obj(o.status);
}

/** A computed column. */
export function computed(name: string, type: PrinterColumn['type'], compute: (o: KubeObject, now: Date) => unknown, priority = 0, description = ''): PrinterColumn {
  return { name, type, jsonPath: '', compute, ...(priority ? { priority } : {}), ...(description ? { description } : {}) };
}

export const AGE = AGE_COLUMN;

/** "Created At" as roles, CRDs and limit ranges print it: the RFC 3339 creation time. */
export const CREATED_AT = computed('Created At', 'date', (o) => {
  const ts = o.metadata.creationTimestamp;
  return ts ? new Date(ts).toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
});

/** labels.Set(...).String(): sorted `k=v` joined by commas. */
export function formatLabels(m: unknown): string {
  const entries = Object.entries(obj(m)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(',') : NONE;
}

/** metav1.FormatLabelSelector: requirements sorted by key; "<none>" for an empty selector. */
export function formatLabelSelector(sel: unknown): string {
  const s = obj(sel);
  const reqs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(obj(s.matchLabels))) reqs.push([k, `${k}=${String(v)}`]);
  for (const e of arr(s.matchExpressions)) {
    const x = obj(e);
    const key = str(x.key);
    const values = arr(x.values).map(String).sort().join(',');
    switch (x.operator) {
      case 'In':
        reqs.push([key, `${key} in (${values})`]);
        break;
      case 'NotIn':
        reqs.push([key, `${key} notin (${values})`]);
        break;
      case 'Exists':
        reqs.push([key, key]);
        break;
      case 'DoesNotExist':
        reqs.push([key, `!${key}`]);
        break;
    }
  }
  reqs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return reqs.length ? reqs.map(([, r]) => r).join(',') : NONE;
}

/** Containers of a pod template (`spec.template.spec`) or pod spec. */
function containersOf(podSpec: Obj): Obj[] {
  return arr(podSpec.containers).map(obj);
}

/** The Containers / Images / Selector trio workload printers append at priority 1. */
export function templateColumns(withSelector = true): PrinterColumn[] {
  const podSpec = (o: KubeObject) => obj(obj(spec(o).template).spec);
  const cols = [
    computed('Containers', 'string', (o) => containersOf(podSpec(o)).map((c) => str(c.name)).join(','), 1, 'Names of each container in the template.'),
    computed('Images', 'string', (o) => containersOf(podSpec(o)).map((c) => str(c.image)).join(','), 1, 'Images referenced by each container in the template.'),
  ];
  if (withSelector) cols.push(computed('Selector', 'string', (o) => formatLabelSelector(spec(o).selector), 1, 'Label selector for the workload.'));
  return cols;
}

/** Conditions lookup: the condition of `type`, if any. */
export function condition(o: KubeObject, type: string): Obj | undefined {
  return arr(status(o).conditions).map(obj).find((c) => c.type === type);
}
