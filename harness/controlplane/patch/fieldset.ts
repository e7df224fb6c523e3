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

function compareElements(a: string, b: string): number {
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

  /** FieldsV1 JSON of this set (the root itself is never a member). */
  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const k of [...this.children.keys()].sort(compareElements)) {
      const child = this.children.get(k)!;
      if (!child.isEmpty()) out[k] = child.toFieldsV1();
    }
    return out;
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

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    for (const p of other.paths()) out.insert(p);
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
    const out = this.clone();
    for (const p of other.paths()) {
      const node = out.at(p);
      if (node) node.member = false;
    }
    out.prune();
    return out;
  }

  /** This set without the members of `other` and everything below them (fields that are gone). */
  withoutSubtrees(other: FieldSet): FieldSet {
    const out = this.clone();
    for (const p of other.paths()) {
      const parent = out.at(p.slice(0, -1));
      parent?.children.delete(p[p.length - 1]);
    }
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
