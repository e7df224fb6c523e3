// The simulated runner sends byte-for-byte what the platform's runner sends at each commit, seen
// by a capturing HTTP server: body keys and their order, headers (no X-Forwarded-*, no
// Authorization without a token), the token's source (6b21778: BOT_TOKEN once; 0b59fe7de: the
// mounted bot-token file on every request, else BOT_TOKEN), and the list request and its parsing.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BOT_TOKEN_PATH, loopbackUrlMap, SimRunner, volumeSecretReader, type SecretReader } from '../../harness/sim/runner.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let origin = '';
const seen: Seen[] = [];
let reply: (s: Seen) => { status: number; body: unknown } = () => ({ status: 201, body: { name: 'session-x' } });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      const r = reply(s);
      res.writeHead(r.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  reply = () => ({ status: 201, body: { name: 'session-x' } });
});

const NS = 'proj';
const SESSION = 'session-parent';
const baseEnv = [
  { name: 'AGENTIC_SESSION_NAME', value: SESSION },
  { name: 'AGENTIC_SESSION_NAMESPACE', value: NS },
  { name: 'SESSION_ID', value: SESSION },
  { name: 'PROJECT_NAME', value: NS },
  { name: 'BACKEND_API_URL', value: 'http://backend-service.ambient-code.svc.cluster.local:8080/api' },
];

/** The pod as the operator builds it: BOT_TOKEN from a secretKeyRef (6b21778) or the token file mount (0b59fe7de). */
function pod(kind: 'env' | 'file' | 'none'): V1Pod {
  const tokenEnv = kind === 'env' ? [{ name: 'BOT_TOKEN', valueFrom: { secretKeyRef: { name: `ambient-runner-token-${SESSION}`, key: 'k8s-token' } } }] : [];
  return {
    metadata: { name: `${SESSION}-runner`, namespace: NS },
    spec: {
      containers: [
        {
          name: 'ambient-code-runner',
          env: [...baseEnv, ...tokenEnv],
          volumeMounts: kind === 'file' ? [{ name: 'bot-token', mountPath: '/var/run/secrets/ambient', readOnly: true }] : [],
        },
      ],
      volumes: kind === 'file' ? [{ name: 'bot-token', secret: { secretName: `ambient-runner-token-${SESSION}`, items: [{ key: 'k8s-token', path: 'bot-token' }] } }] : [],
    },
  };
}

/** An in-memory Secret store the pod's secret references resolve against. */
function secrets(initial: Record<string, string | undefined>): { read: SecretReader; set(v: string | undefined): void; reads: number } {
  const data = { ...initial };
  const store = {
    reads: 0,
    read: async (_ns: string, name: string, key: string) => {
      store.reads++;
      return data[`${name}/${key}`];
    },
    set: (v: string | undefined) => void (data[`ambient-runner-token-${SESSION}/k8s-token`] = v),
  };
  return store;
}

const tokenKey = `ambient-runner-token-${SESSION}/k8s-token`;
const map = () => loopbackUrlMap(origin);
const forwarded = (h: IncomingHttpHeaders) => Object.keys(h).filter((k) => k.startsWith('x-forwarded'));

describe('runner at 6b21778', () => {
  it('create: sessionName, parentSessionId (its own session), then the optional fields; BOT_TOKEN as bearer; Python 3.11 urllib headers', async () => {
    const s = secrets({ [tokenKey]: ' tok-m \n' });
    const r = await SimRunner.fromPod(pod('env'), s.read, map(), { commit: '6b21778' });
    await r.createSession({ sessionName: 'child', initialPrompt: 'hi', displayName: 'Child', model: 'claude-sonnet-4-5', repos: [{ url: 'https://github.com/o/r' }] });
    const [req] = seen;
    expect([req.method, req.url]).toEqual(['POST', `/api/projects/${NS}/agentic-sessions`]);
    expect(Object.keys(JSON.parse(req.body))).toEqual(['sessionName', 'parentSessionId', 'initialPrompt', 'displayName', 'repos', 'llmSettings']);
    expect(JSON.parse(req.body)).toMatchObject({ sessionName: 'child', parentSessionId: SESSION, llmSettings: { model: 'claude-sonnet-4-5' } });
    expect(req.headers.authorization).toBe('Bearer tok-m');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe('Python-urllib/3.11');
    expect(forwarded(req.headers)).toEqual([]);
    expect(JSON.stringify(JSON.parse(req.body))).not.toContain('parent_session_id');
  });

  it('reads BOT_TOKEN once at start-up: a rotated Secret is not picked up', async () => {
    const s = secrets({ [tokenKey]: 'first' });
    const r = await SimRunner.fromPod(pod('env'), s.read, map(), { commit: '6b21778' });
    s.set('second');
    await r.getSession('x');
    await r.credentials('github');
    expect(seen.map((x) => x.headers.authorization)).toEqual(['Bearer first', 'Bearer first']);
    expect(seen[1].url).toBe(`/api/projects/${NS}/agentic-sessions/${SESSION}/credentials/github`);
  });

  it('has no workflow parameter, and its list request carries no query; the list tool reads `sessions`', async () => {
    const r = await SimRunner.fromPod(pod('env'), secrets({ [tokenKey]: 't' }).read, map(), { commit: '6b21778' });
    expect(() => r.createSession({ workflow: { gitUrl: 'https://github.com/o/w' } })).toThrow(/no workflow/);
    reply = () => ({ status: 200, body: { items: [{ metadata: { name: 'a' } }], totalCount: 1 } });
    const tool = await r.listSessionsTool({ search: 'a', limit: 5 });
    expect(seen.map((x) => x.url)).toEqual([`/api/projects/${NS}/agentic-sessions`]);
    expect(tool).toMatchObject({ readKey: 'sessions', items: [] });
  });

  it('a pod without a token: the request goes out without Authorization', async () => {
    const r = await SimRunner.fromPod(pod('none'), secrets({}).read, map(), { commit: '6b21778' });
    await r.createSession({});
    expect(seen[0].headers.authorization).toBeUndefined();
  });
});

