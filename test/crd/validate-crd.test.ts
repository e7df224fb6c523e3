// Invalid CRD definitions → the causes kube-apiserver reports (field paths and wording).
import { describe, expect, it } from 'vitest';
import { validateCrd } from '../../harness/controlplane/crd/index.ts';
import type { KubeObject } from '../../harness/controlplane/types.ts';
import { widgetCrd } from './widget-crd.ts';

const SCHEMA_PATH = 'spec.versions[0].schema.openAPIV3Schema';

/** A minimal valid CRD with `mutate` applied to a copy. */
function crd(mutate: (c: any) => void = () => {}): KubeObject {
  const c: any = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', kind: 'Gadget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } } } }],
    },
  };
  mutate(c);
  return c;
}

const schemaOf = (c: any) => c.spec.versions[0].schema.openAPIV3Schema;

describe('validateCrd', () => {
  it('accepts a minimal CRD (singular and listKind are defaulted, not required)', () => {
    expect(validateCrd(crd())).toEqual([]);
  });

  it('name must be <plural>.<group>', () => {
    expect(validateCrd(crd((c) => (c.metadata.name = 'gadget.example.com')))).toEqual([
      { type: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "gadget.example.com": must be spec.names.plural+"."+spec.group' },
    ]);
  });

  it('group, scope and names', () => {
    const causes = validateCrd(crd((c) => {
      c.metadata.name = 'gadgets';
      c.spec.group = '';
      c.spec.scope = 'Global';
      c.spec.names = { plural: 'Gadgets', kind: 'Gadget', listKind: 'Gadget' };
    }));
    expect(causes).toEqual(expect.arrayContaining([
      { type: 'FieldValueRequired', field: 'spec.group', message: 'Required value' },
      { type: 'FieldValueNotSupported', field: 'spec.scope', message: 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"' },
      expect.objectContaining({ type: 'FieldValueInvalid', field: 'spec.names.plural', message: expect.stringContaining('Invalid value: "Gadgets": a DNS-1035 label') }),
      { type: 'FieldValueInvalid', field: 'spec.names.listKind', message: 'Invalid value: "Gadget": kind and listKind may not be the same' },
    ]));
    expect(validateCrd(crd((c) => { c.spec.group = 'example'; c.metadata.name = 'gadgets.example'; }))).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.group', message: 'Invalid value: "example": should be a domain with at least one dot' },
    ]);
    expect(validateCrd(crd((c) => delete c.spec.names.kind))).toEqual([{ type: 'FieldValueRequired', field: 'spec.names.kind', message: 'Required value' }]);
  });

  it('versions: exactly one storage version, unique names, schemas required', () => {
    const two = validateCrd(crd((c) => c.spec.versions.push({ ...c.spec.versions[0], name: 'v2' })));
    expect(two).toEqual([{ type: 'FieldValueInvalid', field: 'spec.versions', message: 'Invalid value: ["v1","v2"]: must have exactly one version marked as storage version' }]);
    const none = validateCrd(crd((c) => (c.spec.versions = [])));
    expect(none.map((x) => x.field)).toEqual(['spec.versions', 'spec.versions']);
    expect(none[1].message).toContain('must have exactly one version marked as storage version');
    const dup = validateCrd(crd((c) => c.spec.versions.push({ ...c.spec.versions[0], storage: false })));
    expect(dup).toEqual([{ type: 'FieldValueInvalid', field: 'spec.versions', message: 'Invalid value: ["v1","v1"]: must contain unique version names' }]);
    expect(validateCrd(crd((c) => delete c.spec.versions[0].schema))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}`, message: 'Required value: schemas are required' },
    ]);
  });

  it('structural schema: types are required at every level', () => {
    expect(validateCrd(crd((c) => delete schemaOf(c).properties.spec.type))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.properties[spec].type`, message: 'Required value: must not be empty for specified object fields' },
    ]);
    expect(validateCrd(crd((c) => delete schemaOf(c).type))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.type`, message: 'Required value: must not be empty at the root' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.list = { type: 'array', items: {} })))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.properties[spec].properties[list].items.type`, message: 'Required value: must not be empty for specified array items' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.list = { type: 'array' })))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.properties[spec].properties[list].items`, message: 'Required value: must be specified' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).type = 'string')))).toEqual([
      { type: 'FieldValueInvalid', field: `${SCHEMA_PATH}.type`, message: 'Invalid value: "string": must be object at the root' },
    ]);
  });

  it('structural schema: additionalProperties, metadata, extensions', () => {
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.additionalProperties = { type: 'string' })))).toEqual([
      { type: 'FieldValueForbidden', field: `${SCHEMA_PATH}.properties[spec].additionalProperties`, message: 'Forbidden: additionalProperties and properties are mutual exclusive' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.metadata = { type: 'object', properties: { labels: { type: 'object' } } })))).toEqual([
      { type: 'FieldValueForbidden', field: `${SCHEMA_PATH}.properties[metadata]`, message: 'Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } })))).toEqual([]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'string', 'x-kubernetes-int-or-string': true })))).toEqual([
      { type: 'FieldValueInvalid', field: `${SCHEMA_PATH}.properties[spec].properties[a].type`, message: 'Invalid value: "string": must be empty if x-kubernetes-int-or-string is true' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec['x-kubernetes-preserve-unknown-fields'] = false)))).toEqual([
      { type: 'FieldValueInvalid', field: `${SCHEMA_PATH}.properties[spec].x-kubernetes-preserve-unknown-fields`, message: 'Invalid value: false: must be true or undefined' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'array', items: { type: 'string' }, uniqueItems: true })))).toEqual([
      { type: 'FieldValueForbidden', field: `${SCHEMA_PATH}.properties[spec].properties[a].uniqueItems`, message: 'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { $ref: '#/definitions/x' })))).toContainEqual(
      { type: 'FieldValueForbidden', field: `${SCHEMA_PATH}.properties[spec].properties[a].$ref`, message: 'Forbidden: $ref is not supported' },
    );
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'object', 'x-kubernetes-embedded-resource': true })))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.properties[spec].properties[a].properties`, message: 'Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.anyOf = [{ type: 'object' }])))).toEqual([
      { type: 'FieldValueForbidden', field: `${SCHEMA_PATH}.properties[spec].anyOf[0].type`, message: 'Forbidden: must be empty to be structural' },
    ]);
  });

  it('defaults must validate against their schema', () => {
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'string', format: 'email', default: 'abc' })))).toEqual([
      { type: 'FieldValueInvalid', field: `${SCHEMA_PATH}.properties[spec].properties[a].default`, message: 'Invalid value: "abc": in body must be of type email: "abc"' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'object', properties: { n: { type: 'integer' } }, default: { n: 'x' } })))).toEqual([
      { type: 'FieldValueTypeInvalid', field: `${SCHEMA_PATH}.properties[spec].properties[a].default.n`, message: 'Invalid value: "string": n in body must be of type integer: "string"' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'integer', default: 3, minimum: 1 })))).toEqual([]);
  });

  it('list types', () => {
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } }, 'x-kubernetes-list-type': 'map' })))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.properties[spec].properties[a].x-kubernetes-list-map-keys`, message: 'Required value: must not be empty if x-kubernetes-list-type is map' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' })))).toEqual([
      { type: 'FieldValueNotSupported', field: `${SCHEMA_PATH}.properties[spec].properties[a].x-kubernetes-list-type`, message: 'Unsupported value: "bag": supported values: "atomic", "set", "map"' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })))).toEqual([
      { type: 'FieldValueInvalid', field: `${SCHEMA_PATH}.properties[spec].properties[a].x-kubernetes-list-map-keys[0]`, message: 'Invalid value: "name": entries must all be names of item properties' },
    ]);
    expect(validateCrd(crd((c) => (schemaOf(c).properties.spec.properties.a = { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'] })))).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.properties[spec].properties[a].items.properties[k]`, message: 'Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' },
    ]);
  });

  it('subresources, printer columns and selectable fields', () => {
    const causes = validateCrd(crd((c) => {
      c.spec.versions[0].subresources = { scale: { specReplicasPath: '.status.n', statusReplicasPath: '' } };
      c.spec.versions[0].additionalPrinterColumns = [{ name: 'X', type: 'text', jsonPath: '.spec.a' }, { name: 'Y', type: 'string' }];
      c.spec.versions[0].selectableFields = [{ jsonPath: '.spec.a' }, { jsonPath: '.spec.a' }];
    }));
    expect(causes).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.versions[0].subresources.scale.specReplicasPath', message: 'Invalid value: ".status.n": should be a json path under .spec' },
      { type: 'FieldValueRequired', field: 'spec.versions[0].subresources.scale.statusReplicasPath', message: 'Required value' },
      { type: 'FieldValueInvalid', field: 'spec.versions[0].additionalPrinterColumns[0].type', message: 'Invalid value: "text": must be one of boolean,date,integer,number,string' },
      { type: 'FieldValueRequired', field: 'spec.versions[0].additionalPrinterColumns[1].jsonPath', message: 'Required value' },
      { type: 'FieldValueDuplicate', field: 'spec.versions[0].selectableFields[1].jsonPath', message: 'Duplicate value: ".spec.a"' },
    ]);
  });

  it('the authored widget CRD is valid, and breaking its schema is caught', () => {
    expect(validateCrd(widgetCrd())).toEqual([]);
    const broken = widgetCrd() as any;
    delete broken.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.steps.items.properties.name.type;
    expect(validateCrd(broken)).toEqual([
      { type: 'FieldValueRequired', field: `${SCHEMA_PATH}.properties[spec].properties[steps].items.properties[name].type`, message: 'Required value: must not be empty for specified object fields' },
    ]);
  });
});
