// The JSONPath subset that CRD additionalPrinterColumns and kubectl custom columns use:
// `.a.b`, `.a\.b` (escaped dot), `['a.b']`, `[n]`, `[-n]`, `[*]`, `.*`, `..name` (recursive),
// and filters `[?(@.type=="Ready")]` / `[?(@.x)]`. An optional `{...}` wrapper and leading `$` are accepted.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string }
  | { kind: 'filter'; path: Step[]; op?: string; value?: unknown };

export class JsonPathError extends Error {}

const cache = new Map<string, Step[]>();

/** Every value the path selects in `root`, in document order (empty when nothing matches). */
export function evaluateJsonPath(path: string, root: unknown): unknown[] {
  let steps = cache.get(path);
  if (!steps) {
    steps = parseJsonPath(path);
    cache.set(path, steps);
  }
  return apply(steps, [root]);
}

export function parseJsonPath(input: string): Step[] {
  let src = input.trim();
  if (src.startsWith('{') && src.endsWith('}')) src = src.slice(1, -1).trim();
  if (src.startsWith('$')) src = src.slice(1);
  return new Parser(src).steps();
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  steps(stopAt?: string): Step[] {
    const out: Step[] = [];
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (stopAt && stopAt.includes(c)) break;
      if (c === '.') {
        if (this.s[this.i + 1] === '.') {
          this.i += 2;
          out.push({ kind: 'recursive', name: this.name() });
        } else {
          this.i++;
          if (this.s[this.i] === '*') {
            this.i++;
            out.push({ kind: 'wildcard' });
          } else if (this.i < this.s.length && this.s[this.i] !== '[' && this.s[this.i] !== '.') {
            out.push({ kind: 'field', name: this.name() });
          }
        }
      } else if (c === '[') {
        out.push(this.bracket());
      } else if (out.length === 0 && /[A-Za-z_]/.test(c)) {
        out.push({ kind: 'field', name: this.name() }); // "status.phase" without the leading dot
      } else {
        throw new JsonPathError(`unexpected "${c}" at ${this.i} in ${JSON.stringify(this.s)}`);
      }
    }
    return out;
  }

  /** A dotted field name; `\.` escapes a dot inside it (e.g. label keys). */
  private name(): string {
    let name = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '\\' && this.i + 1 < this.s.length) {
        name += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === '.' || c === '[' || c === ' ' || c === ')' || c === '=' || c === '!' || c === '<' || c === '>') break;
      name += c;
      this.i++;
    }
    if (!name) throw new JsonPathError(`empty field name at ${this.i} in ${JSON.stringify(this.s)}`);
    return name;
  }

  private bracket(): Step {
    this.i++; // [
    const close = () => {
      if (this.s[this.i] !== ']') throw new JsonPathError(`expected "]" at ${this.i} in ${JSON.stringify(this.s)}`);
      this.i++;
    };
    const c = this.s[this.i];
    if (c === '*') {
      this.i++;
      close();
      return { kind: 'wildcard' };
    }
    if (c === "'" || c === '"') {
      const name = this.quoted();
      close();
      return { kind: 'field', name };
    }
    if (c === '?') {
      this.i++;
      if (this.s[this.i] !== '(') throw new JsonPathError(`expected "(" after "?" in ${JSON.stringify(this.s)}`);
      this.i++;
      this.skipSpaces();
      if (this.s[this.i] !== '@') throw new JsonPathError(`filter must start with "@" in ${JSON.stringify(this.s)}`);
      this.i++;
      const path = this.steps(' =!<>)');
      this.skipSpaces();
      let op: string | undefined;
      let value: unknown;
      const m = /^(==|!=|<=|>=|<|>)/.exec(this.s.slice(this.i));
      if (m) {
        op = m[1];
        this.i += op.length;
        this.skipSpaces();
        value = this.literal();
        this.skipSpaces();
      }
      if (this.s[this.i] !== ')') throw new JsonPathError(`expected ")" in ${JSON.stringify(this.s)}`);
      this.i++;
      close();
      return { kind: 'filter', path, op, value };
    }
    const m = /^-?\d+/.exec(this.s.slice(this.i));
    if (!m) throw new JsonPathError(`unsupported subscript at ${this.i} in ${JSON.stringify(this.s)}`);
    this.i += m[0].length;
    close();
    return { kind: 'index', index: Number(m[0]) };
  }

  private quoted(): string {
    const q = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== q) {
      if (this.s[this.i] === '\\' && this.i + 1 < this.s.length) this.i++;
      out += this.s[this.i++];
    }
    if (this.s[this.i] !== q) throw new JsonPathError(`unterminated string in ${JSON.stringify(this.s)}`);
    this.i++;
    return out;
  }

  private literal(): unknown {
    const c = this.s[this.i];
    if (c === "'" || c === '"') return this.quoted();
    const m = /^(-?\d+(\.\d+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!m) throw new JsonPathError(`unsupported literal at ${this.i} in ${JSON.stringify(this.s)}`);
    this.i += m[0].length;
    return JSON.parse(m[0]);
  }

  private skipSpaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function apply(steps: Step[], input: unknown[]): unknown[] {
  let current = input;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      switch (step.kind) {
        case 'field':
          if (isObject(v) && step.name in v && v[step.name] !== undefined) next.push(v[step.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const idx = step.index < 0 ? v.length + step.index : step.index;
            if (idx >= 0 && idx < v.length) next.push(v[idx]);
          }
          break;
        case 'wildcard':
          if (Array.isArray(v)) next.push(...v);
          else if (isObject(v)) for (const k of Object.keys(v).sort()) next.push(v[k]);
          break;
        case 'recursive':
          collect(v, step.name, next);
          break;
        case 'filter': {
          const items = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
          for (const item of items) if (matches(step, item)) next.push(item);
          break;
        }
      }
    }
    current = next;
  }
  return current;
}

function collect(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) collect(x, name, out);
  else if (isObject(v)) {
    if (name in v) out.push(v[name]);
    for (const k of Object.keys(v)) collect(v[k], name, out);
  }
}

function matches(step: Extract<Step, { kind: 'filter' }>, item: unknown): boolean {
  const found = apply(step.path, [item]);
  if (step.op === undefined) return found.length > 0;
  if (found.length === 0) return false;
  const left = found[0];
  const right = step.value;
  switch (step.op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    default: {
      if (typeof left !== 'number' || typeof right !== 'number') return false;
      if (step.op === '<') return left < right;
      if (step.op === '>') return left > right;
      if (step.op === '<=') return left <= right;
      return left >= right;
    }
  }
}
