// Label and field selectors with kube-apiserver's grammar: labels `=`, `==`, `!=`, `in (..)`,
// `notin (..)`, `key`, `!key` joined by commas; fields `=`, `==`, `!=` over a per-type whitelist.
import { ApiError, type KubeObject, type ResourceType } from '../types.ts';

type LabelRequirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function badSelector(message: string): ApiError {
  return new ApiError(400, 'BadRequest', `unable to parse requirement: ${message}`);
}

/** Validates a label key (optional DNS-subdomain prefix + `/` + name of at most 63 chars). */
export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (!parts[0] || parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && NAME_PART.test(name);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw badSelector(`unexpected ')' in "${input}"`);
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) throw badSelector(`unbalanced parentheses in "${input}"`);
  terms.push(current);
  return terms;
}

function checkKey(key: string): string {
  if (!isQualifiedName(key)) throw badSelector(`invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`);
  return key;
}

function checkValue(value: string): string {
  if (!isLabelValue(value)) throw badSelector(`invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`);
  return value;
}

export function parseLabelSelector(input: string | undefined): LabelSelector {
  if (input === undefined || input.trim() === '') return [];
  const out: LabelSelector = [];
  for (const raw of splitTerms(input)) {
    const term = raw.trim();
    if (!term) throw badSelector(`found '', expected: identifier in "${input}"`);
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^!\s*([^\s=!<>(),]+)$/))) out.push({ key: checkKey(m[1]), op: 'notexists' });
    else if ((m = term.match(/^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      const values = m[3].split(',').map((v) => checkValue(v.trim()));
      if (m[3].trim() === '') throw badSelector(`for '${m[2]}' operator, values set can't be empty`);
      out.push({ key: checkKey(m[1]), op: m[2] as 'in' | 'notin', values });
    } else if ((m = term.match(/^([^\s=!<>(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/))) {
      out.push({ key: checkKey(m[1]), op: m[2] === '!=' ? 'notin' : 'in', values: [checkValue(m[3])] });
    } else if ((m = term.match(/^([^\s=!<>(),]+)\s*(>|<)\s*(-?\d+)$/))) {
      out.push({ key: checkKey(m[1]), op: m[2] === '>' ? 'gt' : 'lt', value: Number(m[3]) });
    } else if ((m = term.match(/^([^\s=!<>(),]+)$/))) out.push({ key: checkKey(m[1]), op: 'exists' });
    else throw badSelector(`found '${term}', expected: identifier, '!', 'in', 'notin', '=', '==' or '!='`);
  }
  return out;
}

export function matchLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists': return has;
      case 'notexists': return !has;
      case 'in': return has && r.values.includes(l[r.key]);
      case 'notin': return !has || !r.values.includes(l[r.key]);
      case 'gt': return has && /^-?\d+$/.test(l[r.key]) && Number(l[r.key]) > r.value;
      case 'lt': return has && /^-?\d+$/.test(l[r.key]) && Number(l[r.key]) < r.value;
    }
  });
}

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

export type FieldSelector = FieldRequirement[];

export function parseFieldSelector(input: string | undefined, rt: ResourceType): FieldSelector {
  if (input === undefined || input.trim() === '') return [];
  const out: FieldSelector = [];
  for (const raw of input.split(',')) {
    const term = raw.trim();
    const m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new ApiError(400, 'BadRequest', `invalid selector: '${input}'; can't understand '${term}'`);
    const field = m[1];
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !rt.fieldSelectors?.[field]) {
      throw new ApiError(400, 'BadRequest', `field label not supported: ${field}`);
    }
    out.push({ field, negate: m[2] === '!=', value: m[3] });
  }
  return out;
}

export function fieldValue(rt: ResourceType, obj: KubeObject, field: string): string {
  if (field === 'metadata.name') return obj.metadata.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
  return rt.fieldSelectors?.[field]?.(obj) ?? '';
}

export function matchFields(rt: ResourceType, selector: FieldSelector, obj: KubeObject): boolean {
  return selector.every((r) => (fieldValue(rt, obj, r.field) === r.value) !== r.negate);
}

/** Parsed label+field selector pair as one predicate. */
export function compileSelectors(rt: ResourceType, labelSelector?: string, fieldSelector?: string): (obj: KubeObject) => boolean {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector, rt);
  if (!labels.length && !fields.length) return () => true;
  return (obj) => matchLabels(labels, obj.metadata.labels) && matchFields(rt, fields, obj);
}
