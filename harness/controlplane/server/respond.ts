// Writing responses: JSON bodies, Status errors from ApiError, and `Warning` headers.
import type { ServerResponse } from 'node:http';
import { ApiError, type KubeObject } from '../types.ts';

export function warningHeaders(warnings: string[]): string[] {
  return warnings.map((w) => `299 - ${JSON.stringify(w)}`);
}

/**
 * JSON of a value, remembering the last frozen (stored) object: a committed object is serialized
 * for every watch it fans out to and for the write's own response, back to back.
 */
let lastObject: unknown;
let lastJson = '';

export function jsonOf(value: unknown): string {
  if (value === lastObject) return lastJson;
  const json = JSON.stringify(value);
  if (value !== null && typeof value === 'object' && Object.isFrozen(value)) {
    lastObject = value;
    lastJson = json;
  }
  return json;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, opts: { contentType?: string; warnings?: string[]; headers?: Record<string, string> } = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = jsonOf(body);
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': opts.contentType ?? 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
    ...(opts.headers ?? {}),
  };
  if (opts.warnings?.length) headers.Warning = warningHeaders(opts.warnings);
  res.writeHead(status, headers);
  res.end(text);
}

/** Any thrown value as a Kubernetes Status: ApiError keeps its code/reason, the rest is a 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ type: '', message }] });
}

export function sendError(res: ServerResponse, err: unknown, warnings?: string[]): number {
  const apiError = toApiError(err);
  const headers: Record<string, string> = {};
  if (apiError.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(apiError.details.retryAfterSeconds);
  sendJson(res, apiError.code, apiError.toStatus(), { warnings, headers });
  return apiError.code;
}

export function successStatus(details: Record<string, unknown>): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}
