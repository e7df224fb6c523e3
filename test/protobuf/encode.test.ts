// The protobuf response encoder: what it writes decodes back to the same JSON (through the decoder
// and through hand-read bytes), Go's wire conventions hold (negative varints, long lengths,
// Timestamp/Duration/IntOrString/Quantity, the JSONSchemaPropsOr* unions), lists, Status and watch
// frames are enveloped as kube-apiserver does, and every served kind has a message.
import { describe, expect, it } from 'vitest';
import { builtinResourceTypes } from '../../harness/controlplane/catalog/index.ts';
import { canEncode, decodeProtobuf, encodeProtobuf, encodeWatchEvent } from '../../harness/controlplane/protobuf/index.ts';
import { WireReader } from '../../harness/controlplane/protobuf/wire.ts';
import { parseGoDuration, parseTime } from '../../harness/controlplane/protobuf/well-known.ts';
import { negotiate } from '../../harness/controlplane/server/negotiate.ts';
import { ApiError, type KubeObject } from '../../harness/controlplane/types.ts';
import { encodeObject, envelope, Writer } from './encoder.ts';
import { FIXTURES } from './fixtures.ts';

const obj = (o: Record<string, unknown>) => o as unknown as KubeObject;

/** The fields of a message as [number, wire type, value] (bytes as a Buffer), read by hand. */
function fields(buf: Uint8Array, start = 0, end = buf.length): Array<[number, number, number | Buffer]> {
  const r = new WireReader(buf, start, end);
  const out: Array<[number, number, number | Buffer]> = [];
  while (!r.done()) {
    const [num, wire] = r.key();
    out.push([num, wire, wire === 2 ? Buffer.from(r.bytes()) : r.varintSigned()]);
  }
  return out;
}

describe('encoder ↔ decoder on every fixture', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(`${name}: decodes to what the gogo-style test encoding decodes to`, () => {
      expect(decodeProtobuf(encodeProtobuf(obj(f.object)))).toEqual(decodeProtobuf(encodeObject(f.object, f.message)));
    });
  }
});

describe('bytes on the wire', () => {
  it('envelopes a ConfigMap as k8s\\0 + Unknown{typeMeta, raw} with the public field numbers', () => {
    const bytes = encodeProtobuf(obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b' }, immutable: true }));
    const meta = new Writer().string(1, 'cm1').finish();
    const entry = new Writer().string(1, 'a').string(2, 'b').finish();
    const cm = new Writer().bytes(1, meta).bytes(2, entry).key(4, 0).varint(1).finish();
    const typeMeta = new Writer().string(1, 'v1').string(2, 'ConfigMap').finish();
    const unknown = new Writer().bytes(1, typeMeta).bytes(2, cm).finish();
    expect(bytes).toEqual(Buffer.concat([Buffer.from('k8s\0'), unknown]));
  });

  it('writes negative and large integers as Go does (10-byte two\'s complement, > 2^32)', () => {
    const pc = encodeProtobuf(obj({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: -5 }));
    expect(decodeProtobuf(pc)).toMatchObject({ value: -5 });
    const raw = fields(pc, 4).find(([n]) => n === 2)![2] as Buffer;
    const value = fields(raw).find(([n]) => n === 2)!;
    expect(value).toEqual([2, 0, -5]);
    const big = 2 ** 40 + 3;
    const tr = obj({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { expirationSeconds: big } });
    expect((decodeProtobuf(encodeProtobuf(tr)) as any).spec.expirationSeconds).toBe(big);
  });

  it('nests messages longer than one and two varint length bytes', () => {
    for (const size of [127, 128, 300, 16_383, 16_384, 70_000]) {
      const cm = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', annotations: { note: 'ü'.repeat(size) } }, data: { k: 'x'.repeat(size) } });
      expect(decodeProtobuf(encodeProtobuf(cm))).toEqual(cm);
    }
  });

  it('encodes Time (any offset), MicroTime, Duration, IntOrString, Quantity numbers, raw JSON and managedFields', () => {
    const t = parseTime('2026-01-02T05:04:05+02:00')!;
    expect(t).toEqual({ seconds: Date.UTC(2026, 0, 2, 3, 4, 5) / 1000, nanos: 0 });
    expect(parseGoDuration('1h30m0.5s')).toBe(5_400_500_000_000);
    expect(parseGoDuration('-300ms')).toBe(-300_000_000);
    expect(parseGoDuration('1x')).toBeUndefined();
    const pod = obj({
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'p', creationTimestamp: '2026-01-02T03:04:05Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }],
      },
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: 1 } }, readinessProbe: { httpGet: { port: 'http' } }, livenessProbe: { tcpSocket: { port: 8080 } } }] },
    });
    const back = decodeProtobuf(encodeProtobuf(pod)) as any;
    expect(back.metadata).toEqual(pod.metadata);
    expect(back.spec.containers[0].resources.requests.cpu).toBe('1');
    expect(back.spec.containers[0].readinessProbe.httpGet.port).toBe('http');
    expect(back.spec.containers[0].livenessProbe.tcpSocket.port).toBe(8080);
    const lease = obj({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { renewTime: '2026-01-02T03:04:06.000001Z' } });
    expect((decodeProtobuf(encodeProtobuf(lease)) as any).spec.renewTime).toBe('2026-01-02T03:04:06.000001Z');
    const rev = obj({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 3, data: { spec: { a: [1, 'b', null] } } });
    expect(decodeProtobuf(encodeProtobuf(rev))).toEqual(rev);
    const hpa = obj({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { maxReplicas: 3, behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } }, status: { desiredReplicas: 1, currentReplicas: 0 } });
    // Go's JSON of the decoded struct: the *int32 zero stays, the omitempty int32 zero goes.
    expect(decodeProtobuf(encodeProtobuf(hpa))).toEqual({ ...hpa, status: { desiredReplicas: 1 } });
  });

  it('encodes CRD schemas: unions by JSON type, raw JSON enum/default, doubles, nested maps', () => {
    const props = {
      tags: { type: 'array', items: { type: 'string', maxLength: 5 } },
      tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      closed: { type: 'object', additionalProperties: false },
      open: { type: 'object', additionalProperties: true },
      dep: { type: 'object', dependencies: { a: ['b', 'c'], d: { required: ['e'] } } },
      size: { type: 'number', minimum: 0.5, maximum: 1e21, default: 1.5, enum: [0.5, 1.5, null] },
      any: { 'x-kubernetes-preserve-unknown-fields': true, default: { nested: { x: [1] } } },
    };
    const crd = obj({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ws.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'ws', kind: 'W' },
        versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: props } } }],
      },
    });
    expect(decodeProtobuf(encodeProtobuf(crd))).toEqual(crd);
  });

  it('envelopes lists (items without envelopes), Status errors and PartialObjectMetadata', () => {
    const list = obj({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '42', continue: 'c', remainingItemCount: 3 }, items: [FIXTURES.ConfigMap.object] });
    const listMeta = new Writer().string(2, '42').string(3, 'c').key(4, 0).varint(3).finish();
    const item = fields(encodeObject(FIXTURES.ConfigMap.object, 'core.v1.ConfigMap'), 4).find(([n]) => n === 2)![2] as Buffer;
    const byHand = envelope('v1', 'ConfigMapList', new Writer().bytes(1, listMeta).bytes(2, item).finish());
    expect(decodeProtobuf(encodeProtobuf(list))).toEqual(decodeProtobuf(byHand));
    const status = new ApiError(404, 'NotFound', 'configmaps "x" not found', { name: 'x', kind: 'configmaps' }).toStatus();
    const decoded = decodeProtobuf(encodeProtobuf(status)) as any;
    expect(decoded).toMatchObject({ apiVersion: 'v1', kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound', message: 'configmaps "x" not found', details: { name: 'x', kind: 'configmaps' } });
    const pom = obj({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'a', labels: { x: 'y' } } });
    expect(decodeProtobuf(encodeProtobuf(pom))).toEqual(pom);
  });

  it('frames watch events: 4-byte length, WatchEvent{type, RawExtension{enveloped object}}', () => {
    const cm = obj(FIXTURES.ConfigMap.object);
    const frame = encodeWatchEvent('MODIFIED', cm);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    const [[n1, , type], [n2, , raw]] = fields(frame, 4);
    expect([n1, (type as Buffer).toString()]).toEqual([1, 'MODIFIED']);
    expect(n2).toBe(2);
    const inner = fields(raw as Buffer)[0][2] as Buffer;
    expect(decodeProtobuf(inner)).toEqual(decodeProtobuf(encodeProtobuf(cm)));
  });
});

