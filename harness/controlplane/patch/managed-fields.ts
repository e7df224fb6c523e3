// metadata.managedFields entries as field sets, and their encoding back (kube's order and format).
import type { JsonObject, ManagedFieldsEntry } from '../types.ts';
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
  // Whole seconds: format once per second, not once per write.
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return lastStamp;
}

let lastSecond = -1;
let lastStamp = '';

/**
 * Encodings this module produced, both ways. The FieldsV1 JSON is frozen, so the store keeps the
 * same object and the next write decodes it by lookup; a set that did not change re-encodes by
 * lookup too. FieldSets are never changed in place once built (every operation returns a new set).
 * Decoded sets are kept for the most recent encodings only (objects are mostly rewritten soon after
 * a write), so the cache does not hold a FieldSet tree for every stored object.
 */
const ENCODED = new WeakMap<FieldSet, JsonObject>();
const DECODED = new Map<object, FieldSet>();
const DECODED_MAX = 4096;

function encoded(set: FieldSet): JsonObject {
  let json = ENCODED.get(set);
  if (!json) {
    json = set.toFieldsV1(true);
    ENCODED.set(set, json);
  }
  if (!DECODED.has(json)) {
    if (DECODED.size >= DECODED_MAX) DECODED.delete(DECODED.keys().next().value!);
    DECODED.set(json, set);
  }
  return json;
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
      set: (isPlainObject(fieldsV1) && DECODED.get(fieldsV1)) || FieldSet.fromFieldsV1(fieldsV1),
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
    fieldsV1: encoded(m.set),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}
