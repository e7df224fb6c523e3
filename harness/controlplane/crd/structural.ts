// Structural-schema rules kube-apiserver enforces on apiextensions.k8s.io/v1 CRD schemas
// (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
// every specified field has a type, arrays have items, properties and additionalProperties
// exclude each other, metadata may restrict only name/generateName, and the extensions are
// consistent. Messages follow the apiserver's field errors.
import type { StatusCause } from '../types.ts';
import { causes, FieldPath } from './field-errors.ts';
import { isObject, type Schema } from './schema-types.ts';
import { validateValue } from './validate-object.ts';

type Level = 'root' | 'item' | 'field';

function isSchema(s: unknown): s is Schema {
  return isObject(s);
}

const LIST_TYPES = ['atomic', 'set', 'map'];
const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);

export function validateStructural(schema: Schema, path: FieldPath): StatusCause[] {
  const out: StatusCause[] = [];
  walk(schema, 'root', path, out);
  return out;
}

function walk(s: Schema, lvl: Level, path: FieldPath, out: StatusCause[]): void {
  if (!isSchema(s)) {
    out.push(causes.invalid(path.text, s, 'must be a schema object'));
    return;
  }
  const type = s.type ?? '';
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  const embedded = s['x-kubernetes-embedded-resource'] === true;

  if (s.$ref !== undefined) out.push(causes.forbidden(path.child('$ref').text, '$ref is not supported'));
  if (type && !['object', 'array', ...SCALARS].includes(type)) {
    out.push(causes.notSupported(path.child('type').text, type, ['array', 'boolean', 'integer', 'number', 'object', 'string']));
  }
  if (type === 'array' && s.items === undefined) out.push(causes.required(path.child('items').text, 'must be specified'));
  if (Array.isArray(s.items)) out.push(causes.forbidden(path.child('items').text, 'items must be a schema object and not an array'));

  if (embedded && type !== 'object') {
    if (!type) out.push(causes.required(path.child('type').text, 'must be object if x-kubernetes-embedded-resource is true'));
    else out.push(causes.invalid(path.child('type').text, type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !intOrString && preserve !== true) {
    const detail = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    out.push(causes.required(path.child('type').text, detail));
  }
  if (lvl === 'root' && type && type !== 'object') out.push(causes.invalid(path.child('type').text, type, 'must be object at the root'));
  if (intOrString && type) out.push(causes.invalid(path.child('type').text, type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (intOrString && preserve === true) out.push(causes.invalid(path.child('x-kubernetes-preserve-unknown-fields').text, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) out.push(causes.invalid(path.child('x-kubernetes-embedded-resource').text, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (preserve === false) out.push(causes.invalid(path.child('x-kubernetes-preserve-unknown-fields').text, false, 'must be true or undefined'));
  if (embedded && preserve !== true && !Object.keys(s.properties ?? {}).length) {
    out.push(causes.required(path.child('properties').text, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }

  if (s.additionalProperties !== undefined) {
    if (s.properties !== undefined) out.push(causes.forbidden(path.child('additionalProperties').text, 'additionalProperties and properties are mutual exclusive'));
    if (lvl === 'root') out.push(causes.forbidden(path.child('additionalProperties').text, 'must not be used at the root'));
    if (s.additionalProperties === false) out.push(causes.forbidden(path.child('additionalProperties').text, 'additionalProperties cannot be set to false'));
    if (embedded) out.push(causes.forbidden(path.child('additionalProperties').text, 'must not be used if x-kubernetes-embedded-resource is set'));
    if (isObject(s.additionalProperties)) walk(s.additionalProperties as Schema, 'field', path.child('additionalProperties'), out);
  }
  if (s.uniqueItems === true) out.push(causes.forbidden(path.child('uniqueItems').text, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.pattern !== undefined) checkPattern(s.pattern, path.child('pattern'), out);
  if (s.default !== undefined && lvl !== 'root') checkDefault(s, path.child('default'), out);

  checkListType(s, path, out);
  checkMetadata(s, lvl, embedded, path, out);

  if (isObject(s.items)) walk(s.items as Schema, 'item', path.child('items'), out);
  for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, 'field', path.child('properties').key(k), out);
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    (s[junctor] ?? []).forEach((n, i) => nested(n, path.child(junctor).index(i), out));
  }
  if (s.not) nested(s.not, path.child('not'), out);
}

/** Value validations under allOf/anyOf/oneOf/not may not declare types, defaults or extensions. */
function nested(s: Schema, path: FieldPath, out: StatusCause[]): void {
  if (!isSchema(s)) return;
  if (s.type) out.push(causes.forbidden(path.child('type').text, 'must be empty to be structural'));
  if (s.additionalProperties !== undefined) out.push(causes.forbidden(path.child('additionalProperties').text, 'must be undefined to be structural'));
  if (s.default !== undefined) out.push(causes.forbidden(path.child('default').text, 'must be undefined to be structural'));
  if (s.description) out.push(causes.forbidden(path.child('description').text, 'must be empty to be structural'));
  if (s.nullable) out.push(causes.forbidden(path.child('nullable').text, 'must be false to be structural'));
  for (const ext of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'] as const) {
    if (s[ext]) out.push(causes.forbidden(path.child(ext).text, 'must be false to be structural'));
  }
  if (s.properties?.metadata) out.push(causes.forbidden(path.child('properties').key('metadata').text, 'must not be specified in a nested context'));
  if (isObject(s.items)) nested(s.items as Schema, path.child('items'), out);
  for (const [k, v] of Object.entries(s.properties ?? {})) nested(v, path.child('properties').key(k), out);
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) (s[junctor] ?? []).forEach((n, i) => nested(n, path.child(junctor).index(i), out));
  if (s.not) nested(s.not, path.child('not'), out);
}

function checkPattern(pattern: unknown, path: FieldPath, out: StatusCause[]): void {
  try {
    new RegExp(String(pattern), 'u');
  } catch (err) {
    out.push(causes.invalid(path.text, pattern, `must be a valid regular expression, but isn't: ${(err as Error).message}`));
  }
}

/** Defaults must validate against their own schema (kube-apiserver rejects the CRD otherwise). */
function checkDefault(s: Schema, path: FieldPath, out: StatusCause[]): void {
  let found: StatusCause[];
  try {
    found = validateValue(s, s.default);
  } catch {
    return; // a schema ajv cannot compile is reported by the other checks
  }
  for (const c of found) out.push({ ...c, field: c.field ? `${path.text}.${c.field}` : path.text });
}

function checkListType(s: Schema, path: FieldPath, out: StatusCause[]): void {
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'];
  const items = isObject(s.items) ? (s.items as Schema) : undefined;
  if (listType !== undefined) {
    if (s.type !== 'array') out.push(causes.invalid(path.child('type').text, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
    if (!LIST_TYPES.includes(listType)) out.push(causes.notSupported(path.child('x-kubernetes-list-type').text, listType, LIST_TYPES));
  }
  if (listType === 'map') {
    if (!keys?.length) out.push(causes.required(path.child('x-kubernetes-list-map-keys').text, 'must not be empty if x-kubernetes-list-type is map'));
    if (items && items.type !== 'object') out.push(causes.invalid(path.child('items').child('type').text, items.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is map'));
    for (const [i, k] of (keys ?? []).entries()) {
      const prop = items?.properties?.[k];
      if (!prop) out.push(causes.invalid(path.child('x-kubernetes-list-map-keys').index(i).text, k, 'entries must all be names of item properties'));
      else if (!prop.type || !SCALARS.has(prop.type)) out.push(causes.invalid(path.child('items').child('properties').key(k).child('type').text, prop.type ?? '', 'must be a scalar type if parent array\'s x-kubernetes-list-type is map'));
      else if (prop.default === undefined && !items?.required?.includes(k)) {
        out.push(causes.required(path.child('items').child('properties').key(k).text, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
      }
    }
  } else if (keys?.length) {
    out.push(causes.invalid(path.child('x-kubernetes-list-type').text, listType ?? '', 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType === 'set' && items?.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
    out.push(causes.invalid(path.child('items').child('x-kubernetes-map-type').text, items['x-kubernetes-map-type'] ?? '', 'must be atomic as item of a list with x-kubernetes-list-type=set'));
  }
}

function checkMetadata(s: Schema, lvl: Level, embedded: boolean, path: FieldPath, out: StatusCause[]): void {
  const props = s.properties ?? {};
  if (lvl === 'root' || embedded) {
    for (const [name, want] of [['kind', 'string'], ['apiVersion', 'string'], ['metadata', 'object']] as const) {
      const p = props[name];
      if (p && p.type !== want) out.push(causes.invalid(path.child('properties').key(name).child('type').text, p.type ?? '', `must be ${want}`));
    }
  }
  const meta = props.metadata;
  if (lvl !== 'root' || !meta) return;
  const metaProps = Object.keys(meta.properties ?? {});
  const onlyNames = metaProps.every((k) => k === 'name' || k === 'generateName');
  const extra = Object.keys(meta).filter((k) => !['type', 'properties', 'description'].includes(k));
  if (!onlyNames || extra.length) {
    out.push(causes.forbidden(path.child('properties').key('metadata').text, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
}
