// The HTTPS front end on its worker thread, through raw HTTPS: many requests in flight get their
// own answers, a chunked body over the limit is a 413, a watch the client drops is closed on the
// server, and the same API answers with the front end on the API thread (frontWorker: false).
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { api } from './helpers.ts';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
}, 60_000);
afterAll(async () => cp?.stop());

const waitFor = async (pred: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return pred();
};

describe('HTTPS front end (worker thread)', () => {
  it('answers 200 concurrent requests each with its own object', async () => {
    await api(cp, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'front' } } });
    const names = Array.from({ length: 200 }, (_, i) => `cm-${i}`);
    const created = await Promise.all(names.map((n) => api(cp, 'POST', '/api/v1/namespaces/front/configmaps', { body: { metadata: { name: n }, data: { n } } })));
    expect(created.map((r) => r.status)).toEqual(names.map(() => 201));
    const read = await Promise.all(names.map((n) => api(cp, 'GET', `/api/v1/namespaces/front/configmaps/${n}`)));
    expect(read.map((r) => r.body.data.n)).toEqual(names);
  });

  it('cuts a chunked body over the limit: 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('/api/v1/namespaces/front/configmaps', cp.url), { method: 'POST', ca: cp.caPem, headers: { Authorization: `Bearer ${cp.adminToken}`, 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(256 * 1024);
      for (let i = 0; i < 14; i++) req.write(chunk); // 3.5 MiB, no Content-Length
      req.end();
    });
    expect(status).toBe(413);
  });

  it('closes the server side of a watch the client drops', async () => {
    // A request enters the request log when its handler finishes: for a watch, when the server ends it.
    const logged = () => cp.requestLog.some((e) => e.path === '/api/v1/namespaces/front/configmaps?watch=1');
    const headers = await new Promise<{ status: number; abort: () => void }>((resolve, reject) => {
      const req = request(new URL('/api/v1/namespaces/front/configmaps?watch=1', cp.url), { ca: cp.caPem, headers: { Authorization: `Bearer ${cp.adminToken}` } }, (res) => {
        res.on('data', () => undefined);
        resolve({ status: res.statusCode ?? 0, abort: () => req.destroy() });
      });
      req.on('error', () => undefined);
      req.on('close', () => undefined);
      setTimeout(() => reject(new Error('no watch headers')), 10_000).unref();
      req.end();
    });
    expect(headers.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(logged()).toBe(false);
    headers.abort();
    expect(await waitFor(logged)).toBe(true);
  });

  it('serves the same API with the front end on the API thread', async () => {
    const single = await startControlPlane({ frontWorker: false });
    try {
      const version = await api(single, 'GET', '/version');
      expect(version.status).toBe(200);
      expect((await api(single, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'one' } } })).status).toBe(201);
      expect((await api(single, 'GET', '/api/v1/namespaces/one')).body.metadata.name).toBe('one');
    } finally {
      await single.stop();
    }
  });
});
