// Resource requests after authorization: verb → registry call, query parameters → options,
// Accept → JSON or protobuf / Table / metadata-only, virtual create endpoints → their handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, type DeleteOptions, type KubeObject, type ListOptions, type RequestContext, type ResourceType, type VirtualCreateHandler } from '../types.ts';
import type { ObjectRegistry } from '../registry/registry.ts';
import type { EngineModules } from '../registry/modules.ts';
import type { ResourceRoute } from './route.ts';
import { decodeObjectBody, decodePatchBody, patchTypeOf, readBody } from './body.ts';
import { negotiate } from './negotiate.ts';
import { sendJson, sendObject, successStatus } from './respond.ts';
import { serveWatch } from './watch-stream.ts';

export interface ResourceDeps {
  /** Options for metrics.k8s.io answers (usage source, clock), passed to the metrics module. */
  metricsOptions?: Record<string, unknown>;
  registry: ObjectRegistry;
  modules: EngineModules;
  virtualHandlers: Map<string, VirtualCreateHandler>;
  openWatches: Set<() => void>;
  watchCutAfterMs?: (attrs: { group: string; resource: string; namespace?: string }) => number | undefined;
}

const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const RETURNS_OBJECT_ON_DELETE = new Set(['/pods', '/namespaces', '/services', 'apiextensions.k8s.io/customresourcedefinitions']);

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(raw)}: must be an integer`);
  return Number(raw);
}

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw badRequest(`invalid value for ${name}: ${JSON.stringify(raw)}: must be a boolean`);
}

export function requestContext(req: IncomingMessage, q: URLSearchParams, user: RequestContext['user']): RequestContext {
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw badRequest(`Invalid value: ${JSON.stringify(d)}: supported values: "All"`);
  const validation = q.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(validation)) throw badRequest(`invalid fieldValidation directive: ${validation}; must be one of Ignore, Warn, Strict`);
  const manager = q.get('fieldManager') ?? undefined;
  if (manager !== undefined && (manager.length > 128 || /[^\x20-\x7e]/.test(manager))) throw badRequest('fieldManager: Invalid value: must be at most 128 printable characters');
  const ua = String(req.headers['user-agent'] ?? '');
  return {
    user,
    dryRun: dryRun.length > 0,
    fieldManager: manager ?? (ua ? ua.split('/')[0].slice(0, 128) : undefined),
    fieldValidation: validation as RequestContext['fieldValidation'],
    warnings: [],
  };
}

function listOptions(q: URLSearchParams): ListOptions {
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: intParam(q, 'limit'),
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  };
}

function metadataOnly(obj: KubeObject): KubeObject {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: obj.metadata };
}

function includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' | undefined {
  const v = q.get('includeObject');
  if (v === null) return undefined;
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "None", "Object"`);
  return v;
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams, deps: ResourceDeps): Promise<DeleteOptions> {
  const raw = await readBody(req);
  const body = (raw.length ? decodeObjectBody(raw, req.headers['content-type'], deps.modules.protobuf) : {}) as Record<string, unknown>;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of a DELETE must be a DeleteOptions object');
  let policy = (q.get('propagationPolicy') ?? body.propagationPolicy) as string | undefined;
  if (policy === undefined && body.orphanDependents !== undefined) policy = body.orphanDependents ? 'Orphan' : 'Background';
  if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
    throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`, {
      kind: 'DeleteOptions',
      group: 'meta.k8s.io',
      causes: [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: ${JSON.stringify(policy)}` }],
    });
  }
  const grace = intParam(q, 'gracePeriodSeconds') ?? (body.gracePeriodSeconds as number | undefined);
  if (grace !== undefined && (typeof grace !== 'number' || grace < 0)) throw badRequest('gracePeriodSeconds must be a non-negative integer');
  const pre = body.preconditions as DeleteOptions['preconditions'];
  return { propagationPolicy: policy as DeleteOptions['propagationPolicy'], gracePeriodSeconds: grace, preconditions: pre ?? undefined };
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, rt: ResourceType, ctx: RequestContext, q: URLSearchParams, deps: ResourceDeps): Promise<number> {
  const { registry } = deps;
  const ns = rt.namespaced ? route.namespace : undefined;
  if (rt.namespaced && !ns && !['list', 'watch'].includes(route.verb)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const { shape, protobuf: wantsProtobuf } = negotiate(req.headers.accept);
  const warnings = ctx.warnings;
  // Custom resources have no protobuf form (as in kube-apiserver): they are always JSON.
  const protobuf = wantsProtobuf && !rt.custom ? deps.modules.protobuf : undefined;
  const out = (status: number, obj: KubeObject): number => {
    if (shape === 'table' && obj.kind !== 'Status' && route.verb === 'get' && !route.subresource) {
      sendJson(res, status, deps.modules.printers.toTable(rt, [obj], { includeObject: includeObject(q) }), { contentType: TABLE_CONTENT_TYPE, warnings });
    } else sendObject(res, status, shape === 'metadata' && route.verb === 'get' ? metadataOnly(obj) : obj, { warnings, protobuf });
    return status;
  };

  // metrics.k8s.io is computed from pods/nodes by the metrics module, like metrics-server.
  if (rt.group === 'metrics.k8s.io') {
    if (route.verb !== 'get' && route.verb !== 'list') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return out(200, deps.modules.metrics.serveMetrics(registry, { resource: rt.resource, namespace: ns, name: route.name, labelSelector: q.get('labelSelector') ?? undefined }, deps.metricsOptions));
  }

  // Virtual create-only endpoints (reviews, serviceaccounts/token).
  const virtualKey = `${rt.group || 'core'}/${rt.resource}${route.subresource ? `/${route.subresource}` : ''}`;
  const handler = deps.virtualHandlers.get(virtualKey);
  if (handler || rt.virtual) {
    if (route.verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (!handler) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (route.subresource) registry.getObject(rt, ns, route.name ?? '', ctx);
    const body = decodeObjectBody(await readBody(req), req.headers['content-type'], deps.modules.protobuf) as KubeObject;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be an object');
    if (!body.metadata || typeof body.metadata !== 'object') body.metadata = {};
    return out(201, handler.create(body, { ...ctx, namespace: ns, name: route.name, user: ctx.user }));
  }
  if (route.subresource === 'log' && route.verb === 'get' && rt.subresources.includes('log')) {
    // No containers run here: a pod that exists has an empty log.
    registry.getObject(rt, ns, route.name!, ctx);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
    res.end();
    return 200;
  }
  if ((route.verb === 'update' || route.verb === 'patch') && !route.name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  if (route.subresource && !rt.subresources.includes(route.subresource)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  if (!route.subresource && !rt.verbs.includes(route.verb)) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

  switch (route.verb) {
    case 'get':
      return out(200, registry.getObject(rt, ns, route.name!, ctx, route.subresource));
    case 'list': {
      const result = registry.listObjects(rt, ns, listOptions(q), ctx);
      const metadata = { resourceVersion: result.resourceVersion, ...(result.continue ? { continue: result.continue, remainingItemCount: result.remainingItemCount } : {}) };
      if (shape === 'table') {
        const table = deps.modules.printers.toTable(rt, result.items, { includeObject: includeObject(q), listResourceVersion: result.resourceVersion, continue: result.continue, remainingItemCount: result.remainingItemCount });
        sendJson(res, 200, table, { contentType: TABLE_CONTENT_TYPE, warnings });
        return 200;
      }
      const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
      const body = shape === 'metadata'
        ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: result.items.map(metadataOnly) }
        : { kind: rt.listKind, apiVersion, metadata, items: result.items };
      sendObject(res, 200, body as KubeObject, { warnings, protobuf });
      return 200;
    }
    case 'watch': {
      const timeout = intParam(q, 'timeoutSeconds');
      const printers = deps.modules.printers;
      // Tables stream as JSON; objects and metadata-only objects as protobuf frames when asked.
      const framed = shape === 'table' ? undefined : protobuf;
      const transform = shape === 'table' ? (o: KubeObject) => printers.toTable(rt, [o], { includeObject: includeObject(q) }) : shape === 'metadata' ? metadataOnly : undefined;
      await serveWatch(req, res, {
        registry, rt, namespace: ns, ctx,
        opts: { ...listOptions(q), allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'), sendInitialEvents: boolParam(q, 'sendInitialEvents'), ...(route.name ? { fieldSelector: [q.get('fieldSelector'), `metadata.name=${route.name}`].filter(Boolean).join(',') } : {}) },
        timeoutSeconds: timeout && timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800),
        transform,
        ...(framed ? { encode: (type, obj) => framed.encodeWatchEvent(type, obj), transformBookmarks: shape === 'metadata' } : {}),
        contentType: shape === 'table' ? TABLE_CONTENT_TYPE : framed ? framed.PROTOBUF_WATCH_CONTENT_TYPE : 'application/json',
        cutAfterMs: deps.watchCutAfterMs?.({ group: rt.group, resource: rt.resource, namespace: ns }),
        open: deps.openWatches,
      });
      return 200;
    }
    case 'create': {
      if (route.name && !route.subresource) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = decodeObjectBody(await readBody(req), req.headers['content-type'], deps.modules.protobuf) as KubeObject;
      return out(201, registry.createObject(rt, ns, body, ctx, route.subresource, route.name));
    }
    case 'update': {
      const body = decodeObjectBody(await readBody(req), req.headers['content-type'], deps.modules.protobuf) as KubeObject;
      const result = registry.updateObject(rt, ns, route.name!, body, ctx, route.subresource);
      return out(result.created ? 201 : 200, result.object);
    }
    case 'patch': {
      const type = patchTypeOf(req.headers['content-type']);
      // Apply needs an explicit manager; the user-agent default only names Update entries.
      if (type === 'apply') ctx.fieldManager = q.get('fieldManager') ?? undefined;
      const patch = decodePatchBody(await readBody(req), type);
      const force = boolParam(q, 'force');
      if (force && type !== 'apply') throw badRequest('Invalid value: force: may not be specified for non-apply patch');
      const result = registry.patchObject(rt, ns, route.name!, type, patch, ctx, { subresource: route.subresource, force });
      return out(result.created ? 201 : 200, result.object);
    }
    case 'delete': {
      const opts = await deleteOptions(req, q, deps);
      const obj = registry.deleteObject(rt, ns, route.name!, opts, ctx);
      const gone = !registry.core.get(rt, ns, route.name!) || ctx.dryRun;
      if (gone && !rt.custom && !RETURNS_OBJECT_ON_DELETE.has(`${rt.group}/${rt.resource}`)) {
        return out(200, successStatus({ name: route.name, group: rt.group, kind: rt.resource, uid: obj.metadata.uid }));
      }
      return out(200, obj);
    }
    case 'deletecollection': {
      const opts = await deleteOptions(req, q, deps);
      const result = registry.deleteCollection(rt, ns, listOptions(q), opts, ctx);
      const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
      sendObject(res, 200, { kind: rt.listKind, apiVersion, metadata: { resourceVersion: result.resourceVersion }, items: result.items } as unknown as KubeObject, { warnings, protobuf });
      return 200;
    }
    default:
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
}
