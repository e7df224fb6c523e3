// URL → what is being asked: a resource request (group, version, namespace, resource, name,
// subresource, verb) or a non-resource path. Mirrors kube-apiserver's RequestInfoFactory.
import { ApiError } from '../types.ts';

export interface ResourceRoute {
  kind: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: string;
  /** Legacy `/watch/` prefix or `?watch=true`. */
  watch: boolean;
}

export interface DiscoveryRoute {
  kind: 'discovery';
  /** '' for /api, else the group; version undefined for group-level docs. */
  group?: string;
  version?: string;
  root?: 'api' | 'apis';
}

export interface NonResourceRoute {
  kind: 'nonresource';
  path: string;
}

export type Route = ResourceRoute | DiscoveryRoute | NonResourceRoute;

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function verbFor(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'BadRequest', `invalid URL escape in path segment ${JSON.stringify(segment)}`);
  }
}

export function parseRoute(method: string, pathname: string, query: URLSearchParams): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', root: 'api' };
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', root: 'apis' };
    if (parts.length === 2) return { kind: 'discovery', group: parts[1] };
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { kind: 'nonresource', path: pathname };
  }
  if (rest.length === 0) return { kind: 'discovery', group, version };
  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  if (query.get('watch') === 'true' || query.get('watch') === '1') watch = true;
  let namespace: string | undefined;
  let resource: string;
  let name: string | undefined;
  let subresource: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]))) {
    namespace = rest[1];
    [resource, name, subresource] = rest.slice(2);
    if (rest.length > 5) return { kind: 'nonresource', path: pathname };
  } else {
    [resource, name, subresource] = rest;
    if (rest.length > 3) return { kind: 'nonresource', path: pathname };
    // `namespaces/<ns>` is the namespace object itself; its namespace attribute is its name.
    if (resource === 'namespaces' && name) namespace = name;
  }
  return { kind: 'resource', group, version, namespace, resource, name, subresource, verb: verbFor(method, !!name, watch), watch };
}
