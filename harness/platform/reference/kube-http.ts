// The reference platform's Kubernetes transport: JSON over HTTPS on one keep-alive pool per
// cluster, a bearer token (or the kubeconfig's own credentials) per client, errors carrying the
// HTTP status. The backend and operator stand in for Go programs built on client-go; the harness's
// own cluster access and its assertions use @kubernetes/client-node, whose generated serializer
// dominated these two processes' CPU (every object walked against its type model both ways).
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** An API error: `code` is the HTTP status (what `apiCode()` reads), `body` the Status object. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    method: string,
    path: string,
  ) {
    const message = (body as { message?: unknown } | undefined)?.message;
    super(`HTTP ${code}${typeof message === 'string' && message ? `: ${message}` : ''} (${method} ${path})`);
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Default application/json; merge patches say so here. */
  contentType?: string;
}

/** client-go has no default timeout; this one only keeps every wait bounded. */
const REQUEST_TIMEOUT_MS = 60_000;
const agents = new Map<string, https.Agent>();

function agentFor(key: string, tls: https.AgentOptions): https.Agent {
  let agent = agents.get(key);
  if (!agent) {
    // Idle sockets are closed well before the API server's keep-alive timeout (120 s).
    agent = new https.Agent({ keepAlive: true, maxSockets: 256, timeout: 60_000, ...tls });
    agents.set(key, agent);
  }
  return agent;
}

interface Connection {
  server: URL;
  agent: https.Agent;
  /** TLS material of the cluster only (CA, verification), for clients that bring their own token. */
  clusterTls: https.AgentOptions;
  clusterKey: string;
}

export class KubeHttp {
  private constructor(
    private readonly conn: Connection,
    private readonly headers: Record<string, string>,
  ) {}

  /** The kubeconfig's current cluster and user: a bearer token or a client certificate (what the harness hands out). */
  static fromKubeConfig(kc: KubeConfig): KubeHttp {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const user = kc.getCurrentUser();
    if (user?.exec || user?.authProvider) throw new Error(`kubeconfig user ${user.name}: exec and auth-provider credentials are not supported here; use a token`);
    const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64') : cluster.caFile ? readFileSync(cluster.caFile) : undefined;
    const clusterTls: https.AgentOptions = { ca, rejectUnauthorized: !cluster.skipTLSVerify, servername: cluster.tlsServerName };
    const clusterKey = `${cluster.server}|${ca?.toString('base64') ?? ''}|${cluster.skipTLSVerify ?? false}|${cluster.tlsServerName ?? ''}`;
    const cert = user?.certData ? Buffer.from(user.certData, 'base64') : user?.certFile ? readFileSync(user.certFile) : undefined;
    const key = user?.keyData ? Buffer.from(user.keyData, 'base64') : user?.keyFile ? readFileSync(user.keyFile) : undefined;
    const agent = cert && key ? agentFor(`${clusterKey}|${cert.toString('base64')}`, { ...clusterTls, cert, key }) : agentFor(clusterKey, clusterTls);
    const token = user?.token ?? (user && 'tokenFile' in user && typeof user.tokenFile === 'string' ? readFileSync(user.tokenFile, 'utf8').trim() : undefined);
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (user?.username) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
    return new KubeHttp({ server: new URL(cluster.server), agent, clusterTls, clusterKey }, headers);
  }

  /** The same cluster, authenticated by `token` only (a caller's client; never the base user's credentials). */
  withToken(token: string): KubeHttp {
    return new KubeHttp({ ...this.conn, agent: agentFor(this.conn.clusterKey, this.conn.clusterTls) }, { Authorization: `Bearer ${token}` });
  }

  request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    let full = path;
    const q = Object.entries(o.query ?? {}).filter(([, v]) => v !== undefined && v !== '');
    if (q.length) full += `?${new URLSearchParams(q.map(([k, v]) => [k, String(v)]))}`;
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = { ...this.headers, Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = o.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return this.send<T>(method, full, headers, payload, true);
  }

  private send<T>(method: string, path: string, headers: Record<string, string>, payload: string | undefined, retry: boolean): Promise<T> {
    const { server, agent } = this.conn;
    return new Promise<T>((resolve, reject) => {
      const req = https.request({ protocol: server.protocol, hostname: server.hostname, port: server.port, path: `${server.pathname.replace(/\/$/, '')}${path}`, method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON (e.g. a proxy's error page): keep the text */
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(body as T);
          else reject(new KubeApiError(status, body, method, path.split('?')[0]));
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path.split('?')[0]}: no response within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A pooled connection the server closed meanwhile: once more on a fresh one (client-go does too).
        if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) resolve(this.send<T>(method, path, headers, payload, false));
        else reject(err);
      });
      req.end(payload === undefined ? undefined : Buffer.from(payload));
    });
  }
}