describe('what cannot be encoded', () => {
  it('is refused with a 500 naming the field, never a malformed body', () => {
    const bad = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 5 } } });
    expect(() => encodeProtobuf(bad)).toThrowError(/unable to encode as protobuf: ConfigMap\.metadata\.labels\["a"\] is a number/);
    try {
      encodeProtobuf(obj({ apiVersion: 'v1', kind: 'Pod', metadata: { creationTimestamp: 'yesterday' } }));
      throw new Error('expected a failure');
    } catch (err) {
      expect((err as ApiError).code).toBe(500);
    }
  });

  it('custom resources and unknown versions have no protobuf form; every served built-in kind has one', () => {
    expect(canEncode({ apiVersion: 'example.com/v1', kind: 'Widget' })).toBe(false);
    expect(canEncode({ apiVersion: 'apps/v1beta1', kind: 'Deployment' })).toBe(false);
    expect(canEncode({ apiVersion: 'v1', kind: 'Status' })).toBe(true);
    for (const rt of builtinResourceTypes()) {
      const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
      expect(canEncode({ apiVersion, kind: rt.kind }), `${apiVersion} ${rt.kind}`).toBe(true);
      if (!rt.virtual) expect(canEncode({ apiVersion, kind: rt.listKind }), `${apiVersion} ${rt.listKind}`).toBe(true);
    }
  });
});

describe('content negotiation', () => {
  it('picks protobuf only when the client lists it first, and never for Tables', () => {
    expect(negotiate(undefined)).toEqual({ protobuf: false, shape: 'object' });
    expect(negotiate('application/json, */*')).toEqual({ protobuf: false, shape: 'object' });
    expect(negotiate('application/vnd.kubernetes.protobuf,application/json')).toEqual({ protobuf: true, shape: 'object' });
    expect(negotiate('application/vnd.kubernetes.protobuf, */*')).toEqual({ protobuf: true, shape: 'object' });
    expect(negotiate('application/json,application/vnd.kubernetes.protobuf')).toEqual({ protobuf: false, shape: 'object' });
    expect(negotiate('application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json'))
      .toEqual({ protobuf: true, shape: 'metadata' });
    expect(negotiate('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json'))
      .toEqual({ protobuf: false, shape: 'table' });
  });
});
