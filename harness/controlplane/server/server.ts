// The API server: authenticate → attributes → faults → authorize → dispatch (discovery, OpenAPI,
// health, extra routes, resources), with a bounded in-memory request log. HTTPS itself is served by
// a front-end worker thread (front.ts) unless `frontWorker` is false.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiError, type Authenticator, type Authorizer, type ExtraRoute, type FaultInjector, type KubeObject, type NonResourceAttributes,
  type ResourceAttributes, type UserInfo, type VirtualCreateHandler,
} from '../types.ts';
import type { ObjectRegistry } from '../registry/registry.ts';
import type { DiscoveryModule, EngineModules } from '../registry/modules.ts';
import { ANONYMOUS, forbiddenFor } from './access.ts';
import { negotiate } from './negotiate.ts';
import { startFront, type Front } from './front.ts';
import { MAX_BODY_BYTES } from './body.ts';
import { parseRoute, type DiscoveryRoute } from './route.ts';
import { sendError, sendJson, sendText } from './respond.ts';
import { handleResource, requestContext } from './resources.ts';
import type { ServingCert } from './tls.ts';

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  user: string;
  /** Request media type, when there was a body (shows which clients send protobuf). */
  contentType?: string;
}

export interface ApiServerOptions {
  registry: ObjectRegistry;
  modules: EngineModules;
  authenticator: Authenticator;
  authorizer: Authorizer;
  virtualHandlers?: VirtualCreateHandler[];
  extraRoutes?: ExtraRoute[];
  faults?: FaultInjector;
  kubernetesVersion: string;
  tls: ServingCert;
  port?: number;
  host?: string;
  requestLogLimit?: number;
  metricsOptions?: Record<string, unknown>;
  /** TLS and HTTP on a worker thread beside the API (default true); false serves both on this thread. */
  frontWorker?: boolean;
}

