// A backend in front of the reference backend: every request the harness (its users and its
// simulated runners) sends goes through this loopback proxy, which may answer itself, rewrite the
// request, delay it, or rewrite the answer. A deliberately broken backend is a set of such hooks
// (backends.ts); with no hooks it is a neutral proxy, which must give no finding.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { embeddedTarget } from '../../harness/targets/embedded.ts';
import type { Cluster, Target } from '../../harness/targets/types.ts';

export interface ProxyRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined without one); hooks may replace it. */
  json?: any;
  /** The bearer token, if any. */
  token?: string;
}

export interface ProxyReply {
  status: number;
  json?: unknown;
  text?: string;
}

export interface ProxyHooks {
  /** Before forwarding: answer (return a reply) or rewrite `req.json` in place. */
  request?(req: ProxyRequest): Promise<ProxyReply | void> | ProxyReply | void;
  /** After the backend answered: rewrite the answer (return a new one) or leave it. */
  response?(req: ProxyRequest, reply: ProxyReply): Promise<ProxyReply | void> | ProxyReply | void;
  /** Stops what the hooks started (timers, clients). */
  close?(): Promise<void> | void;
}

export interface RunningProxy {
  url: string;
  /** Requests seen, by `METHOD path-pattern` (session names replaced by `:s`). */
  counts: Map<string, number>;
  /** Stops accepting and drops open connections: the backend is down. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function startProxy(upstream: string, hooks: ProxyHooks): Promise<RunningProxy> {
  const counts = new Map<string, number>();
  let killed = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const url = req.url ?? '/';
        const path = url.split('?')[0];
        const auth = String(req.headers.authorization ?? '');
        const pr: ProxyRequest = { method: req.method ?? 'GET', url, path, headers: req.headers, token: /^Bearer\s+(.+)$/i.exec(auth)?.[1] };
        if (raw) {
          try {
            pr.json = JSON.parse(raw);
          } catch {
            /* forwarded as is */
          }
        }
        const key = `${pr.method} ${path.replace(/session-[0-9a-f-]+|harness-parent-[a-z0-9-]+/g, ':s')}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        let reply = (await hooks.request?.(pr)) ?? undefined;
        if (!reply) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          const body = pr.json !== undefined ? JSON.stringify(pr.json) : raw || undefined;
          const r = await fetch(`${upstream}${url}`, { method: pr.method, headers, body: pr.method === 'GET' || pr.method === 'HEAD' ? undefined : body });
          const text = await r.text();
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          reply = json !== undefined ? { status: r.status, json } : { status: r.status, text };
          reply = (await hooks.response?.(pr, reply)) ?? reply;
        }
        const out = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
        res.writeHead(reply.status, { 'Content-Type': reply.json !== undefined ? 'application/json; charset=utf-8' : 'text/plain', 'Content-Length': Buffer.byteLength(out) });
        res.end(out);
      })().catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`proxy: ${(err as Error).message}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url,
    counts,
    kill: async () => {
      if (killed) return;
      killed = true;
      await stop();
    },
    close: async () => {
      await hooks.close?.();
      if (!killed) {
        killed = true;
        await stop();
      }
    },
  };
}

/** The embedded target with a proxy (built from the cluster by `makeHooks`) in front of its backend. */
export function proxiedTarget(makeHooks: (cluster: Cluster, proxy: () => RunningProxy) => ProxyHooks, onProxy?: (p: RunningProxy) => void): Target {
  return {
    name: 'embedded',
    prerequisites: (config) => embeddedTarget.prerequisites(config),
    async up(opts) {
      const cluster = await embeddedTarget.up(opts);
      const upstream = cluster.backendUrl.replace(/\/api$/, '');
      let proxy: RunningProxy | undefined;
      try {
        proxy = await startProxy(upstream, makeHooks(cluster, () => proxy as RunningProxy));
      } catch (err) {
        await cluster.down();
        throw err;
      }
      onProxy?.(proxy);
      const running = proxy;
      return {
        ...cluster,
        backendUrl: `${running.url}/api`,
        down: async () => {
          await running.close();
          await cluster.down();
        },
      };
    },
  };
}
