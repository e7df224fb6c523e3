// A set of field paths in the FieldsV1 encoding of metadata.managedFields:
//   f:<name>          a field of an object
//   k:{"name":"c"}    an item of a map-list, by its key fields (JSON, keys sorted)
//   v:<json>          an item of a set-list, by value
//   i:<n>             an item of an atomic list by index (never produced by apply)
// A node is a member when the path itself is owned: an empty `{}` in FieldsV1, or `".": {}` beside
// children.
import type { JsonObject } from '../types.ts';
import { isPlainObject } from './json-values.ts';

export type FieldPath = string[];

const ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** FieldsV1 key order: f:, k:, v:, i: elements, each group sorted. */
export function compareElements(a: string, b: string): number {
  const d = (ORDER[a[0]] ?? 9) - (ORDER[b[0]] ?? 9);
  if (d) return d;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static fromFieldsV1(json: unknown): FieldSet {
    const set = new FieldSet();
    if (!isPlainObject(json)) return set;
    const keys = Object.keys(json);
    if (keys.length === 0) set.member = true;
    for (const k of keys) {
      if (k === '.') set.member = true;
      else set.children.set(k, FieldSet.fromFieldsV1(json[k]));
    }
    return set;
  }

  /** FieldsV1 JSON of this set (the root itself is never a member); frozen all through if asked. */
  toFieldsV1(freeze = false): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out['.'] = freeze ? Object.freeze({}) : {};
    for (const k of [...this.children.keys()].sort(compareElements)) {
      const child = this.children.get(k)!;
      if (!child.isEmpty()) out[k] = child.toFieldsV1(freeze);
    }
    return freeze ? Object.freeze(out) : out;
  }

  child(element: string): FieldSet {
    let c = this.children.get(element);
    if (!c) {
      c = new FieldSet();
      this.children.set(element, c);
    }
    return c;
  }

  /** The node at `path`, if any. */
  at(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const el of path) {
      node = node.children.get(el);
      if (!node) return undefined;
    }
    return node;
  }

  insert(path: FieldPath): void {
    let node: FieldSet = this;
    for (const el of path) node = node.child(el);
    node.member = true;
  }

  has(path: FieldPath): boolean {
    return this.at(path)?.member ?? false;
  }

  /** True when `path` or anything below it is a member. */
  hasAtOrBelow(path: FieldPath): boolean {
    const node = this.at(path);
    return !!node && !node.isEmpty();
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Every member path, depth first, in FieldsV1 order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    if (this.member && prefix.length > 0) out.push(prefix);
    for (const k of [...this.children.keys()].sort(compareElements)) out.push(...this.children.get(k)!.paths([...prefix, k]));
    return out;
  }

  clone(): FieldSet {
    const c = new FieldSet();
    c.member = this.member;
    for (const [k, v] of this.children) c.children.set(k, v.clone());
    return c;
  }

  // union, difference and withoutSubtrees return `this` when `other` changes nothing: sets are
  // never edited in place once built, and keeping the identity keeps cached encodings.
  union(other: FieldSet): FieldSet {
    if (covers(this, other)) return this;
    const out = this.clone();
    unionInto(out, other);
    return out;
  }

  /** Members of this set that are also members of `other`. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) if (other.has(p)) out.insert(p);
    return out;
  }

  /** This set without the members of `other` (exact paths; children of those paths stay). */
  difference(other: FieldSet): FieldSet {
    if (!touches(this, other, false)) return this;
    const out = this.clone();
    differenceInto(out, other);
    out.prune();
    return out;
  }

  /** This set without the members of `other` and everything below them (fields that are gone). */
  withoutSubtrees(other: FieldSet): FieldSet {
    if (!touches(this, other, true)) return this;
    const out = this.clone();
    cutInto(out, other);
    out.prune();
    return out;
  }

  /** Drops empty nodes. */
  private prune(): void {
    for (const [k, c] of this.children) {
      c.prune();
      if (c.isEmpty()) this.children.delete(k);
    }
  }
}

// Tree walks equivalent to applying every member path of `other` (the root is never a path), without
// materializing the paths.

/** Every member path of `other` is a member of `set`. */
function covers(set: FieldSet, other: FieldSet): boolean {
  for (const [k, oc] of other.children) {
    const c = set.children.get(k);
    if (!c) {
      if (oc.member || !oc.isEmpty()) return false;
      continue;
    }
    if (oc.member && !c.member) return false;
    if (!covers(c, oc)) return false;
  }
  return true;
}

/**
 * Whether removing `other`'s member paths (as members only, or with their subtrees) changes `set`:
 * some member path of `other` exists in `set` (as a member, or, for subtrees, as any node), or
 * `set` holds empty nodes that the prune afterwards would drop.
 */
function touches(set: FieldSet, other: FieldSet, subtrees: boolean): boolean {
  return hits(set, other, subtrees) || hasEmptyNode(set);
}

function hits(set: FieldSet, other: FieldSet, subtrees: boolean): boolean {
  for (const [k, oc] of other.children) {
    const c = set.children.get(k);
    if (!c) continue;
    if (oc.member && (subtrees || c.member)) return true;
    if (hits(c, oc, subtrees)) return true;
  }
  return false;
}

function hasEmptyNode(set: FieldSet): boolean {
  for (const c of set.children.values()) if ((!c.member && c.children.size === 0) || hasEmptyNode(c)) return true;
  return false;
}

function unionInto(out: FieldSet, other: FieldSet): void {
  for (const [k, oc] of other.children) {
    if (!oc.member && oc.isEmpty()) continue; // inserting paths never creates empty nodes
    const c = out.child(k);
    if (oc.member) c.member = true;
    unionInto(c, oc);
  }
}

function differenceInto(out: FieldSet, other: FieldSet): void {
  for (const [k, oc] of other.children) {
    const c = out.children.get(k);
    if (!c) continue;
    if (oc.member) c.member = false;
    differenceInto(c, oc);
  }
}

function cutInto(out: FieldSet, other: FieldSet): void {
  for (const [k, oc] of other.children) {
    if (oc.member) out.children.delete(k);
    else {
      const c = out.children.get(k);
      if (c) cutInto(c, oc);
    }
  }
}

/** Kube's printed form of a path, as in conflict messages: `.spec.containers[name="c"].image`. */
export function pathString(path: FieldPath): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      switch (el[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(key)
            .sort()
            .map((k) => `${k}=${JSON.stringify(key[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        case 'i':
          return `[${body}]`;
        default:
          return el;
      }
    })
    .join('');
}
