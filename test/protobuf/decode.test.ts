import { describe, expect, it } from 'vitest';
import { decodeProtobuf, messageFor } from '../../harness/controlplane/protobuf/index.ts';
import { formatGoDuration, formatTime } from '../../harness/controlplane/protobuf/well-known.ts';
import { ApiError } from '../../harness/controlplane/types.ts';
import { encodeObject, envelope, Writer } from './encoder.ts';
import { FIXTURES } from './fixtures.ts';

function expectBadRequest(fn: () => unknown, pattern?: RegExp): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.code).toBe(400);
    expect(e.reason).toBe('BadRequest');
    if (pattern) expect(e.message).toMatch(pattern);
    return e;
  }
  throw new Error('expected ApiError 400');
}

describe('protobuf round trip (gogo-style encoding of every supported kind)', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(name, () => {
      const decoded = decodeProtobuf(encodeObject(f.object, f.message));
      const expected = f.object.kind === 'DeleteOptions' || f.object.metadata ? f.object : { ...f.object, metadata: {} };
      expect(decoded).toEqual(expected);
    });
  }

  it('keeps meaningful zeros of pointer fields and drops zeros of omitempty ones', () => {
    const d = decodeProtobuf(encodeObject(FIXTURES.Deployment.object, 'apps.v1.Deployment')) as any;
    expect(d.spec.replicas).toBe(0); // *int32: 0 is meaningful
    expect(d.spec.minReadySeconds).toBeUndefined(); // int32 omitempty, written as 0 by gogo
    expect(d.spec.paused).toBeUndefined(); // bool omitempty, written as false
    expect(d.spec.template.spec.automountServiceAccountToken).toBe(false); // *bool
    expect(d.spec.template.spec.volumes[0]).toEqual({ name: 'work', emptyDir: {} }); // pointer to empty struct stays
    expect(d.status).toBeUndefined(); // non-pointer empty status struct dropped
    expect(d.metadata.creationTimestamp).toBeUndefined(); // zero Time → JSON null → dropped
  });
});

describe('hand-built bytes (independent of the generated tables)', () => {
  it('decodes a ConfigMap with the field numbers of the public API', () => {
    const labels = new Writer().string(1, 'app').string(2, 'web').finish();
    const meta = new Writer().string(1, 'cm1').string(3, 'team-a').bytes(11, labels).finish();
    const entry = new Writer().string(1, 'a').string(2, 'b').finish();
    const bin = new Writer().string(1, 'raw').bytes(2, Uint8Array.from([0, 1, 2])).finish();
    const cm = new Writer().bytes(1, meta).bytes(2, entry).bytes(3, bin).key(4, 0).varint(1).finish();
    expect(decodeProtobuf(envelope('v1', 'ConfigMap', cm))).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm1', namespace: 'team-a', labels: { app: 'web' } },
      data: { a: 'b' },
      binaryData: { raw: 'AAEC' },
      immutable: true,
    });
  });

  it('decodes a TokenRequest spec (audiences 1, boundObjectRef 3, expirationSeconds 4)', () => {
    const ref = new Writer().string(1, 'Pod').string(2, 'v1').string(3, 'p').string(4, 'uid-1').finish();
    const spec = new Writer().string(1, 'a1').string(1, 'a2').bytes(3, ref).key(4, 0).varint(3600).finish();
    const tr = new Writer().bytes(1, new Uint8Array()).bytes(2, spec).bytes(3, new Writer().string(1, '').bytes(2, new Uint8Array()).finish()).finish();
    expect(decodeProtobuf(envelope('authentication.k8s.io/v1', 'TokenRequest', tr))).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: ['a1', 'a2'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'uid-1' }, expirationSeconds: 3600 },
    });
  });

  it('decodes negative int64 varints, packed repeated ints and Lease MicroTime', () => {
    expect(new Writer().varint(-1).finish().length).toBe(10); // negative varints are sign-extended to 64 bits
    const spec = new Writer().key(2, 0).varint(-1).bytes(3, new Writer().key(1, 0).varint(1767323045).key(2, 0).varint(123456000).finish()).finish();
    const lease = new Writer().bytes(1, new Uint8Array()).bytes(2, spec).finish();
    const obj = decodeProtobuf(envelope('coordination.k8s.io/v1', 'Lease', lease)) as any;
    expect(obj.spec).toEqual({ leaseDurationSeconds: -1, acquireTime: '2026-01-02T03:04:05.123456Z' });

    const packed = new Writer().varint(1).varint(300).varint(-2).finish();
    const req = new Writer().string(2, 'In').bytes(3, packed).finish();
    const rule = new Writer().string(1, 'FailJob').bytes(2, req).finish();
    const policy = new Writer().bytes(1, rule).finish();
    const jobSpec = new Writer().bytes(11, policy).finish();
    const job = decodeProtobuf(envelope('batch/v1', 'Job', new Writer().bytes(2, jobSpec).finish())) as any;
    expect(job.spec.podFailurePolicy.rules[0]).toEqual({ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 300, -2] } });
  });

  it('formats Time, MicroTime and Duration like Go', () => {
    expect(formatTime(0, 0, false)).toBe('1970-01-01T00:00:00Z');
    expect(formatTime(1767323045, 999_999_999, false)).toBe('2026-01-02T03:04:05Z');
    expect(formatTime(1767323045, 1000, true)).toBe('2026-01-02T03:04:05.000001Z');
    expect(formatGoDuration(3_600_000_000_000)).toBe('1h0m0s');
    expect(formatGoDuration(90_500_000_000)).toBe('1m30.5s');
    expect(formatGoDuration(300_000_000)).toBe('300ms');
  });
});

