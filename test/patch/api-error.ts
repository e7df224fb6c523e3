import { ApiError } from '../../harness/controlplane/types.ts';

/** Runs `fn` and returns the ApiError it throws; fails when it throws nothing or something else. */
export function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}
