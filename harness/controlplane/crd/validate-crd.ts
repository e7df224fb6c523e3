// What kube-apiserver checks when an apiextensions.k8s.io/v1 CustomResourceDefinition is created or
// updated: names, group, scope, versions (exactly one storage version), a structural schema per
// version, subresources, printer columns and selectable fields.
import type { KubeObject, StatusCause } from '../types.ts';
import { causes, dns1035LabelErrors, dns1123SubdomainErrors, FieldPath } from './field-errors.ts';
import { crdSpec, isObject, type CrdVersion } from './schema-types.ts';
import { validateStructural } from './structural.ts';

const PRINTER_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const PRINTER_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const MAX_SELECTABLE_FIELDS = 8;

export function validateCrd(crd: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = crdSpec(crd);
  const specPath = new FieldPath('spec');
  const names = spec.names ?? {};

  const required = `${names.plural ?? ''}.${spec.group ?? ''}`;
  if (crd.metadata?.name !== required) out.push(causes.invalid('metadata.name', crd.metadata?.name ?? '', 'must be spec.names.plural+"."+spec.group'));

  if (!spec.group) out.push(causes.required('spec.group'));
  else {
    const errs = dns1123SubdomainErrors(spec.group);
    if (errs.length) out.push(causes.invalid('spec.group', spec.group, errs.join(',')));
    else if (spec.group.split('.').length < 2) out.push(causes.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }

  if (!spec.scope) out.push(causes.required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') out.push(causes.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));

  if (spec.preserveUnknownFields === true) {
    out.push(causes.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  validateNames(names, specPath.child('names'), out);
  validateVersions(spec.versions, specPath.child('versions'), out);

  const strategy = spec.conversion?.strategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook') {
    out.push(causes.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  }
  if (strategy === 'Webhook' && !spec.conversion?.webhook) out.push(causes.required('spec.conversion.webhook', 'required when strategy is set to Webhook'));
  return out;
}

function validateNames(names: NonNullable<ReturnType<typeof crdSpec>['names']>, path: FieldPath, out: StatusCause[]): void {
  if (!names.plural) out.push(causes.required(path.child('plural').text));
  if (!names.kind) out.push(causes.required(path.child('kind').text));
  const label = (field: string, value: string | undefined, mixedCase: boolean) => {
    if (!value) return;
    const errs = dns1035LabelErrors(mixedCase ? value.toLowerCase() : value);
    if (errs.length) out.push(causes.invalid(path.child(field).text, value, (mixedCase ? 'may have mixed case, but should otherwise match: ' : '') + errs.join(',')));
  };
  label('plural', names.plural, false);
  label('singular', names.singular, false);
  label('kind', names.kind, true);
  label('listKind', names.listKind, true);
  (names.shortNames ?? []).forEach((s, i) => {
    const errs = dns1035LabelErrors(s);
    if (errs.length) out.push(causes.invalid(path.child('shortNames').index(i).text, s, errs.join(',')));
  });
  (names.categories ?? []).forEach((c, i) => {
    const errs = dns1035LabelErrors(c);
    if (errs.length) out.push(causes.invalid(path.child('categories').index(i).text, c, errs.join(',')));
  });
  if (names.kind && names.kind === names.listKind) out.push(causes.invalid(path.child('listKind').text, names.listKind, 'kind and listKind may not be the same'));
}

function validateVersions(versions: CrdVersion[] | undefined, path: FieldPath, out: StatusCause[]): void {
  const list = Array.isArray(versions) ? versions : [];
  if (!list.length) out.push(causes.required(path.text, 'must have at least one version'));
  const seen = new Set<string>();
  let storage = 0;
  let duplicate = false;
  list.forEach((v, i) => {
    const vp = path.index(i);
    if (!isObject(v)) {
      out.push(causes.invalid(vp.text, v, 'must be an object'));
      return;
    }
    if (v.storage === true) storage++;
    if (seen.has(v.name)) duplicate = true;
    seen.add(v.name);
    if (!v.name) out.push(causes.required(vp.child('name').text));
    else {
      const errs = dns1035LabelErrors(v.name);
      if (errs.length) out.push(causes.invalid(vp.child('name').text, v.name, errs.join(',')));
    }
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) out.push(causes.required(vp.child('schema').child('openAPIV3Schema').text, 'schemas are required'));
    else out.push(...validateStructural(schema, vp.child('schema').child('openAPIV3Schema')));
    validateSubresources(v, vp.child('subresources'), out);
    validateColumns(v, vp.child('additionalPrinterColumns'), out);
    validateSelectableFields(v, vp.child('selectableFields'), out);
  });
  if (duplicate) out.push(causes.invalid(path.text, list.map((v) => v?.name), 'must contain unique version names'));
  if (storage !== 1) out.push(causes.invalid(path.text, list.map((v) => v?.name), 'must have exactly one version marked as storage version'));
}

function validateSubresources(v: CrdVersion, path: FieldPath, out: StatusCause[]): void {
  const scale = v.subresources?.scale;
  if (!scale) return;
  const sp = path.child('scale');
  if (!scale.specReplicasPath) out.push(causes.required(sp.child('specReplicasPath').text));
  else if (!scale.specReplicasPath.startsWith('.spec.')) out.push(causes.invalid(sp.child('specReplicasPath').text, scale.specReplicasPath, 'should be a json path under .spec'));
  if (!scale.statusReplicasPath) out.push(causes.required(sp.child('statusReplicasPath').text));
  else if (!scale.statusReplicasPath.startsWith('.status.')) out.push(causes.invalid(sp.child('statusReplicasPath').text, scale.statusReplicasPath, 'should be a json path under .status'));
  if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath)) {
    out.push(causes.invalid(sp.child('labelSelectorPath').text, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
  }
}

function validateColumns(v: CrdVersion, path: FieldPath, out: StatusCause[]): void {
  (v.additionalPrinterColumns ?? []).forEach((c, i) => {
    const cp = path.index(i);
    if (!c.name) out.push(causes.required(cp.child('name').text));
    if (!c.type) out.push(causes.required(cp.child('type').text, `must be one of ${PRINTER_TYPES.join(',')}`));
    else if (!PRINTER_TYPES.includes(c.type)) out.push(causes.invalid(cp.child('type').text, c.type, `must be one of ${PRINTER_TYPES.join(',')}`));
    if (c.format && !PRINTER_FORMATS.includes(c.format)) out.push(causes.invalid(cp.child('format').text, c.format, `must be one of ${PRINTER_FORMATS.join(',')}`));
    if (!c.jsonPath) out.push(causes.required(cp.child('jsonPath').text));
    else if (!c.jsonPath.startsWith('.')) out.push(causes.invalid(cp.child('jsonPath').text, c.jsonPath, 'must be a simple json path starting with .'));
  });
}

function validateSelectableFields(v: CrdVersion, path: FieldPath, out: StatusCause[]): void {
  const fields = v.selectableFields ?? [];
  if (fields.length > MAX_SELECTABLE_FIELDS) out.push(causes.tooMany(path.text, fields.length, MAX_SELECTABLE_FIELDS));
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const fp = path.index(i).child('jsonPath');
    if (!f.jsonPath) out.push(causes.required(fp.text));
    else if (!f.jsonPath.startsWith('.')) out.push(causes.invalid(fp.text, f.jsonPath, 'must be a simple json path starting with .'));
    else if (seen.has(f.jsonPath)) out.push(causes.duplicate(fp.text, f.jsonPath));
    if (f.jsonPath) seen.add(f.jsonPath);
  });
}
