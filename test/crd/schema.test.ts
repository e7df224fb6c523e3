// Pruning, defaulting and validation of custom resources, with expectations from the Kubernetes
// docs on structural schemas, pruning and defaulting, and kube-apiserver's error wording.
import { describe, expect, it } from 'vitest';
import { compileCrdSchema, crdResourceTypes, listTypeAt, validateCrd } from '../../harness/controlplane/crd/index.ts';
import { widget, widgetCrd, widgetSchema } from './widget-crd.ts';

const schema = () => compileCrdSchema(widgetCrd(), 'v1');
const causesOf = (spec: Record<string, unknown>, extra?: Record<string, unknown>) => schema().validate(widget(spec, extra));

describe('authored CRD', () => {
  it('is a valid CRD (CEL rules are ignored, not rejected)', () => {
    expect(validateCrd(widgetCrd())).toEqual([]);
  });

  it('serves one resource type per served version with columns, selectable fields and subresources', () => {
    const types = crdResourceTypes(widgetCrd());
    expect(types.map((t) => t.version)).toEqual(['v1', 'v1beta1']);
    const [v1, v1beta1] = types;
    expect(v1).toMatchObject({ group: 'example.com', resource: 'widgets', kind: 'Widget', listKind: 'WidgetList', singular: 'widget', namespaced: true, shortNames: ['wd'], categories: ['all'], subresources: ['status', 'scale'], storageVersion: 'v1', custom: true });
    expect(v1.verbs).toEqual(expect.arrayContaining(['create', 'get', 'list', 'watch', 'patch', 'update', 'delete', 'deletecollection']));
    expect(v1.printerColumns).toEqual([
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 1, description: 'lifecycle phase' },
    ]);
    expect(Object.keys(v1.fieldSelectors ?? {})).toEqual(['spec.color', 'spec.size']);
    expect(v1.fieldSelectors!['spec.color'](widget({ size: 1, color: 'blue' }))).toBe('blue');
    expect(v1.fieldSelectors!['spec.size'](widget({ size: 4 }))).toBe('4');
    expect(v1.fieldSelectors!['spec.color'](widget({ size: 1 }))).toBeUndefined();
    expect(v1beta1.subresources).toEqual([]);
    expect(v1beta1.printerColumns).toBeUndefined();
  });

  it('accepts a valid object', () => {
    expect(causesOf({ size: 3, color: 'blue', name: 'abc', owner: 'a@example.com', since: '2026-01-01T00:00:00Z', port: 'http', tags: ['a'], ports: [{ port: 80 }, { port: 80, protocol: 'UDP' }] })).toEqual([]);
  });
});

describe('pruning', () => {
  it('removes unknown fields at every level and reports .spec.foo style paths', () => {
    const obj = widget({ size: 1, foo: 1, steps: [{ name: 'a', bogus: true }], labels: { a: 'x' } }, { status: { phase: 'Ready', extra: 1 }, topLevel: 'x' });
    const removed = schema().prune(obj);
    expect(removed.sort()).toEqual(['.spec.foo', '.spec.steps[0].bogus', '.status.extra', '.topLevel']);
    expect(obj).toEqual(widget({ size: 1, steps: [{ name: 'a' }], labels: { a: 'x' } }, { status: { phase: 'Ready' } }));
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields but still prunes inside specified ones', () => {
    const obj = widget({ size: 1, config: { anything: { deep: [1, 2] }, level: 2 } });
    expect(schema().prune(obj)).toEqual([]);
    expect((obj.spec as any).config).toEqual({ anything: { deep: [1, 2] }, level: 2 });
  });

  it('keeps apiVersion/kind/metadata of embedded resources; metadata keeps only ObjectMeta fields', () => {
    const obj = widget({
      size: 1,
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' }, junk: 1 }, spec: { containers: [] } },
      job: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 2, unknown: 1 }, other: 1 },
    });
    const removed = schema().prune(obj);
    expect(removed.sort()).toEqual(['.spec.job.other', '.spec.job.spec.unknown', '.spec.template.metadata.junk']);
    expect((obj.spec as any).template).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [] } });
    expect((obj.spec as any).job).toEqual({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 2 } });
  });

  it('prunes unknown root metadata fields but never the ObjectMeta ones', () => {
    const obj = widget({ size: 1 });
    obj.metadata = { ...obj.metadata, labels: { a: 'b' }, finalizers: ['x'], bogus: 'y' } as never;
    expect(schema().prune(obj)).toEqual(['.metadata.bogus']);
    expect(obj.metadata).toEqual({ name: 'w1', namespace: 'default', labels: { a: 'b' }, finalizers: ['x'] });
  });
});

