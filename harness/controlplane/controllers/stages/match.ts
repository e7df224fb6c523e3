// Stage selectors: label/annotation maps, path expressions and the short "when" syntax.
import type { KubeObject } from '../../types.ts';
import type { StageExpression, StageSelector } from './types.ts';

export const FAULT_LABEL = 'harness.ambient-code.io/fault';
export const STAGE_ANNOTATION = 'harness.ambient-code.io/stage';
export const STAGE_DELAY_ANNOTATION = 'harness.ambient-code.io/stage-delay-ms';

/** Shorthands for the paths stages use most. */
const SHORTHANDS: Record<string, (obj: KubeObject) => unknown> = {
  deletionTimestamp: (o) => o.metadata.deletionTimestamp,
  nodeName: (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName,
  phase: (o) => (o.status as { phase?: string } | undefined)?.phase,
  podIP: (o) => (o.status as { podIP?: string } | undefined)?.podIP,
  restartPolicy: (o) => (o.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? 'Always',
  // The fault a pod asks for: the stage annotation wins over the fault label.
  fault: (o) => o.metadata.annotations?.[STAGE_ANNOTATION] ?? o.metadata.labels?.[FAULT_LABEL],
  jobName: (o) => o.metadata.labels?.['batch.kubernetes.io/job-name'] ?? o.metadata.labels?.['job-name'],
};

/** Splits `.metadata.labels["a/b"].x` into ["metadata", "labels", "a/b", "x"]. */
export function parsePath(path: string): string[] {
  const parts: string[] = [];
  const re = /\.?([A-Za-z0-9_$-]+)|\[\s*["']([^"']*)["']\s*\]|\[(\d+)\]/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(path)) !== null) {
    parts.push(m[1] ?? m[2] ?? m[3]);
    last = re.lastIndex;
    if (last >= path.length) break;
  }
  if (last !== path.length) throw new Error(`stage selector: cannot parse path "${path}"`);
  return parts;
}

export function resolvePath(obj: KubeObject, key: string): unknown {
  const short = SHORTHANDS[key];
  if (short) return short(obj);
  let cur: unknown = obj;
  for (const part of parsePath(key)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

export function matchExpression(obj: KubeObject, expr: StageExpression): boolean {
  const v = resolvePath(obj, expr.key);
  const values = expr.values ?? [];
  switch (expr.operator) {
    case 'Exists':
      return present(v);
    case 'DoesNotExist':
      return !present(v);
    case 'In':
      return present(v) && values.includes(String(v));
    case 'NotIn':
      return !present(v) || !values.includes(String(v));
    default:
      return false;
  }
}

/** Parses one "when" condition into an expression. */
export function parseWhen(text: string): StageExpression {
  const t = text.trim();
  let m = /^(\S+)\s+(exists|is set|set)$/i.exec(t);
  if (m) return { key: m[1], operator: 'Exists' };
  m = /^(\S+)\s+(unset|is unset|absent|does not exist|notexists)$/i.exec(t);
  if (m) return { key: m[1], operator: 'DoesNotExist' };
  m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/i.exec(t);
  if (m) return { key: m[1], operator: m[2].toLowerCase() === 'in' ? 'In' : 'NotIn', values: m[3].split(',').map((s) => s.trim()).filter(Boolean) };
  m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(t);
  if (m) return { key: m[1], operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3].trim()] };
  throw new Error(`stage selector: cannot parse condition "${text}"`);
}

/** Pre-parses a selector so malformed stage specs fail when the controller is built, not later. */
export function compileSelector(selector: StageSelector | undefined): (obj: KubeObject) => boolean {
  const exprs: StageExpression[] = [...(selector?.matchExpressions ?? []), ...(selector?.when ?? []).map(parseWhen)];
  for (const e of exprs) if (!SHORTHANDS[e.key]) parsePath(e.key);
  const labels = Object.entries(selector?.matchLabels ?? {});
  const annotations = Object.entries(selector?.matchAnnotations ?? {});
  return (obj) =>
    labels.every(([k, v]) => obj.metadata.labels?.[k] === v) &&
    annotations.every(([k, v]) => obj.metadata.annotations?.[k] === v) &&
    exprs.every((e) => matchExpression(obj, e));
}
