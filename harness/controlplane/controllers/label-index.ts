// In-memory label indexes for controllers that join two kinds by label selector (Services and
// Pods): with thousands of objects in one namespace, scanning (and copying) the whole namespace
// per event or per reconcile is quadratic. Keys are `k=v` pairs; candidates are then checked
// with the full selector.
import { matchesMap } from './label-selector.ts';

type Labels = Record<string, string>;

const pairsOf = (labels: Labels): string[] => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

class PairIndex {
  private readonly byPair = new Map<string, Map<string, Set<string>>>();
  private readonly values = new Map<string, Labels>();

  constructor(private readonly pairsToIndex: (labels: Labels) => string[]) {}

  get(ns: string, name: string): Labels | undefined {
    return this.values.get(`${ns}/${name}`);
  }

  put(ns: string, name: string, labels: Labels): void {
    this.remove(ns, name);
    this.values.set(`${ns}/${name}`, labels);
    let pairs = this.byPair.get(ns);
    if (!pairs) this.byPair.set(ns, (pairs = new Map()));
    for (const p of this.pairsToIndex(labels)) {
      let names = pairs.get(p);
      if (!names) pairs.set(p, (names = new Set()));
      names.add(name);
    }
  }

  remove(ns: string, name: string): void {
    const old = this.values.get(`${ns}/${name}`);
    if (!old) return;
    this.values.delete(`${ns}/${name}`);
    const pairs = this.byPair.get(ns);
    for (const p of this.pairsToIndex(old)) {
      const names = pairs?.get(p);
      names?.delete(name);
      if (names && names.size === 0) pairs!.delete(p);
    }
  }

  /** Names indexed under `pair` in `ns`. */
  under(ns: string, pair: string): ReadonlySet<string> {
    return this.byPair.get(ns)?.get(pair) ?? new Set();
  }
}

/** Objects (Pods) by every label pair: which ones in a namespace match an equality selector. */
export class LabeledObjects {
  private readonly index = new PairIndex(pairsOf);

  labelsOf(ns: string, name: string): Labels | undefined {
    return this.index.get(ns, name);
  }
  put(ns: string, name: string, labels: Labels): void {
    this.index.put(ns, name, labels);
  }
  remove(ns: string, name: string): void {
    this.index.remove(ns, name);
  }

  /** Names in `ns` whose labels match `selector` (non-empty), sorted by name. */
  matching(ns: string, selector: Labels): string[] {
    let smallest: ReadonlySet<string> | undefined;
    for (const p of pairsOf(selector)) {
      const names = this.index.under(ns, p);
      if (!smallest || names.size < smallest.size) smallest = names;
    }
    const out = [...(smallest ?? [])].filter((n) => matchesMap(selector, this.index.get(ns, n)));
    return out.sort();
  }
}

/** Selectors (of Services) by their first pair: which ones in a namespace select some labels. */
export class Selectors {
  private readonly index = new PairIndex((sel) => pairsOf(sel).slice(0, 1));

  put(ns: string, name: string, selector: Labels): void {
    this.index.put(ns, name, selector);
  }
  remove(ns: string, name: string): void {
    this.index.remove(ns, name);
  }

  /** Names in `ns` whose selector matches `labels`. */
  selecting(ns: string, labels: Labels): string[] {
    const out: string[] = [];
    for (const p of pairsOf(labels)) {
      for (const name of this.index.under(ns, p)) if (matchesMap(this.index.get(ns, name), labels)) out.push(name);
    }
    return out;
  }
}
