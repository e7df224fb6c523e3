// Pure RBAC rule matching (kube's pkg/apis/rbac/v1 evaluation helpers), no I/O.
import type { NonResourceAttributes, ResourceAttributes } from '../types.ts';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

export const isResourceRequest = (attrs: Attributes): attrs is ResourceAttributes => 'resource' in attrs;

const has = (list: string[] | undefined, value: string): boolean => !!list && (list.includes('*') || list.includes(value));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === '*' || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

/** Does one rule allow the request? Rules with resourceNames only match requests that carry a name. */
export function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (!isResourceRequest(attrs)) return nonResourceURLMatches(rule, attrs.path);
  if (!has(rule.apiGroups, attrs.group)) return false;
  if (!resourceMatches(rule, attrs.resource, attrs.subresource)) return false;
  if (!rule.resourceNames?.length) return true;
  return !!attrs.name && rule.resourceNames.includes(attrs.name);
}

// ---- escalation: does a set of rules cover another rule (kube's validation.Covers) ----

/** One verb on one group/resource/name, or one verb on one URL. */
interface AtomicRule {
  verb: string;
  group?: string;
  resource?: string;
  name?: string;
  url?: string;
}

function breakdown(rule: PolicyRule): AtomicRule[] {
  const out: AtomicRule[] = [];
  for (const verb of rule.verbs ?? []) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        if (rule.resourceNames?.length) for (const name of rule.resourceNames) out.push({ verb, group, resource, name });
        else out.push({ verb, group, resource });
      }
    }
    for (const url of rule.nonResourceURLs ?? []) out.push({ verb, url });
  }
  return out;
}

function covers(owner: PolicyRule, small: AtomicRule): boolean {
  if (!has(owner.verbs, small.verb)) return false;
  if (small.url !== undefined) {
    return (owner.nonResourceURLs ?? []).some((u) => u === '*' || u === small.url || (u.endsWith('*') && small.url!.startsWith(u.slice(0, -1))));
  }
  if (!has(owner.apiGroups, small.group!)) return false;
  const resources = owner.resources ?? [];
  const slash = small.resource!.indexOf('/');
  const resourceOk = resources.includes('*') || resources.includes(small.resource!) || (slash >= 0 && resources.includes(`*${small.resource!.slice(slash)}`));
  if (!resourceOk) return false;
  if (!owner.resourceNames?.length) return true;
  return small.name !== undefined && owner.resourceNames.includes(small.name);
}

/** Rules of `requested` not covered by `owner`, each as a one-verb compact rule (empty: covered). */
export function uncoveredRules(owner: PolicyRule[], requested: PolicyRule[]): AtomicRule[] {
  const missing: AtomicRule[] = [];
  for (const rule of requested) for (const small of breakdown(rule)) if (!owner.some((o) => covers(o, small))) missing.push(small);
  return missing;
}

/** Formats missing rules the way kube does, e.g. `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function describeAtomic(rule: AtomicRule): string {
  const q = (s: string) => JSON.stringify(s);
  if (rule.url !== undefined) return `{NonResourceURLs:[${q(rule.url)}], Verbs:[${q(rule.verb)}]}`;
  const names = rule.name !== undefined ? `, ResourceNames:[${q(rule.name)}]` : '';
  return `{APIGroups:[${q(rule.group!)}], Resources:[${q(rule.resource!)}]${names}, Verbs:[${q(rule.verb)}]}`;
}
