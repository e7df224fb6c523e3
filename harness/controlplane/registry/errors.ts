// Status errors with kube-apiserver's exact reasons and messages.
import { ApiError, type ResourceType, type StatusCause } from '../types.ts';

/** `configmaps` for core, `deployments.apps` otherwise: how the apiserver names a resource. */
export function qualifiedResource(rt: Pick<ResourceType, 'group' | 'resource'>): string {
  return rt.group ? `${rt.resource}.${rt.group}` : rt.resource;
}

/** `ConfigMap` for core, `Widget.example.com` otherwise: how Invalid errors name a kind. */
export function qualifiedKind(rt: Pick<ResourceType, 'group' | 'kind'>): string {
  return rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
}

export function notFound(rt: Pick<ResourceType, 'group' | 'resource'>, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(rt)} "${name}" not found`, { name, group: rt.group, kind: rt.resource });
}

export function alreadyExists(rt: ResourceType, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(rt)} "${name}" already exists`, { name, group: rt.group, kind: rt.resource });
}

export function conflict(rt: ResourceType, name: string, detail = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${name}": ${detail}`, { name, group: rt.group, kind: rt.resource });
}

export function invalid(rt: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind(rt)} "${name}" is invalid: ${summary}`, { name, group: rt.group, kind: rt.kind, causes });
}

export function forbidden(rt: ResourceType, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${qualifiedResource(rt)} "${name}" is forbidden: ${why}`, { name, group: rt.group, kind: rt.resource });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message);
}

export function resourceNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}
