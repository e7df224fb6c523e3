// Unknown fields in built-in objects, as kube-apiserver's strict JSON decoding reports them: the
// object is walked against the field tables generated from the public API definitions (the tables
// the protobuf decoder uses). Kinds without a table, and free-form values (maps, quantities, times,
// raw extensions, managedFields' FieldsV1), are not looked into, so nothing is flagged wrongly.
import { messageFor } from '../protobuf/index.ts';
import { MESSAGES } from '../protobuf/tables.generated.ts';
import type { FieldRow } from '../protobuf/wire.ts';
import type { KubeObject, RequestContext, ResourceType } from '../types.ts';
import { badRequest } from './errors.ts';

type Json = Record<string, unknown>;

/** JSON name → row, inlined messages flattened into their parent (as Go's JSON does). */
const fieldsCache = new Map<string, Map<string, FieldRow>>();
function fieldsOf(message: string): Map<string, FieldRow> {
  let fields = fieldsCache.get(message);
  if (fields) return fields;
  fields = new Map();
  for (const row of MESSAGES[message] ?? []) {
    if (row[3].includes('I')) for (const [name, inner] of fieldsOf(row[2])) fields.set(name, inner);
    else fields.set(row[1], row);
  }
  fieldsCache.set(message, fields);
  return fields;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(message: string, value: Json, path: string, out: string[]): void {
  const fields = fieldsOf(message);
  for (const [key, child] of Object.entries(value)) {
    const row = fields.get(key);
    const here = path ? `${path}.${key}` : key;
    if (!row) {
      out.push(here);
      continue;
    }
    if (!MESSAGES[row[2]]) continue; // scalars, maps and well-known types are free-form here
    if (row[3].includes('R')) {
      if (Array.isArray(child)) child.forEach((item, i) => isObject(item) && walk(row[2], item, `${here}[${i}]`, out));
    } else if (isObject(child)) walk(row[2], child, here, out);
  }
}

/** Paths (`spec.template.spec.containers[0].imagee`) of fields the kind does not have. */
export function unknownBuiltinFields(rt: ResourceType, obj: KubeObject): string[] {
  const message = messageFor(rt.group ? `${rt.group}/${rt.version}` : rt.version, rt.kind);
  if (!message) return [];
  const { apiVersion: _v, kind: _k, ...rest } = obj as unknown as Json;
  const out: string[] = [];
  walk(message, rest, '', out);
  return out;
}

/** fieldValidation for built-in kinds: Strict is a 400 naming every unknown field, Warn a warning each. */
export function checkBuiltinFields(rt: ResourceType, obj: KubeObject, ctx: RequestContext): void {
  if (rt.custom || ctx.fieldValidation === 'Ignore') return;
  const unknown = unknownBuiltinFields(rt, obj);
  if (!unknown.length) return;
  if (ctx.fieldValidation === 'Strict') {
    // kube-apiserver names the version alone here ("v1", also for apps/v1).
    throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
  }
  for (const p of unknown) ctx.warnings.push(`unknown field "${p}"`);
}
