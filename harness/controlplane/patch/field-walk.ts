// Field sets of objects: what an applied configuration owns, and what changed between two
// versions of an object (for Update entries and for apply conflict detection).
import { ApiError } from '../types.ts';
import { FieldSet, compareElements } from './fieldset.ts';
import { canonicalJson, deepEqual, isPlainObject } from './json-values.ts';
import { mapItemKey, type ListInfo, type ObjectSchema } from './schema.ts';

/** Metadata fields the server sets; kube strips them from every field set (stripmeta). */
const SYSTEM_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation', 'selfLink', 'managedFields', 'clusterName']);

export function isStripped(names: string[]): boolean {
  if (names.length === 1) return names[0] === 'apiVersion' || names[0] === 'kind';
  return names.length === 2 && names[0] === 'metadata' && SYSTEM_METADATA.has(names[1]);
}

/** The path elements of a keyed list's items, or undefined when an item has no usable key or keys repeat. */
export function listElements(list: unknown[], info: ListInfo | undefined): string[] | undefined {
  const type = info?.type ?? 'atomic';
  if (type === 'atomic') return undefined;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of list) {
    let el: string;
    if (type === 'set') {
      if (isPlainObject(item) || Array.isArray(item)) return undefined;
      el = `v:${canonicalJson(item)}`;
    } else {
      const key = mapItemKey(item, info!);
      if (!key) return undefined;
      el = `k:${canonicalJson(key)}`;
    }
    if (seen.has(el)) return undefined;
    seen.add(el);
    out.push(el);
  }
  return out;
}

/**
 * The fields an applied configuration owns: every leaf, every list item, empty objects, and atomic
 * lists/objects as a whole (kube's ToFieldSet of the config).
 */
export function appliedFieldSet(obj: Record<string, unknown>, schema: ObjectSchema): FieldSet {
  const root = new FieldSet();
  walkApplied(obj, [], root, schema, true);
  return root;
}

function walkApplied(value: unknown, names: string[], node: FieldSet, schema: ObjectSchema, top: boolean): void {
  if (isPlainObject(value) && !(names.length > 0 && schema.atomicObject(names))) {
    const keys = Object.keys(value);
    if (keys.length === 0 && !top) node.member = true;
    for (const k of keys) {
      const childNames = [...names, k];
      if (value[k] === undefined || isStripped(childNames)) continue;
      walkApplied(value[k], childNames, node.child(`f:${k}`), schema, false);
    }
    return;
  }
  if (Array.isArray(value)) {
    const info = schema.list(names);
    if (!info || info.type === 'atomic' || value.length === 0) {
      node.member = true;
      return;
    }
    const elements = listElements(value, info);
    if (!elements) {
      const what = info.type === 'map' ? `associative list with keys [${(info.keys ?? []).join(',')}] has an element that omits a key field or repeats a key` : 'set list has a duplicate or non-scalar element';
      throw new ApiError(500, 'InternalError', `failed to create typed patch object: .${names.join('.')}: ${what}`);
    }
    value.forEach((item, i) => {
      const child = node.child(elements[i]);
      child.member = true;
      if (info.type === 'map') walkApplied(item, names, child, schema, true);
    });
    return;
  }
  node.member = true;
}

export interface Comparison {
  /** Nodes present only in `after` (with every node below them). */
  added: FieldSet;
  /** Leaves (and atomic values) whose value changed. */
  modified: FieldSet;
  /** Nodes present only in `before` (their whole subtree is gone). */
  removed: FieldSet;
}

/** Compares two versions of an object field by field (kube's typed Compare). */
export function compareObjects(before: unknown, after: unknown, schema: ObjectSchema): Comparison {
  const cmp: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(before, after, [], [], schema, cmp);
  return cmp;
}

