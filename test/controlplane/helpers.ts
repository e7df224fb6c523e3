// Shared test helpers: a raw HTTPS client for the embedded API server, and a kubectl runner with a
// fresh discovery cache and kubeconfig per call site.
import { request } from 'node:https';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlPlane } from '../../harness/controlplane/index.ts';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface ApiRequest {
  body?: unknown;
  /** Raw body bytes/text, sent as-is. */
  raw?: string | Buffer;
  contentType?: string;
  accept?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

export function api(cp: ControlPlane, method: string, path: string, r: ApiRequest = {}): Promise<ApiResponse> {
  const payload = r.raw !== undefined ? r.raw : r.body !== undefined ? JSON.stringify(r.body) : undefined;
  const headers: Record<string, string | number> = { ...(r.headers ?? {}) };
  if (r.token !== null) headers.Authorization = `Bearer ${r.token ?? cp.adminToken}`;
  if (payload !== undefined) {
    headers['Content-Type'] = r.contentType ?? 'application/json';
    headers['Content-Length'] = Buffer.byteLength(payload);
  } else if (r.contentType) headers['Content-Type'] = r.contentType;
  if (r.accept) headers.Accept = r.accept;
  const url = new URL(path, cp.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: cp.caPem, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Opens a watch and collects its JSON lines until `stop()` (or the server closes it). */
export function openWatch(cp: ControlPlane, path: string, accept?: string) {
  const events: Array<{ type: string; object: any }> = [];
  let status = 0;
  let ended = false;
  let buffer = '';
  const url = new URL(path, cp.url);
  let resolveHeaders!: () => void;
  const headersReceived = new Promise<void>((r) => (resolveHeaders = r));
  const req = request(url, { method: 'GET', headers: { Authorization: `Bearer ${cp.adminToken}`, ...(accept ? { Accept: accept } : {}) }, ca: cp.caPem }, (res) => {
    status = res.statusCode ?? 0;
    resolveHeaders();
    res.on('data', (c: Buffer) => {
      buffer += c.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).trim();
        buffer = buffer.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
    });
    res.on('end', () => (ended = true));
    res.on('close', () => (ended = true));
  });
  req.on('error', () => (ended = true));
  req.end();
  return {
    events,
    headersReceived,
    get status() {
      return status;
    },
    get ended() {
      return ended;
    },
    stop: () => req.destroy(),
  };
}

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const KUBECTL = '/usr/bin/kubectl';
export const hasKubectl = existsSync(KUBECTL) || spawnSync('kubectl', ['--help'], { stdio: 'ignore' }).status === 0;

export interface Kubectl {
  run(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  spawn(args: string[]): ReturnType<typeof spawn>;
  dir: string;
}

/** A kubectl bound to one kubeconfig and a fresh discovery cache (KUBECACHEDIR). */
export function kubectlFor(cp: ControlPlane, user = 'admin'): Kubectl {
  const dir = mkdtempSync(join(tmpdir(), 'h1-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cp.kubeconfig(user));
  const env = { ...process.env, KUBECACHEDIR: join(dir, 'cache'), HOME: dir, KUBECONFIG: kubeconfig };
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
  return {
    dir,
    run(args, stdin) {
      return new Promise((resolve) => {
        const child = spawn('kubectl', [...base, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? -1, stdout, stderr });
        });
        child.stdin.end(stdin ?? '');
      });
    },
    spawn(args) {
      return spawn('kubectl', [...base, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    },
  };
}

/** Runs kubectl and returns stdout; a non-zero exit fails with kubectl's stderr. */
export async function kubectlOk(k: Kubectl, args: string[], stdin?: string): Promise<string> {
  const r = await k.run(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