export interface ApiServer {
  url: string;
  requestLog: RequestLogEntry[];
  /** Ends every open watch stream (clients see a clean close). */
  dropWatches(): number;
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/readyz', '/livez']);
const LOG_TRIM_BATCH = 1024;

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const discovery: DiscoveryModule = o.modules.discovery;
  const requestLog: RequestLogEntry[] = [];
  const logLimit = o.requestLogLimit ?? 5000;
  const openWatches = new Set<() => void>();
  const virtualHandlers = new Map((o.virtualHandlers ?? []).map((h) => [h.key, h]));
  const gitVersion = String((discovery.versionInfo(o.kubernetesVersion) as { gitVersion?: string }).gitVersion ?? `v${o.kubernetesVersion}.0`);
  const crds = (): KubeObject[] => o.registry.list({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' });

  const authorize = (user: UserInfo, attrs: ResourceAttributes | NonResourceAttributes): void => {
    const decision = o.authorizer.authorize(user, attrs);
    if (!decision.allowed) throw forbiddenFor(user, attrs, decision.reason);
  };

  function serveDiscovery(req: IncomingMessage, res: ServerResponse, route: DiscoveryRoute): number {
    const types = o.registry.resourceTypes();
    const accept = String(req.headers.accept ?? '');
    const aggregated = discovery.acceptsAggregatedDiscovery
      ? discovery.acceptsAggregatedDiscovery(accept)
      : /as=APIGroupDiscoveryList/.test(accept) && /v=v2(?!beta)/.test(accept);
    if (route.root) {
      if (aggregated) {
        sendJson(res, 200, discovery.aggregatedDiscovery(types, route.root), { contentType: discovery.AGGREGATED_DISCOVERY_CONTENT_TYPE });
        return 200;
      }
      sendJson(res, 200, route.root === 'api' ? discovery.legacyApi() : discovery.legacyApis(types));
      return 200;
    }
    if (route.version === undefined) {
      let doc: unknown;
      if (discovery.apiGroup) doc = discovery.apiGroup(types, route.group ?? '');
      else {
        const group = (discovery.legacyApis(types) as { groups?: Array<{ name: string }> }).groups?.find((g) => g.name === route.group);
        doc = group ? { kind: 'APIGroup', apiVersion: 'v1', ...group } : undefined;
      }
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      sendJson(res, 200, doc);
      return 200;
    }
    const list = discovery.apiResourceList(types, route.group ?? '', route.version);
    if (!list) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    sendJson(res, 200, list);
    return 200;
  }

  function serveNonResource(req: IncomingMessage, res: ServerResponse, path: string): number {
    const method = req.method ?? 'GET';
    const extra = (o.extraRoutes ?? []).find((r) => r.path === path && r.method === method);
    if (extra) {
      const out = extra.handle();
      sendText(res, out.status, out.body, out.contentType);
      return out.status;
    }
    if (method !== 'GET' && method !== 'HEAD') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (HEALTH_PATHS.has(path) || /^\/(healthz|readyz|livez)\/[a-z-]+$/.test(path)) {
      sendText(res, 200, 'ok');
      return 200;
    }
    if (path === '/version') {
      sendJson(res, 200, discovery.versionInfo(o.kubernetesVersion));
      return 200;
    }
    if (path === '/openapi/v3') {
      sendJson(res, 200, discovery.openapiV3Root(o.registry.resourceTypes(), crds(), gitVersion));
      return 200;
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = discovery.openapiV3GroupVersion(o.registry.resourceTypes(), crds(), path.slice('/openapi/v3/'.length), gitVersion);
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      sendJson(res, 200, doc);
      return 200;
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    let status = 500;
    let username = '';
    try {
      const user = o.authenticator.authenticate(req.headers) ?? ANONYMOUS;
      username = user.username;
      const route = parseRoute(req.method ?? 'GET', url.pathname, url.searchParams);
      if (route.kind !== 'resource') {
        const path = route.kind === 'nonresource' ? route.path : url.pathname;
        authorize(user, { verb: (req.method ?? 'GET').toLowerCase(), path });
        status = route.kind === 'discovery' ? serveDiscovery(req, res, route) : serveNonResource(req, res, path);
        return;
      }
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '')) {
        throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      }
      const rt = o.registry.resolve(route.group, route.version, route.resource);
      if (!rt) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      const attrs: ResourceAttributes = {
        verb: route.verb, group: route.group, version: route.version, resource: route.resource,
        ...(route.subresource ? { subresource: route.subresource } : {}),
        ...(route.namespace ? { namespace: route.namespace } : {}),
        ...(route.name ? { name: route.name } : {}),
      };
      if (o.faults) {
        const decision = o.faults.beforeRequest({ verb: route.verb, group: route.group, resource: route.resource, subresource: route.subresource, namespace: route.namespace, user });
        if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
        if (decision.error) throw decision.error;
      }
      authorize(user, attrs);
      const ctx = requestContext(req, url.searchParams, user);
      status = await handleResource(req, res, route, rt, ctx, url.searchParams, {
        registry: o.registry, modules: o.modules, virtualHandlers, openWatches, metricsOptions: o.metricsOptions,
        watchCutAfterMs: o.faults ? (a) => o.faults!.watchCutAfterMs(a) : undefined,
      });
    } catch (err) {
      // Status errors in protobuf to clients that asked for it first (client-go typed clients).
      status = sendError(res, err, undefined, negotiate(req.headers.accept).protobuf ? o.modules.protobuf : undefined);
    } finally {
      const contentType = req.headers['content-type']?.split(';')[0];
      requestLog.push({ method: req.method ?? '', path: url.pathname + (url.search ? url.search : ''), status, ms: Date.now() - started, user: username, ...(contentType ? { contentType } : {}) });
      // Trimmed in batches: splicing one entry off a full log per request is O(limit) each time.
      if (requestLog.length > logLimit + LOG_TRIM_BATCH) requestLog.splice(0, requestLog.length - logLimit);
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => res.destroy());
  };
  // Go's http.Server keeps idle keep-alive connections far longer than Node's 5 s default, and
  // clients (client-go, pooled client-node agents) expect to reuse them; headersTimeout must stay
  // above keepAliveTimeout or Node may cut a reused socket mid-request.
  const keepAliveTimeoutMs = 120_000;
  const headersTimeoutMs = 125_000;
  let front: Front | undefined;
  let server: Server | undefined;
  let port: number;
  if (o.frontWorker ?? true) {
    front = await startFront(
      { keyPem: o.tls.keyPem, certPem: o.tls.certPem, port: o.port ?? 0, host: o.host ?? '127.0.0.1', keepAliveTimeoutMs, headersTimeoutMs, maxBodyBytes: MAX_BODY_BYTES },
      onRequest,
    );
    port = front.port;
  } else {
    const s = createServer({ key: o.tls.keyPem, cert: o.tls.certPem }, onRequest);
    server = s;
    s.keepAliveTimeout = keepAliveTimeoutMs;
    s.headersTimeout = headersTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
  }
  return {
    url: `https://127.0.0.1:${port}`,
    requestLog,
    dropWatches() {
      const n = openWatches.size;
      for (const finish of [...openWatches]) finish();
      return n;
    },
    async close() {
      for (const finish of [...openWatches]) finish();
      if (front) return front.close();
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        server!.closeAllConnections();
      });
    },
  };
}
