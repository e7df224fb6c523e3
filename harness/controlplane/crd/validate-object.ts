// Validation of a custom resource against its CRD schema with ajv, reported as the causes
// kube-apiserver sends (its messages come from kube-openapi's validator, mapped to field errors).
// CEL rules (`x-kubernetes-validations`) are deliberately not evaluated: they are ignored here.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { StatusCause } from '../types.ts';
import { causes, quote } from './field-errors.ts';
import { additionalSchema, isObject, itemsSchema, type Schema } from './schema-types.ts';

type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)\s*)+$/;
const CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false, unicodeRegExp: false });
  addFormats(ajv);
  // Formats kube-openapi knows whose meaning differs from ajv-formats (or which it lacks).
  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('cidr', CIDR);
  ajv.addFormat('mac', MAC);
  ajv.addFormat('byte', BASE64);
  ajv.addFormat('uri', { validate: (s: string) => s.startsWith('/') || URL.canParse(s) });
  for (const lenient of ['password', 'isbn', 'isbn10', 'isbn13', 'creditcard', 'ssn', 'hexcolor', 'rgbcolor', 'bsonobjectid', 'uuid3', 'uuid4', 'uuid5']) {
    ajv.addFormat(lenient, true);
  }
  return ajv;
}

const ajv = newAjv();

function validPattern(p: string): boolean {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}

/** CRD schema → plain JSON Schema for ajv (int-or-string, nullable, draft-4 exclusive bounds). */
export function toAjvSchema(s: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const types = s['x-kubernetes-int-or-string'] ? ['integer', 'string'] : s.type ? [s.type] : [];
  if (types.length && s.nullable) types.push('null');
  if (types.length) out.type = types.length === 1 ? types[0] : types;
  for (const k of ['minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    const v = s[flag];
    if (v === true && s[bound] !== undefined) {
      out[flag] = s[bound];
      delete out[bound];
    } else if (typeof v === 'number') out[flag] = v;
  }
  if (s.enum) out.enum = s.nullable ? [...s.enum, null] : s.enum;
  if (s.pattern !== undefined && validPattern(s.pattern)) out.pattern = s.pattern;
  // kube-openapi checks formats of strings only.
  if (s.format && (s.type === 'string' || s['x-kubernetes-int-or-string'])) out.format = s.format;
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toAjvSchema(v)]));
  const additional = s.properties ? undefined : additionalSchema(s);
  if (additional && !additional['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = toAjvSchema(additional);
  const items = itemsSchema(s);
  if (items) out.items = toAjvSchema(items);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) if (s[j]) out[j] = s[j]!.map(toAjvSchema);
  if (s.not) out.not = toAjvSchema(s.not);
  return out;
}

/** The root schema with `metadata` limited to name/generateName (the rest is ObjectMeta's business). */
export function compileValidator(root: Schema): ValidateFunction {
  const schema = toAjvSchema(root);
  const props = (schema.properties ??= {}) as Record<string, Record<string, unknown>>;
  const meta = root.properties?.metadata?.properties ?? {};
  props.metadata = { type: 'object', properties: Object.fromEntries(['name', 'generateName'].filter((k) => meta[k]).map((k) => [k, toAjvSchema(meta[k])])) };
  return ajv.compile(schema);
}

/** Decodes an ajv instancePath into a field path, `spec.repos[0].url` style, guided by the data. */
function fieldPath(data: unknown, pointer: string): string {
  if (!pointer) return '';
  let cur: unknown = data;
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      out += out ? `.${seg}` : seg;
      cur = isObject(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur: unknown = data;
  for (const raw of pointer ? pointer.slice(1).split('/') : []) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = Array.isArray(cur) ? cur[Number(seg)] : isObject(cur) ? cur[seg] : undefined;
  }
  return cur;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Errors raised while evaluating an anyOf/oneOf/not branch are summarised by that keyword's own error. */
function insideComposite(e: ErrorObject): boolean {
  return /\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath) || /\/not\//.test(e.schemaPath);
}

export function ajvErrorsToCauses(data: unknown, errors: ErrorObject[]): StatusCause[] {
  const out: StatusCause[] = [];
  for (const e of errors) {
    if (insideComposite(e)) continue;
    const field = fieldPath(data, e.instancePath);
    const value = valueAt(data, e.instancePath);
    const p = e.params as Record<string, unknown>;
    const inBody = field ? `${field} in body` : 'in body';
    switch (e.keyword) {
      case 'required':
        out.push(causes.required(field ? `${field}.${String(p.missingProperty)}` : String(p.missingProperty)));
        break;
      case 'type': {
        const want = (Array.isArray(p.type) ? p.type : String(p.type).split(',')).filter((t: unknown) => t !== 'null').join(',');
        out.push(causes.typeInvalid(field, jsonType(value), `${inBody} must be of type ${want}: ${quote(jsonType(value))}`));
        break;
      }
      case 'enum':
        out.push(causes.notSupported(field, value, ((p.allowedValues as unknown[]) ?? []).filter((v) => v !== null)));
        break;
      case 'maxLength':
        out.push(causes.tooLong(field, Number(p.limit)));
        break;
      case 'maxItems':
      case 'maxProperties':
        out.push(causes.tooMany(field, Array.isArray(value) ? value.length : Object.keys(value as object).length, Number(p.limit)));
        break;
      default:
        out.push(causes.invalid(field, value, `${inBody} ${detailFor(e, value)}`));
    }
  }
  return out;
}

/** kube-openapi (go-openapi) wording for the remaining keywords. */
function detailFor(e: ErrorObject, value: unknown): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'minimum':
      return `should be greater than or equal to ${p.limit}`;
    case 'exclusiveMinimum':
      return `should be greater than ${p.limit}`;
    case 'maximum':
      return `should be less than or equal to ${p.limit}`;
    case 'exclusiveMaximum':
      return `should be less than ${p.limit}`;
    case 'minLength':
      return `should be at least ${p.limit} chars long`;
    case 'pattern':
      return `should match '${p.pattern}'`;
    case 'format':
      return `must be of type ${p.format}: ${quote(value)}`;
    case 'minItems':
      return `should have at least ${p.limit} items`;
    case 'uniqueItems':
      return "shouldn't contain duplicates";
    case 'multipleOf':
      return `should be a multiple of ${p.multipleOf}`;
    case 'minProperties':
      return `should have at least ${p.limit} properties`;
    case 'anyOf':
      return 'must validate at least one schema (anyOf)';
    case 'oneOf':
      return 'must validate one and only one schema (oneOf)';
    case 'not':
      return 'must not validate the schema (not)';
    default:
      return e.message ?? `failed ${e.keyword} validation`;
  }
}

const valueValidators = new Map<string, ValidateFunction>();

/** Validates one value against one (sub)schema, e.g. a `default` at CRD creation; causes use paths relative to it. */
export function validateValue(s: Schema, value: unknown): StatusCause[] {
  const key = JSON.stringify(s);
  let v = valueValidators.get(key);
  if (!v) {
    v = ajv.compile(toAjvSchema(s));
    if (valueValidators.size > 512) valueValidators.clear();
    valueValidators.set(key, v);
  }
  return v(value) ? [] : ajvErrorsToCauses(value, v.errors ?? []);
}