describe('defaulting', () => {
  it('fills missing fields, nested ones and array items, leaving set values alone', () => {
    const obj = widget({ size: 2, mode: 'manual', ports: [{ port: 80 }], steps: [{ name: 'a' }, { name: 'b', retries: 0 }], config: {} });
    schema().default(obj);
    expect(obj.spec).toEqual({ size: 2, mode: 'manual', color: 'red', ports: [{ port: 80, protocol: 'TCP' }], steps: [{ name: 'a', retries: 3 }, { name: 'b', retries: 0 }], config: { level: 1 } });
  });

  it('replaces nulls of non-nullable fields with their default, drops them without one, keeps nullable nulls', () => {
    const obj = widget({ size: 2, color: null, name: null, note: null });
    schema().default(obj);
    expect(obj.spec).toEqual({ size: 2, color: 'red', mode: 'auto', note: null });
    expect(schema().validate(obj)).toEqual([]);
  });
});

describe('validation causes', () => {
  it('required', () => {
    expect(causesOf({ color: 'red' })).toEqual([{ type: 'FieldValueRequired', field: 'spec.size', message: 'Required value' }]);
    expect(causesOf({ size: 1, ports: [{ name: 'x' }] })).toEqual([{ type: 'FieldValueRequired', field: 'spec.ports[0].port', message: 'Required value' }]);
  });

  it('enum → Unsupported value', () => {
    expect(causesOf({ size: 1, color: 'green' })).toEqual([{ type: 'FieldValueNotSupported', field: 'spec.color', message: 'Unsupported value: "green": supported values: "red", "blue"' }]);
  });

  it('type, int-or-string and nullable', () => {
    expect(causesOf({ size: 'big' })).toEqual([{ type: 'FieldValueTypeInvalid', field: 'spec.size', message: 'Invalid value: "string": spec.size in body must be of type integer: "string"' }]);
    expect(causesOf({ size: 1.5 })).toEqual([{ type: 'FieldValueTypeInvalid', field: 'spec.size', message: 'Invalid value: "number": spec.size in body must be of type integer: "number"' }]);
    expect(causesOf({ size: 1, port: 8080 })).toEqual([]);
    expect(causesOf({ size: 1, port: '50%' })).toEqual([]);
    expect(causesOf({ size: 1, port: true })).toEqual([{ type: 'FieldValueTypeInvalid', field: 'spec.port', message: 'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"' }]);
    expect(causesOf({ size: 1, note: null })).toEqual([]);
    expect(causesOf({ size: 1, mode: null })[0]).toMatchObject({ type: 'FieldValueTypeInvalid', field: 'spec.mode' });
  });

  it('numeric bounds', () => {
    expect(causesOf({ size: 0 })).toEqual([{ type: 'FieldValueInvalid', field: 'spec.size', message: 'Invalid value: 0: spec.size in body should be greater than or equal to 1' }]);
    expect(causesOf({ size: 11 })).toEqual([{ type: 'FieldValueInvalid', field: 'spec.size', message: 'Invalid value: 11: spec.size in body should be less than or equal to 10' }]);
    expect(causesOf({ size: 1, ratio: 0 })).toEqual([{ type: 'FieldValueInvalid', field: 'spec.ratio', message: 'Invalid value: 0: spec.ratio in body should be greater than 0' }]);
  });

  it('string length, pattern and format', () => {
    expect(causesOf({ size: 1, name: 'toolong' })).toEqual([{ type: 'FieldValueTooLong', field: 'spec.name', message: 'Too long: may not be more than 5 bytes' }]);
    expect(causesOf({ size: 1, name: 'a' })).toEqual([{ type: 'FieldValueInvalid', field: 'spec.name', message: 'Invalid value: "a": spec.name in body should be at least 2 chars long' }]);
    expect(causesOf({ size: 1, name: 'AB' })).toEqual([{ type: 'FieldValueInvalid', field: 'spec.name', message: `Invalid value: "AB": spec.name in body should match '^[a-z]+$'` }]);
    expect(causesOf({ size: 1, owner: 'nope' })).toEqual([{ type: 'FieldValueInvalid', field: 'spec.owner', message: 'Invalid value: "nope": spec.owner in body must be of type email: "nope"' }]);
    expect(causesOf({ size: 1, since: 'yesterday' })[0]).toMatchObject({ field: 'spec.since', message: expect.stringContaining('must be of type date-time') });
    const longName = widget({ size: 1 });
    longName.metadata.name = 'x'.repeat(21);
    expect(schema().validate(longName)).toEqual([{ type: 'FieldValueTooLong', field: 'metadata.name', message: 'Too long: may not be more than 20 bytes' }]);
  });

  it('array sizes and list-type uniqueness', () => {
    expect(causesOf({ size: 1, tags: [] })).toEqual([{ type: 'FieldValueInvalid', field: 'spec.tags', message: 'Invalid value: []: spec.tags in body should have at least 1 items' }]);
    expect(causesOf({ size: 1, tags: ['a', 'b', 'c', 'd'] })).toEqual([{ type: 'FieldValueTooMany', field: 'spec.tags', message: 'Too many: 4: must have at most 3 items' }]);
    expect(causesOf({ size: 1, tags: ['a', 'b', 'a'] })).toEqual([{ type: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "a"' }]);
    expect(causesOf({ size: 1, ports: [{ port: 80 }, { port: 80, protocol: 'TCP', name: 'again' }] })).toEqual([
      { type: 'FieldValueDuplicate', field: 'spec.ports[1]', message: 'Duplicate value: {"port":80,"protocol":"TCP"}' },
    ]);
  });

  it('embedded resources need apiVersion and kind', () => {
    expect(causesOf({ size: 1, template: { metadata: { name: 'x' } } })).toEqual([
      { type: 'FieldValueRequired', field: 'spec.template.kind', message: 'Required value: must not be empty' },
      { type: 'FieldValueRequired', field: 'spec.template.apiVersion', message: 'Required value: must not be empty' },
    ]);
  });

  it('ignores CEL x-kubernetes-validations rules', () => {
    expect(causesOf({ size: 1, rules: { size: -5 } })).toEqual([]);
  });
});

describe('schema cache and list types', () => {
  it('compiles once per distinct schema', () => {
    const a = compileCrdSchema(widgetCrd(), 'v1');
    expect(compileCrdSchema(widgetCrd(), 'v1')).toBe(a);
    const changed = widgetSchema() as any;
    changed.properties.spec.properties.size.maximum = 100;
    const b = compileCrdSchema(widgetCrd(changed), 'v1');
    expect(b).not.toBe(a);
    expect(b.validate(widget({ size: 50 }))).toEqual([]);
    expect(a.validate(widget({ size: 50 }))).toHaveLength(1);
  });

  it('versions without a schema of their own keep everything', () => {
    const s = compileCrdSchema(widgetCrd(), 'v1beta1');
    const obj = widget({ anything: { goes: 1 } });
    expect(s.prune(obj)).toEqual([]);
    expect(s.validate(obj)).toEqual([]);
  });

  it('answers listTypeAt for set, map (with keys), atomic and nested lists', () => {
    const crd = widgetCrd();
    expect(listTypeAt(crd, 'v1', ['spec', 'tags'])).toEqual({ type: 'set' });
    expect(listTypeAt(crd, 'v1', ['spec', 'ports'])).toEqual({ type: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } });
    expect(listTypeAt(crd, 'v1', ['spec', 'steps'])).toEqual({ type: 'atomic' });
    expect(listTypeAt(crd, 'v1', ['spec', 'steps', 'env'])).toEqual({ type: 'map', keys: ['name'] });
    expect(listTypeAt(crd, 'v1', ['spec', 'size'])).toBeUndefined();
    expect(listTypeAt(crd, 'v1', ['spec', 'nope'])).toBeUndefined();
    expect(listTypeAt(crd, 'v9', ['spec', 'tags'])).toBeUndefined();
  });
});
