// Route probe. Static: read the OpenShift router annotations (balance, disable_cookies) of every
// Route/Ingress in rendered manifests. Dynamic (only if `haproxy` is on PATH): render an haproxy
// config the way those annotations configure the router, put it in front of N loopback replicas,
// send a bounded number of requests with and without cookies, and measure how they spread.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Manifest } from '../platform/deploy.ts';
import { superviseSpawn } from '../process/supervisor.ts';
import { which } from '../targets/exec.ts';
import type { ProbeResult } from './types.ts';

export const ANN_BALANCE = 'haproxy.router.openshift.io/balance';
export const ANN_DISABLE_COOKIES = 'haproxy.router.openshift.io/disable_cookies';

export interface RouteSettings {
  kind: string;
  name: string;
  namespace?: string;
  /** haproxy balance algorithm; the OpenShift router's default is leastconn (roundrobin for some versions), here "default" when unset. */
  balance: string;
  /** True when the router will not set its sticky-session cookie. */
  disableCookies: boolean;
  targetPort?: string | number;
}

/** Static check: router annotations of every Route and Ingress. */
export function routeSettings(manifests: Manifest[]): RouteSettings[] {
  return manifests
    .filter((m) => m.kind === 'Route' || m.kind === 'Ingress')
    .map((m) => {
      const ann = ((m.metadata as { annotations?: Record<string, string> }).annotations ?? {}) as Record<string, string>;
      const spec = (m as { spec?: { port?: { targetPort?: string | number } } }).spec;
      return {
        kind: m.kind,
        name: m.metadata.name,
        namespace: m.metadata.namespace,
        balance: ann[ANN_BALANCE] ?? 'default',
        disableCookies: String(ann[ANN_DISABLE_COOKIES] ?? '').toLowerCase() === 'true',
        targetPort: spec?.port?.targetPort,
      };
    });
}

const BALANCE_ALGORITHMS = new Set(['roundrobin', 'leastconn', 'source', 'random']);

/** An haproxy config equivalent to what the router renders for these settings (the parts that matter for spread). */
export function renderHaproxyConfig(settings: Pick<RouteSettings, 'balance' | 'disableCookies'>, frontendPort: number, replicaPorts: number[]): string {
  const balance = BALANCE_ALGORITHMS.has(settings.balance) ? settings.balance : 'leastconn';
  const lines = [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 10s',
    '  timeout server 10s',
    'frontend fe',
    `  bind 127.0.0.1:${frontendPort}`,
    '  default_backend be',
    'backend be',
    `  balance ${balance}`,
  ];
  // The router's sticky cookie, unless the Route disables it.
  if (!settings.disableCookies) lines.push('  cookie ROUTEID insert indirect nocache httponly');
  replicaPorts.forEach((p, i) => lines.push(`  server r${i} 127.0.0.1:${p}${settings.disableCookies ? '' : ` cookie r${i}`}`));
  return lines.join('\n') + '\n';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** N loopback HTTP servers, each answering with its own id. */
export async function startReplicas(n: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const servers = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const server = http.createServer((_req, res) => res.end(`r${i}`));
      return new Promise<http.Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
    }),
  );
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))))).then(() => {}),
  };
}

/** Counts which replica answered each of `count` requests; with a cookie jar the Set-Cookie is replayed. */
export async function sendRequests(port: number, count: number, withCookies: boolean): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cookie: string | undefined;
  for (let i = 0; i < count; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: withCookies && cookie ? { cookie } : {}, signal: AbortSignal.timeout(5000) });
    const id = await res.text();
    counts[id] = (counts[id] ?? 0) + 1;
    const set = res.headers.get('set-cookie');
    if (withCookies && set) cookie = set.split(';')[0];
  }
  return counts;
}

/** (max − min) / mean over the replicas (0 = perfectly even; 'replicas' when all went to one). */
export function spread(counts: Record<string, number>, replicas: number): number {
  const values = Array.from({ length: replicas }, (_, i) => counts[`r${i}`] ?? 0);
  const mean = values.reduce((a, b) => a + b, 0) / replicas;
  return mean ? Math.round(((Math.max(...values) - Math.min(...values)) / mean) * 1000) / 1000 : 0;
}

async function waitForPort(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`haproxy did not listen on ${port} within ${timeoutMs} ms`);
}

export interface BalanceOptions {
  replicas?: number;
  /** Requests per mode (with and without cookies); capped at 1000. */
  requests?: number;
  haproxyBin?: string;
}

/** Dynamic check of one route's settings; "skipped" with a reason when haproxy is not installed. */
export async function measureBalance(settings: RouteSettings, opts: BalanceOptions = {}): Promise<ProbeResult> {
  const bin = opts.haproxyBin ?? which('haproxy');
  const probe = `route-balance:${settings.name}`;
  if (!bin) return { probe, status: 'skipped', reason: 'haproxy is not on PATH (install haproxy to measure balancing; the static annotation check still ran)', values: {} };
  const replicas = Math.max(2, Math.min(opts.replicas ?? 4, 16));
  const requests = Math.max(replicas, Math.min(opts.requests ?? 40, 1000));
  const backends = await startReplicas(replicas);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambient-harness-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, renderHaproxyConfig(settings, port, backends.ports));
  // Supervised: haproxy ends with the harness, however the harness ends.
  const supervised = superviseSpawn(bin, ['-db', '-f', cfg], { stdio: 'ignore' });
  const proc = supervised.child;
  try {
    await waitForPort(port, proc, 10_000);
    const plain = await sendRequests(port, requests, false);
    const cookies = await sendRequests(port, requests, true);
    const withCookieReplicas = Object.keys(cookies).length;
    // Round-robin without stickiness must reach every replica even for a client that keeps cookies.
    const ok = !(settings.balance === 'roundrobin' && settings.disableCookies) || withCookieReplicas === replicas;
    return {
      probe,
      status: ok ? 'passed' : 'failed',
      ...(ok ? {} : { reason: `a cookie-keeping client reached ${withCookieReplicas}/${replicas} replicas` }),
      values: {
        replicas,
        requests,
        replicasReachedWithoutCookies: Object.keys(plain).length,
        replicasReachedWithCookies: withCookieReplicas,
        spreadWithoutCookies: spread(plain, replicas),
        spreadWithCookies: spread(cookies, replicas),
      },
    };
  } catch (err) {
    return { probe, status: 'failed', reason: (err as Error).message, values: {} };
  } finally {
    await supervised.stop(2000);
    await backends.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