describe('protobuf errors are ApiError 400, never crashes or silent drops', () => {
  it('rejects a body without the k8s magic', () => {
    expectBadRequest(() => decodeProtobuf(Buffer.from('{"kind":"ConfigMap"}')), /magic/);
    expectBadRequest(() => decodeProtobuf(Buffer.alloc(0)), /magic/);
  });

  it('names an unknown field number instead of dropping it', () => {
    const cm = new Writer().bytes(1, new Uint8Array()).string(99, 'surprise').finish();
    expectBadRequest(() => decodeProtobuf(envelope('v1', 'ConfigMap', cm)), /unknown field number 99 in ConfigMap/);
    const meta = new Writer().string(1, 'x').string(42, 'y').finish();
    expectBadRequest(() => decodeProtobuf(envelope('v1', 'ConfigMap', new Writer().bytes(1, meta).finish())), /unknown field number 42 in ObjectMeta/);
  });

  it('refuses kinds and versions it has no table for (custom resources, unserved versions)', () => {
    expectBadRequest(() => decodeProtobuf(envelope('example.com/v1', 'Widget', new Uint8Array())), /protobuf decoding of example.com\/v1\/Widget is not supported/);
    expectBadRequest(() => decodeProtobuf(envelope('apps/v1beta1', 'Deployment', new Uint8Array())), /not supported/);
    expect(messageFor('apps/v1', 'DeleteOptions')).toBe('meta.v1.DeleteOptions');
  });

  it('rejects a wrong wire type for a known field', () => {
    const cm = new Writer().key(1, 0).varint(7).finish(); // metadata as a varint
    expectBadRequest(() => decodeProtobuf(envelope('v1', 'ConfigMap', cm)), /ConfigMap.metadata has wire type 0/);
  });

  it('rejects invalid UTF-8 in strings and a non-v1 envelope content encoding', () => {
    const meta = new Writer().bytes(1, Uint8Array.from([0xff, 0xfe])).finish();
    expectBadRequest(() => decodeProtobuf(envelope('v1', 'ConfigMap', new Writer().bytes(1, meta).finish())), /UTF-8/);
    const typeMeta = new Writer().string(1, 'v1').string(2, 'ConfigMap').finish();
    const unknown = new Writer().bytes(1, typeMeta).bytes(2, new Uint8Array()).string(3, 'gzip').finish();
    expectBadRequest(() => decodeProtobuf(Buffer.concat([Buffer.from('k8s\0'), unknown])), /content encoding "gzip"/);
  });

  it('truncation at every byte offset of valid bodies throws 400 (or, past the object, still decodes)', () => {
    for (const name of ['ConfigMap', 'TokenRequest', 'SelfSubjectAccessReview', 'Pod', 'Lease']) {
      const f = FIXTURES[name];
      const full = encodeObject(f.object, f.message);
      const objectEnd = full.length - 4; // the two trailing empty envelope strings (contentEncoding, contentType)
      for (let cut = 0; cut < full.length; cut++) {
        const body = full.subarray(0, cut);
        if (cut < objectEnd) {
          expectBadRequest(() => decodeProtobuf(body));
          continue;
        }
        // Past the object only the optional trailing fields are cut: a whole field decodes, half a field is 400.
        try {
          expect(decodeProtobuf(body)).toEqual(decodeProtobuf(full));
        } catch (err) {
          expect((err as ApiError).code).toBe(400);
        }
      }
    }
  });

  it('random corruption never escapes as anything but ApiError 400', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const full = encodeObject(FIXTURES.Pod.object, FIXTURES.Pod.message);
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const body = Buffer.from(full);
      for (let j = 0; j < 3; j++) body[4 + Math.floor(rand() * (body.length - 4))] = Math.floor(rand() * 256);
      try {
        decodeProtobuf(body);
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).code).toBe(400);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(500);
  });
});
