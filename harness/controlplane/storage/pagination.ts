// List pagination: `limit` + an opaque `continue` token carrying the list's resourceVersion and
// the last key returned. A token whose resourceVersion has been compacted away is 410 Expired.
import { ApiError } from '../types.ts';

export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64url');
}

export function decodeContinue(raw: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { v?: string; rv?: unknown; start?: unknown };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('shape');
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw new ApiError(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export function expiredContinue(): ApiError {
  return new ApiError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
}

/** Slices an already filtered, sorted list according to limit/continue. */
export function paginate<T>(
  items: Array<{ sortKey: string; object: T }>,
  opts: { limit?: number; continue?: string },
  currentRv: number,
  oldestValidRv: number,
): { items: T[]; resourceVersion: number; continue?: string; remainingItemCount?: number } {
  let rv = currentRv;
  let rest = items;
  if (opts.continue) {
    const token = decodeContinue(opts.continue);
    if (token.rv < oldestValidRv) throw expiredContinue();
    rv = token.rv;
    rest = items.filter((i) => i.sortKey > token.start);
  }
  if (!opts.limit || opts.limit <= 0 || rest.length <= opts.limit) return { items: rest.map((i) => i.object), resourceVersion: rv };
  const page = rest.slice(0, opts.limit);
  return {
    items: page.map((i) => i.object),
    resourceVersion: rv,
    continue: encodeContinue({ rv, start: page[page.length - 1].sortKey }),
    remainingItemCount: rest.length - page.length,
  };
}
