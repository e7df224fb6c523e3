// Kubernetes field-error causes (k8s.io/apimachinery/pkg/util/validation/field): the cause `type`
// and the message body ("Required value", `Invalid value: "x": detail`, ...) the real server sends.
import type { StatusCause } from '../types.ts';

/** Renders a value the way field errors quote it: strings quoted, numbers/bools bare, others JSON. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

const withDetail = (head: string, detail?: string) => (detail ? `${head}: ${detail}` : head);

export const causes = {
  required: (field: string, detail?: string): StatusCause => ({ type: 'FieldValueRequired', field, message: withDetail('Required value', detail) }),
  invalid: (field: string, value: unknown, detail: string): StatusCause => ({ type: 'FieldValueInvalid', field, message: `Invalid value: ${quote(value)}: ${detail}` }),
  typeInvalid: (field: string, value: unknown, detail: string): StatusCause => ({ type: 'FieldValueTypeInvalid', field, message: `Invalid value: ${quote(value)}: ${detail}` }),
  notSupported: (field: string, value: unknown, supported: unknown[]): StatusCause => ({
    type: 'FieldValueNotSupported',
    field,
    message: `Unsupported value: ${quote(value)}: supported values: ${supported.map((s) => (typeof s === 'string' ? JSON.stringify(s) : JSON.stringify(s))).join(', ')}`,
  }),
  forbidden: (field: string, detail: string): StatusCause => ({ type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` }),
  duplicate: (field: string, value: unknown): StatusCause => ({ type: 'FieldValueDuplicate', field, message: `Duplicate value: ${quote(value)}` }),
  tooLong: (field: string, max: number): StatusCause => ({ type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` }),
  tooMany: (field: string, actual: number, max: number): StatusCause => ({ type: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` }),
};

/** `field.Path` rendering: `.child`, `[index]`, `[key]` for map keys. */
export class FieldPath {
  constructor(readonly text: string) {}
  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** validation.IsDNS1035Label messages. */
export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035.test(value)) {
    errs.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return errs;
}

/** validation.IsDNS1123Subdomain messages. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!value.split('.').every((l) => DNS1123_LABEL.test(l))) {
    errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return errs;
}
