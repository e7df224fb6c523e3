// One HTTP exchange with the platform backend: JSON body out, JSON (or raw text) back. Shared by
// the simulated runner, the scenarios and the tests, so they all read responses the same way.
//
// Transport: node:http(s) with one keep-alive pool per protocol, like a runner's long-lived HTTP
// client. fetch() did the same exchange at several times the CPU (web streams, AbortSignal timers,
// per-request objects), which counted at thousands of runner calls a second. Redirects are followed
// as fetch follows them.
import http from 'node:http';
import https from 'node:https';

export interface BackendCall {
  method: string;
  /** Bearer token; omitted means no Authorization header (the backend must answer 401). */
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  /** Send `Content-Type: application/json` even without a body (the runner's urllib client does). */
  alwaysJsonContentType?: boolean;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 }),
};
const MAX_REDIRECTS = 20;

interface Exchange {
  status: number;
  location?: string;
  text: string;
}

/** One request on a pooled socket; a reused socket the server closed meanwhile is retried once on a new one. */
function exchange(url: URL, method: string, headers: Record<string, string>, payload: string | undefined, deadline: number, retry = true): Promise<Exchange> {
  const mod = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new Error(`unsupported protocol ${url.protocol} in ${url.origin}`));
  return new Promise<Exchange>((resolve, reject) => {
    const timeoutMs = Math.max(1, deadline - Date.now());
    // fetch's framing: a Content-Length always (0 for a POST/PUT without a body), never chunked.
    const length = payload !== undefined ? Buffer.byteLength(payload) : method === 'POST' || method === 'PUT' ? 0 : undefined;
    const req = mod.request(url, { method, headers: length === undefined ? headers : { ...headers, 'Content-Length': String(length) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.origin}${url.pathname}: no response within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) resolve(exchange(url, method, headers, payload, deadline, false));
      else reject(err);
    });
    // A Buffer body: a string body would be written in one piece with the headers, in its encoding,
    // turning byte-string (latin1) header values such as raw UTF-8 X-Forwarded-* into double-encoded text.
    req.end(payload === undefined ? undefined : Buffer.from(payload));
  });
}

export async function callBackend(url: string, c: BackendCall): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.token) headers.Authorization = `Bearer ${c.token}`;
  if (c.body !== undefined || c.alwaysJsonContentType) headers['Content-Type'] = 'application/json';
  const deadline = Date.now() + (c.timeoutMs ?? 30_000);
  let target = new URL(url);
  let method = c.method;
  let payload = c.body === undefined ? undefined : JSON.stringify(c.body);
  let r = await exchange(target, method, headers, payload, deadline);
  for (let hops = 0; r.location && [301, 302, 303, 307, 308].includes(r.status); hops++) {
    if (hops >= MAX_REDIRECTS) throw new Error(`${c.method} ${url}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(r.location, target);
    // As fetch: 303 (and 301/302 after a POST) become a GET without a body; credentials stay on the origin.
    if (r.status === 303 || ((r.status === 301 || r.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      payload = undefined;
      delete headers['Content-Type'];
    }
    if (next.origin !== target.origin) delete headers.Authorization;
    target = next;
    r = await exchange(target, method, headers, payload, deadline);
  }
  let body: any = r.text;
  try {
    body = r.text ? JSON.parse(r.text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: r.status, body };
}
