// Content negotiation of resource responses from the Accept header: the media type (JSON, or
// protobuf for built-in kinds when the client lists it first, as client-go's typed clients and
// kubectl ≥ 1.32 do) and the shape (the object, a Table, or metadata only).

export type Shape = 'object' | 'table' | 'metadata';

export interface Negotiated {
  protobuf: boolean;
  shape: Shape;
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

function jsonShape(accept: string | undefined): Shape {
  if (!accept) return 'object';
  if (/as=Table/.test(accept)) return 'table';
  if (/as=PartialObjectMetadata/.test(accept)) return 'metadata';
  return 'object';
}

/**
 * The first media range the server can produce wins: protobuf (plain or as=PartialObjectMetadata*;
 * Tables are served as JSON only, so a protobuf Table range is passed over), else JSON.
 */
export function negotiate(accept: string | undefined): Negotiated {
  // The JSON path (client-node, kubectl get, curl) never mentions protobuf: one substring test.
  if (!accept || !accept.includes(PROTOBUF)) return { protobuf: false, shape: jsonShape(accept) };
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim());
    if (type.toLowerCase() !== PROTOBUF) break;
    const as = params.find((p) => p.startsWith('as='))?.slice(3);
    if (!as) return { protobuf: true, shape: 'object' };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { protobuf: true, shape: 'metadata' };
  }
  return { protobuf: false, shape: jsonShape(accept) };
}
