// Content negotiation over HTTPS against the embedded control plane: protobuf responses (objects,
// lists, metadata-only, Status errors, watch frames) when the Accept header lists protobuf first,
// and JSON for everything else: JSON clients, Tables, custom resources.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { decodeProtobuf } from '../../harness/controlplane/protobuf/index.ts';
import { WireReader } from '../../harness/controlplane/protobuf/wire.ts';

const PB = 'application/vnd.kubernetes.protobuf';
const PB_FIRST = `${PB},application/json`;
const NS = 'negotiate';
const CM = `/api/v1/namespaces/${NS}/configmaps`;

interface Reply { status: number; type: string; body: Buffer }

function call(cp: ControlPlane, method: string, path: string, accept?: string, json?: unknown): Promise<Reply> {
  const payload = json === undefined ? undefined : JSON.stringify(json);
  const headers: Record<string, string> = { Authorization: `Bearer ${cp.adminToken}`, ...(accept ? { Accept: accept } : {}), ...(payload ? { 'Content-Type': 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cp.url), { method, headers, ca: cp.caPem, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads length-prefixed protobuf watch frames until `count` events arrived, then closes. */
function watchFrames(cp: ControlPlane, path: string, count: number, onOpen: () => Promise<unknown>): Promise<{ type: string; events: Array<{ type: string; object: any }> }> {
  return new Promise((resolve, reject) => {
    const events: Array<{ type: string; object: any }> = [];
    let buf = Buffer.alloc(0);
    const req = request(new URL(path, cp.url), { headers: { Authorization: `Bearer ${cp.adminToken}`, Accept: PB_FIRST }, ca: cp.caPem }, (res) => {
      const timer = setTimeout(() => req.destroy(new Error(`watch: ${events.length} of ${count} events`)), 10_000);
      onOpen().catch(reject);
      res.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
          const frame = buf.subarray(4, 4 + buf.readUInt32BE(0));
          buf = buf.subarray(4 + frame.length);
          // WatchEvent{1 type, 2 object: RawExtension{1 raw: the enveloped object}}
          const r = new WireReader(frame);
          let type = '';
          let raw: Uint8Array = new Uint8Array();
          while (!r.done()) {
            const [num] = r.key();
            if (num === 1) type = r.string();
            else {
              const ext = new WireReader(r.bytes());
              ext.key();
              raw = ext.bytes();
            }
          }
          events.push({ type, object: decodeProtobuf(raw) });
        }
        if (events.length >= count) {
          clearTimeout(timer);
          req.destroy();
          resolve({ type: String(res.headers['content-type']), events });
        }
      });
    });
    req.on('error', (err) => (events.length >= count ? undefined : reject(err)));
    req.end();
  });
}

describe('content negotiation against the control plane', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
    expect((await call(cp, 'POST', '/api/v1/namespaces', undefined, { metadata: { name: NS } })).status).toBe(201);
    expect((await call(cp, 'POST', CM, undefined, { metadata: { name: 'cm1', labels: { a: 'b' } }, data: { k: 'v' } })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await cp?.stop();
  });

  it('serves a built-in object and list as protobuf to a client that asks for it first, JSON to the others', async () => {
    const json = await call(cp, 'GET', `${CM}/cm1`);
    expect(json.type).toBe('application/json');
    const pb = await call(cp, 'GET', `${CM}/cm1`, PB_FIRST);
    expect([pb.status, pb.type]).toEqual([200, PB]);
    expect(decodeProtobuf(pb.body)).toEqual(JSON.parse(json.body.toString()));
    expect((await call(cp, 'GET', `${CM}/cm1`, `application/json,${PB}`)).type).toBe('application/json');
    expect((await call(cp, 'GET', `${CM}/cm1`, '*/*')).type).toBe('application/json');

    const list = await call(cp, 'GET', `${CM}?labelSelector=a%3Db`, `${PB}, */*`);
    expect(list.type).toBe(PB);
    const decoded = decodeProtobuf(list.body) as any;
    expect(decoded).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMapList', items: [{ metadata: { name: 'cm1' }, data: { k: 'v' } }] });
    expect(decoded.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('serves metadata-only answers as protobuf PartialObjectMetadata, Tables always as JSON', async () => {
    const one = await call(cp, 'GET', `${CM}/cm1`, `${PB};as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json`);
    expect(one.type).toBe(PB);
    expect(decodeProtobuf(one.body)).toMatchObject({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'cm1', labels: { a: 'b' } } });
    expect(decodeProtobuf(one.body)).not.toHaveProperty('data');
    const list = await call(cp, 'GET', `${CM}?labelSelector=a%3Db`, `${PB};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json`);
    expect(decodeProtobuf(list.body)).toMatchObject({ kind: 'PartialObjectMetadataList', items: [{ metadata: { name: 'cm1' } }] });
    const table = await call(cp, 'GET', CM, `${PB};as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json`);
    expect(table.type).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(JSON.parse(table.body.toString()).kind).toBe('Table');
  });

  it('answers errors as protobuf Status, and deletes with a protobuf Status', async () => {
    const missing = await call(cp, 'GET', `${CM}/nope`, PB_FIRST);
    expect([missing.status, missing.type]).toEqual([404, PB]);
    expect(decodeProtobuf(missing.body)).toMatchObject({ kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound', details: { name: 'nope', kind: 'configmaps' } });
    const unknown = await call(cp, 'GET', '/apis/example.com/v1/nothings', PB_FIRST);
    expect([unknown.status, unknown.type]).toEqual([404, PB]);
    expect((await call(cp, 'POST', CM, undefined, { metadata: { name: 'gone' } })).status).toBe(201);
    const del = await call(cp, 'DELETE', `${CM}/gone`, PB_FIRST);
    expect([del.status, del.type]).toEqual([200, PB]);
    expect(decodeProtobuf(del.body)).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone' } });
  });

  it('keeps custom resources JSON whatever the client prefers', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    };
    expect((await call(cp, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', undefined, crd)).status).toBe(201);
    const crdBack = await call(cp, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com', PB_FIRST);
    expect(crdBack.type).toBe(PB); // the CRD itself is a built-in kind
    expect(decodeProtobuf(crdBack.body)).toMatchObject({ spec: { versions: [{ schema: { openAPIV3Schema: { 'x-kubernetes-preserve-unknown-fields': true } } }] } });
    const path = `/apis/example.com/v1/namespaces/${NS}/gadgets`;
    await expect.poll(async () => (await call(cp, 'POST', path, undefined, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' } })).status, { timeout: 10_000 }).toBe(201);
    const cr = await call(cp, 'GET', `${path}/g1`, PB_FIRST);
    expect([cr.status, cr.type]).toEqual([200, 'application/json']);
    expect((await call(cp, 'GET', path, PB_FIRST)).type).toBe('application/json');
  });

  it('answers a stored object without a protobuf form (a JSON client wrote a wrong type) with a 500 naming the field', async () => {
    const lease = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
    expect((await call(cp, 'POST', lease, undefined, { metadata: { name: 'odd' }, spec: { holderIdentity: 7 } })).status).toBe(201);
    const got = await call(cp, 'GET', `${lease}/odd`, PB_FIRST);
    expect([got.status, got.type]).toEqual([500, PB]);
    expect((decodeProtobuf(got.body) as any).message).toMatch(/unable to encode as protobuf: Lease\.spec\.holderIdentity is a number/);
    expect((await call(cp, 'GET', `${lease}/odd`)).status).toBe(200); // JSON still serves it
    // A watch stream ends with an ERROR event instead of breaking the write that produced the event.
    const { events } = await watchFrames(cp, `${lease}?watch=true&fieldSelector=metadata.name%3Dodd2`, 1, async () => {
      await call(cp, 'POST', lease, undefined, { metadata: { name: 'odd2' }, spec: { leaseDurationSeconds: 'long' } });
    });
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 500 } });
    expect((await call(cp, 'GET', `${lease}/odd2`)).status).toBe(200);
  });

  it('streams watch events as length-prefixed protobuf frames', async () => {
    const rv = (decodeProtobuf((await call(cp, 'GET', CM, PB_FIRST)).body) as any).metadata.resourceVersion;
    const { type, events } = await watchFrames(cp, `${CM}?watch=true&resourceVersion=${rv}`, 2, async () => {
      await call(cp, 'POST', CM, undefined, { metadata: { name: 'watched' }, data: { n: '1' } });
      await call(cp, 'DELETE', `${CM}/watched`);
    });
    expect(type).toBe(`${PB};stream=watch`);
    expect(events.map((e) => [e.type, e.object.kind, e.object.metadata.name])).toEqual([['ADDED', 'ConfigMap', 'watched'], ['DELETED', 'ConfigMap', 'watched']]);
    expect(events[0].object.data).toEqual({ n: '1' });
  });
});
