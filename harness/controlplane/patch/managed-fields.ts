// metadata.managedFields entries as field sets, and their encoding back (kube's order and format).
import type { ManagedFieldsEntry } from '../types.ts';
import { FieldSet } from './fieldset.ts';
import { isPlainObject } from './json-values.ts';

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** The server's clock in managedFields format (RFC 3339, whole seconds, UTC). */
export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Decodes entries; undefined when any entry is malformed (kube then discards them all). */
export function decodeManagers(entries: unknown): Manager[] | undefined {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) return undefined;
  const out: Manager[] = [];
  for (const e of entries) {
    if (!isPlainObject(e)) return undefined;
    const { manager, operation, apiVersion, time, subresource, fieldsType, fieldsV1 } = e as Record<string, unknown>;
    if (operation !== 'Apply' && operation !== 'Update') return undefined;
    if (fieldsType !== undefined && fieldsType !== 'FieldsV1') return undefined;
    out.push({
      manager: typeof manager === 'string' ? manager : '',
      operation,
      apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
      ...(typeof time === 'string' ? { time } : {}),
      ...(typeof subresource === 'string' && subresource ? { subresource } : {}),
      set: FieldSet.fromFieldsV1(fieldsV1),
    });
  }
  return out;
}

/** Same identity as kube's manager identifier: Apply entries ignore apiVersion, Update entries include it. */
export function sameManager(m: Manager, name: string, operation: 'Apply' | 'Update', apiVersion: string, subresource?: string): boolean {
  return m.manager === name && m.operation === operation && (m.subresource ?? '') === (subresource ?? '') && (operation === 'Apply' || m.apiVersion === apiVersion);
}

/** Encodes managers, dropping empty ones, sorted like kube: operation, time, manager, apiVersion, subresource. */
export function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  const live = managers.filter((m) => !m.set.isEmpty());
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  live.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return live.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    ...(m.time ? { time: m.time } : {}),
    fieldsType: 'FieldsV1' as const,
    fieldsV1: m.set.toFieldsV1(),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}
