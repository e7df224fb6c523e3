// The reference backend: node:http on 127.0.0.1 with the contract's routes. Identity middleware
// runs on every request; project routes go through ValidateProjectContext; every Kubernetes call
// of a handler uses the caller's token (see backend-context.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { ERR, ROUTES } from '../contract.ts';
import { clientsForToken, type BackendDeps, type RequestCtx } from './backend-context.ts';
import { Clients } from './clients.ts';
import { connectGitlab, connectJira, saveGithubPat } from './credential-save.ts';
import { getCredentials } from './credentials.ts';
import { HttpError, Router, sendError, sendJson } from './http-util.ts';
import { requestToken, resolveIdentity } from './identity.ts';
import type { BehaviourProfile } from './profiles.ts';
import { SsarCache, validateProjectAccess } from './project-access.ts';
import { createProject, listProjects } from './projects.ts';
import { createSession } from './session-create.ts';
import { deleteSession, getSession, listSessions, startSession, stopSession } from './session-ops.ts';

export interface BackendOptions {
  /** Kubeconfig of the backend's own ServiceAccount. */
  kubeConfig: KubeConfig;
  profile: BehaviourProfile;
  namespace?: string;
  port?: number;
  githubApiUrl?: string;
  useVertex?: boolean;
  log?: (msg: string) => void;
}

export interface RunningBackend {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Wraps a project route: token + project checks first (§1.5), then the handler. */
function project(handler: (ctx: RequestCtx, p: Record<string, string>) => Promise<void>) {
  return async (ctx: RequestCtx, p: Record<string, string>) => {
    if (!ctx.token) throw new HttpError(401, ERR.userTokenRequired);
    await validateProjectAccess(ctx.caller, ctx.token, p.p, ctx.deps.ssarCache);
    await handler(ctx, p);
  };
}

function buildRouter(): Router<RequestCtx> {
  const r = new Router<RequestCtx>();
  r.add('GET', ROUTES.health, async (ctx) => sendJson(ctx.res, 200, { status: 'healthy' }));
  r.add('GET', '/api/projects', listProjects);
  r.add('POST', '/api/projects', createProject);
  r.add('POST', ROUTES.githubPat, saveGithubPat);
  r.add('POST', ROUTES.jiraConnect, connectJira);
  r.add('POST', ROUTES.gitlabConnect, connectGitlab);
  const s = '/api/projects/:p/agentic-sessions';
  r.add('GET', s, project((c, p) => listSessions(c, p.p)));
  r.add('POST', s, project((c, p) => createSession(c, p.p)));
  r.add('GET', `${s}/:s`, project((c, p) => getSession(c, p.p, p.s)));
  r.add('DELETE', `${s}/:s`, project((c, p) => deleteSession(c, p.p, p.s)));
  r.add('POST', `${s}/:s/start`, project((c, p) => startSession(c, p.p, p.s)));
  r.add('POST', `${s}/:s/stop`, project((c, p) => stopSession(c, p.p, p.s)));
  r.add('GET', `${s}/:s/credentials/:type`, project((c, p) => getCredentials(c, p.p, p.s, p.type)));
  return r;
}

export async function startReferenceBackend(opts: BackendOptions): Promise<RunningBackend> {
  const log = opts.log ?? ((m: string) => process.stdout.write(`${new Date().toISOString()} ${m}\n`));
  const deps: BackendDeps = {
    profile: opts.profile,
    namespace: opts.namespace ?? 'ambient-code',
    backend: new Clients(opts.kubeConfig),
    ssarCache: new SsarCache(opts.profile.ssarCacheTtlMs),
    githubApiUrl: opts.githubApiUrl,
    useVertex: opts.useVertex ?? false,
    log,
  };
  const router = buildRouter();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://backend.local');
    try {
      const m = router.match(req.method ?? 'GET', url.pathname);
      if (m === undefined) return sendError(res, 404, ERR.notFound);
      if (m === 'method') return sendError(res, 405, 'Method not allowed');
      const identity = await resolveIdentity(req, deps.backend, log);
      // ValidateProjectContext promotes ?token= to a bearer token for project routes.
      const token = requestToken(req) || (url.pathname.startsWith('/api/projects/') ? (url.searchParams.get('token') ?? '') : '');
      const ctx: RequestCtx = {
        req,
        res,
        url,
        deps,
        identity,
        token,
        get caller() {
          return clientsForToken(deps.backend, token);
        },
      };
      await m.handler(ctx, m.params);
    } catch (err) {
      if (res.headersSent) return;
      if (err instanceof HttpError) return sendError(res, err.status, err.message);
      log(`internal error on ${req.method} ${url.pathname}: ${(err as Error).message}`);
      sendError(res, 500, 'Internal server error');
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