function compareAt(b: unknown, a: unknown, path: string[], names: string[], schema: ObjectSchema, cmp: Comparison): void {
  // The same value (e.g. an unchanged subtree shared with the stored object) has no differences.
  if (a === b) return;
  const granularObject = (v: unknown) => isPlainObject(v) && !(names.length > 0 && schema.atomicObject(names));
  if (granularObject(a) && granularObject(b)) {
    const bo = b as Record<string, unknown>;
    const ao = a as Record<string, unknown>;
    for (const k of new Set([...Object.keys(bo), ...Object.keys(ao)])) {
      const childNames = [...names, k];
      if (isStripped(childNames)) continue;
      const childPath = [...path, `f:${k}`];
      if (ao[k] === undefined) {
        if (bo[k] !== undefined) cmp.removed.insert(childPath);
      } else if (bo[k] === undefined) {
        markAdded(ao[k], childPath, childNames, schema, cmp.added);
      } else {
        compareAt(bo[k], ao[k], childPath, childNames, schema, cmp);
      }
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const info = schema.list(names);
    const ae = listElements(a, info);
    const be = listElements(b, info);
    if (ae && be) {
      const beIndex = new Map(be.map((el, i) => [el, i]));
      const aeSet = new Set(ae);
      ae.forEach((el, i) => {
        const j = beIndex.get(el);
        if (j === undefined) markAdded(a[i], [...path, el], names, schema, cmp.added, true);
        else if (info!.type === 'map') compareAt(b[j], a[i], [...path, el], names, schema, cmp);
      });
      for (const el of be) if (!aeSet.has(el)) cmp.removed.insert([...path, el]);
      return;
    }
  }
  if (!deepEqual(a, b)) {
    // A value that changed shape (object <-> scalar) also loses whatever was owned below it.
    if (isPlainObject(b) !== isPlainObject(a) || Array.isArray(b) !== Array.isArray(a)) cmp.removed.insert(path);
    cmp.modified.insert(path);
  }
}

/** Marks a new value and everything inside it; top-level spec/status/metadata are structs, never members. */
function markAdded(value: unknown, path: string[], names: string[], schema: ObjectSchema, set: FieldSet, listItem = false): void {
  const structRoot = !listItem && names.length === 1 && ['spec', 'status', 'metadata'].includes(names[0]);
  if (!structRoot) set.insert(path);
  if (isPlainObject(value) && !(names.length > 0 && !listItem && schema.atomicObject(names))) {
    for (const [k, v] of Object.entries(value)) {
      const childNames = [...names, k];
      if (v === undefined || isStripped(childNames)) continue;
      markAdded(v, [...path, `f:${k}`], childNames, schema, set);
    }
    return;
  }
  if (Array.isArray(value)) {
    const info = schema.list(names);
    const elements = listElements(value, info);
    if (!elements) return;
    value.forEach((item, i) => markAdded(item, [...path, elements[i]], names, schema, set, true));
  }
}

/**
 * The FieldsV1 JSON of everything in a new object, i.e. toFieldsV1 of compareObjects({}, obj).added,
 * built in one walk without the intermediate FieldSet (creates are the most common write).
 */
export function addedFieldsV1(obj: Record<string, unknown>, schema: ObjectSchema): Record<string, unknown> {
  const children: Array<[string, Record<string, unknown>]> = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined || isStripped([k])) continue;
    const child = addedNode(v, [k], schema, false);
    if (child) children.push([`f:${k}`, child]);
  }
  return nodeJson(false, children);
}

/** markAdded's node for `value`, as FieldsV1; undefined when it holds no member. */
function addedNode(value: unknown, names: string[], schema: ObjectSchema, listItem: boolean): Record<string, unknown> | undefined {
  const member = listItem || names.length !== 1 || !['spec', 'status', 'metadata'].includes(names[0]);
  const children: Array<[string, Record<string, unknown>]> = [];
  if (isPlainObject(value) && !(names.length > 0 && !listItem && schema.atomicObject(names))) {
    for (const [k, v] of Object.entries(value)) {
      const childNames = [...names, k];
      if (v === undefined || isStripped(childNames)) continue;
      const child = addedNode(v, childNames, schema, false);
      if (child) children.push([`f:${k}`, child]);
    }
  } else if (Array.isArray(value)) {
    const elements = listElements(value, schema.list(names));
    if (elements) {
      value.forEach((item, i) => {
        const child = addedNode(item, names, schema, true);
        if (child) children.push([elements[i], child]);
      });
    }
  }
  if (!member && children.length === 0) return undefined;
  return nodeJson(member, children);
}

function nodeJson(member: boolean, children: Array<[string, Record<string, unknown>]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (member && children.length > 0) out['.'] = {};
  children.sort((a, b) => compareElements(a[0], b[0]));
  for (const [k, v] of children) out[k] = v;
  return out;
}
