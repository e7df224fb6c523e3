// Writing responses: JSON or protobuf bodies, Status errors from ApiError, and `Warning` headers.
import type { ServerResponse } from 'node:http';
import { ApiError, type KubeObject } from '../types.ts';
import type { ProtobufModule } from '../registry/modules.ts';

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

interface SendOptions {
  contentType?: string;
  warnings?: string[];
  headers?: Record<string, string>;
  /** Set when the client asked for protobuf: objects with a protobuf form are sent in it. */
  protobuf?: ProtobufModule;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, opts: SendOptions = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendBody(res, status, jsonOf(body), opts.contentType ?? 'application/json', opts);
}

function sendBody(res: ServerResponse, status: number, body: string | Uint8Array, contentType: string, opts: SendOptions): void {
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(body),
    ...(opts.headers ?? {}),
  };
  if (opts.warnings?.length) headers.Warning = warningHeaders(opts.warnings);
  res.writeHead(status, headers);
  res.end(body);
}

/** Any thrown value as a Kubernetes Status: ApiError keeps its code/reason, the rest is a 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ type: '', message }] });
}

/** An object, list or Status: protobuf when the client asked for it and the kind has a protobuf form, else JSON. */
export function sendObject(res: ServerResponse, status: number, body: KubeObject, opts: SendOptions = {}): void {
  const pb = opts.protobuf;
  if (!pb?.canEncode(body)) sendJson(res, status, body, opts);
  else if (res.headersSent) res.end();
  else sendBody(res, status, pb.encodeProtobuf(body), pb.PROTOBUF_CONTENT_TYPE, opts);
}

export function sendError(res: ServerResponse, err: unknown, warnings?: string[], protobuf?: ProtobufModule): number {
  const apiError = toApiError(err);
  const headers: Record<string, string> = {};
  if (apiError.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(apiError.details.retryAfterSeconds);
  sendObject(res, apiError.code, apiError.toStatus(), { warnings, headers, protobuf });
  return apiError.code;
}

export function successStatus(details: Record<string, unknown>): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}
