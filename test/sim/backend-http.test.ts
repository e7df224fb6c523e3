// callBackend against a loopback node:http server: what goes on the wire (method, headers, JSON
// body, framing), what comes back (JSON or text), keep-alive reuse, a reused socket the server
// closed, redirects as fetch follows them, and the timeout.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callBackend } from '../../harness/sim/backend-http.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: number;
}

let server: Server;
let base = '';
let other: Server;
let otherBase = '';
const seen: Seen[] = [];
const sockets = new WeakMap<object, number>();
let nextSocket = 0;

function record(req: IncomingMessage, body: string): void {
  if (!sockets.has(req.socket)) sockets.set(req.socket, ++nextSocket);
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socket: sockets.get(req.socket)! });
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    record(req, body);
    const u = new URL(req.url ?? '/', base);
    if (u.pathname === '/json') return void res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ got: body ? JSON.parse(body) : null }));
    if (u.pathname === '/text') return void res.writeHead(502).end('bad gateway');
    if (u.pathname === '/empty') return void res.writeHead(204).end();
    if (u.pathname === '/close') {
      // Answer, then drop the kept-alive socket as a server whose idle timeout fired would.
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}', () => req.socket.destroy());
      return;
    }
    if (u.pathname === '/slow') return; // never answers
    const redirect = /^\/r(\d{3})$/.exec(u.pathname);
    if (redirect) return void res.writeHead(Number(redirect[1]), { Location: u.searchParams.get('to') ?? '/json' }).end();
    res.writeHead(404).end();
  });
}

const listen = (s: Server) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));

beforeAll(async () => {
  server = createServer(handler);
  base = await listen(server);
  other = createServer(handler);
  otherBase = await listen(other);
});
afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('callBackend', () => {
  it('sends JSON with the bearer token and reads JSON, text and empty bodies', async () => {
    seen.length = 0;
    const r = await callBackend(`${base}/json`, { method: 'POST', token: 'fake-token', headers: { 'X-Forwarded-User': 'alice' }, body: { a: 1, é: 'ü' } });
    expect(r).toEqual({ status: 201, body: { got: { a: 1, é: 'ü' } } });
    const s = seen[0];
    expect(s.method).toBe('POST');
    expect(s.headers.authorization).toBe('Bearer fake-token');
    expect(s.headers['x-forwarded-user']).toBe('alice');
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.headers['content-length']).toBe(String(Buffer.byteLength(s.body)));
    expect(s.headers['transfer-encoding']).toBeUndefined();
    expect(await callBackend(`${base}/text`, { method: 'GET' })).toEqual({ status: 502, body: 'bad gateway' });
    expect(await callBackend(`${base}/empty`, { method: 'DELETE' })).toEqual({ status: 204, body: undefined });
  });

  it('byte-string header values go on the wire as those bytes, also next to a JSON body', async () => {
    seen.length = 0;
    const utf8AsBytes = Buffer.from('Alice Ångström', 'utf8').toString('latin1');
    await callBackend(`${base}/json`, { method: 'POST', headers: { 'X-Forwarded-Preferred-Username': utf8AsBytes }, body: { name: 'Ångström' } });
    expect(Buffer.from(String(seen[0].headers['x-forwarded-preferred-username']), 'latin1').toString('utf8')).toBe('Alice Ångström');
    expect(JSON.parse(seen[0].body)).toEqual({ name: 'Ångström' });
  });

  it('no token means no Authorization; a POST without a body says Content-Length: 0; the runner mode sends the JSON content type on a GET', async () => {
    seen.length = 0;
    await callBackend(`${base}/json`, { method: 'POST' });
    await callBackend(`${base}/json`, { method: 'GET', alwaysJsonContentType: true });
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(seen[0].headers['content-length']).toBe('0');
    expect(seen[0].headers['content-type']).toBeUndefined();
    expect(seen[1].headers['content-type']).toBe('application/json');
    expect(seen[1].headers['content-length']).toBeUndefined();
  });

  it('reuses one kept-alive connection for calls in sequence, and retries once when the server closed it', async () => {
    seen.length = 0;
    for (let i = 0; i < 5; i++) await callBackend(`${base}/json`, { method: 'GET' });
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    await callBackend(`${base}/close`, { method: 'GET' });
    // The pooled socket is gone or going: the next call still succeeds.
    expect((await callBackend(`${base}/json`, { method: 'POST', body: { n: 1 } })).status).toBe(201);
  });

  it('follows redirects as fetch does: 303 becomes a GET, 307 keeps method and body, another origin gets no token', async () => {
    seen.length = 0;
    expect(await callBackend(`${base}/r303?to=/json`, { method: 'POST', token: 'fake-token', body: { x: 1 } })).toEqual({ status: 201, body: { got: null } });
    expect(seen.map((s) => s.method)).toEqual(['POST', 'GET']);
    expect(seen[1].headers.authorization).toBe('Bearer fake-token');
    seen.length = 0;
    expect(await callBackend(`${base}/r307?to=/json`, { method: 'POST', body: { x: 2 } })).toEqual({ status: 201, body: { got: { x: 2 } } });
    seen.length = 0;
    await callBackend(`${base}/r302?to=${encodeURIComponent(`${otherBase}/json`)}`, { method: 'GET', token: 'fake-token' });
    expect(seen.map((s) => s.method)).toEqual(['GET', 'GET']);
    expect(seen[1].headers.authorization).toBeUndefined();
  });

  it('gives up after the timeout with an error naming the call', async () => {
    await expect(callBackend(`${base}/slow`, { method: 'GET', timeoutMs: 200 })).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/slow: no response within/);
    await expect(callBackend('ftp://127.0.0.1/x', { method: 'GET' })).rejects.toThrow(/unsupported protocol ftp:/);
  });
});