describe('runner at 0b59fe7de', () => {
  it('re-reads the bot-token file on every request (stripped); a rotated Secret is picked up', async () => {
    const s = secrets({ [tokenKey]: 'file-1\n' });
    const r = await SimRunner.fromPod(pod('file'), s.read, map(), { commit: '0b59fe7de', readFile: s.read });
    await r.createSession({ workflow: { gitUrl: 'https://github.com/o/w', branch: 'main' } });
    s.set('file-2');
    await r.getSession('x');
    expect(seen.map((x) => x.headers.authorization)).toEqual(['Bearer file-1', 'Bearer file-2']);
    expect(Object.keys(JSON.parse(seen[0].body))).toEqual(['sessionName', 'parentSessionId', 'activeWorkflow']);
    expect(seen[0].headers['user-agent']).toBe('Python-urllib/3.12');
    expect(forwarded(seen[0].headers)).toEqual([]);
  });

  it('without the file it falls back to BOT_TOKEN; with neither, no Authorization header', async () => {
    const s = secrets({ [tokenKey]: 'env-token' });
    const r = await SimRunner.fromPod(pod('env'), s.read, map(), { commit: '0b59fe7de' });
    await r.getSession('x');
    const none = await SimRunner.fromPod(pod('file'), secrets({}).read, map(), { commit: '0b59fe7de' });
    await none.getSession('x');
    expect(seen.map((x) => x.headers.authorization)).toEqual(['Bearer env-token', undefined]);
  });

  it('list: search/limit/offset in the query; the tool reads `items`', async () => {
    const r = await SimRunner.fromPod(pod('env'), secrets({ [tokenKey]: 't' }).read, map(), { commit: '0b59fe7de' });
    reply = () => ({ status: 200, body: { items: [{ metadata: { name: 'a' } }], totalCount: 1 } });
    const tool = await r.listSessionsTool({ search: 'a', limit: 5 });
    expect(seen[0].url).toBe(`/api/projects/${NS}/agentic-sessions?search=a&limit=5`);
    expect(tool).toMatchObject({ readKey: 'items', items: [{ metadata: { name: 'a' } }] });
  });

  it('probes are what an API caller with the runner token sends, not the runner request', async () => {
    const r = await SimRunner.fromPod(pod('env'), secrets({ [tokenKey]: 't' }).read, map(), { commit: '0b59fe7de' });
    await r.probe('POST', { parent_session_id: 'p' });
    expect(JSON.parse(seen[0].body)).toEqual({ parent_session_id: 'p' });
    expect(seen[0].headers.authorization).toBe('Bearer t');
  });
});

describe('the kubelet view of the token file', () => {
  it('syncs at most every syncMs and keeps the last content when the Secret is deleted', async () => {
    const s = secrets({ [tokenKey]: 'a' });
    const view = volumeSecretReader(s.read, 50);
    expect(await view(NS, `ambient-runner-token-${SESSION}`, 'k8s-token')).toBe('a');
    s.set('b');
    expect(await view(NS, `ambient-runner-token-${SESSION}`, 'k8s-token')).toBe('a'); // within the sync period
    await new Promise((r) => setTimeout(r, 60));
    expect(await view(NS, `ambient-runner-token-${SESSION}`, 'k8s-token')).toBe('b');
    s.set(undefined);
    await new Promise((r) => setTimeout(r, 60));
    expect(await view(NS, `ambient-runner-token-${SESSION}`, 'k8s-token')).toBe('b');
    expect(s.reads).toBe(3);
    expect(BOT_TOKEN_PATH).toBe('/var/run/secrets/ambient/bot-token');
  });
});
