// Request bodies: size limit (413), media types (JSON, YAML, protobuf via the protobuf module,
// patch types), and 415 for what the API server does not decode (CBOR and anything unknown).
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, type PatchType } from '../types.ts';
import type { ProtobufModule } from '../registry/modules.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (err) => !failed && reject(err));
  });
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = PATCH_TYPES[mediaType(contentType)];
  if (!type) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  return type;
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

function parseYamlBody(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8'), { maxAliasCount: 100 });
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Decodes an object body (POST/PUT/DELETE options) by Content-Type. */
export function decodeObjectBody(body: Buffer, contentType: string | undefined, protobuf: ProtobufModule): unknown {
  const type = mediaType(contentType);
  if (body.length === 0) throw new ApiError(400, 'BadRequest', 'the request body is empty; an object is required');
  switch (type) {
    case '':
    case 'application/json':
    case '*/*':
      return parseJson(body);
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return parseYamlBody(body);
    case 'application/vnd.kubernetes.protobuf':
      try {
        return protobuf.decodeProtobuf(body);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw new ApiError(400, 'BadRequest', `failed to decode protobuf body: ${(err as Error).message}`);
      }
    default:
      throw unsupported();
  }
}

function unsupported(): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

export function decodePatchBody(body: Buffer, type: PatchType): unknown {
  if (body.length === 0) throw new ApiError(400, 'BadRequest', 'the request body is empty; a patch is required');
  return type === 'apply' ? parseYamlBody(body) : parseJson(body);
}
