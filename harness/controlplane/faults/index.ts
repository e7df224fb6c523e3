// Seeded fault injection for the embedded API server: errors (429/500/503), latency and watch
// cuts per verb/resource. Off unless a spec with rules is given; the same seed replays the same faults.
import { ApiError, type FaultInjector } from '../types.ts';

export interface FaultRule {
  verbs?: string[];
  /** Plural resource names, optionally "group/resource" or "resource/subresource". */
  resources?: string[];
  /** 0..1 */
  errorRate?: number;
  errorCodes?: (429 | 500 | 503)[];
  latencyMs?: number;
  watchDisconnectAfterMs?: number;
}

export interface FaultSpec {
  seed: number;
  rules: FaultRule[];
}

import { mulberry32 } from '../../random.ts';

export { mulberry32 };

function matches(rule: FaultRule, verb: string | undefined, group: string, resource: string, subresource?: string): boolean {
  if (verb !== undefined && rule.verbs?.length && !rule.verbs.includes(verb) && !rule.verbs.includes('*')) return false;
  if (!rule.resources?.length) return true;
  const names = [resource, `${resource}/${subresource ?? ''}`, `${group}/${resource}`, `${group || 'core'}/${resource}`];
  return rule.resources.some((r) => r === '*' || names.includes(r));
}

export function faultError(code: 429 | 500 | 503): ApiError {
  switch (code) {
    case 429:
      return new ApiError(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later', { retryAfterSeconds: 1 });
    case 503:
      return new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request (injected fault)', { retryAfterSeconds: 1 });
    default:
      return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault');
  }
}

/** The HTTP headers a fault error needs besides its Status body (429/503: Retry-After). */
export function faultHeaders(error: ApiError): Record<string, string> {
  return error.details?.retryAfterSeconds !== undefined ? { 'Retry-After': String(error.details.retryAfterSeconds) } : {};
}

export function createFaultInjector(spec?: FaultSpec): FaultInjector {
  const rules = spec?.rules ?? [];
  const random = mulberry32(spec?.seed ?? 0);
  return {
    beforeRequest(attrs) {
      let delayMs = 0;
      let error: ApiError | undefined;
      for (const rule of rules) {
        if (!matches(rule, attrs.verb, attrs.group, attrs.resource, attrs.subresource)) continue;
        delayMs = Math.max(delayMs, rule.latencyMs ?? 0);
        if (!error && rule.errorRate && random() < rule.errorRate) {
          const codes: (429 | 500 | 503)[] = rule.errorCodes?.length ? rule.errorCodes : [500];
          error = faultError(codes[Math.floor(random() * codes.length)]);
        }
      }
      return { delayMs, ...(error ? { error } : {}) };
    },
    watchCutAfterMs(attrs) {
      let cut: number | undefined;
      for (const rule of rules) {
        if (rule.watchDisconnectAfterMs === undefined || !matches(rule, 'watch', attrs.group, attrs.resource)) continue;
        cut = cut === undefined ? rule.watchDisconnectAfterMs : Math.min(cut, rule.watchDisconnectAfterMs);
      }
      return cut;
    },
  };
}
