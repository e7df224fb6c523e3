// Authentication/authorization defaults (one static admin token; system:masters allowed) and the
// exact Forbidden messages kube-apiserver writes for resource and non-resource requests.
import { timingSafeEqual } from 'node:crypto';
import { ApiError, type Authenticator, type Authorizer, type NonResourceAttributes, type ResourceAttributes, type UserInfo } from '../types.ts';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

function bearer(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const m = value.match(/^Bearer\s+(.+)$/i);
  return m ? m[1].trim() : undefined;
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** A single static token mapped to the admin user; anything else presented is 401. */
export function staticTokenAuthenticator(tokens: Record<string, UserInfo>): Authenticator {
  return {
    authenticate(headers) {
      const token = bearer(headers);
      if (token === undefined) return undefined;
      for (const [known, user] of Object.entries(tokens)) {
        const a = Buffer.from(known);
        const b = Buffer.from(token);
        if (a.length === b.length && timingSafeEqual(a, b)) return user;
      }
      throw unauthorized();
    },
  };
}

export const mastersOnlyAuthorizer: Authorizer = {
  authorize(user) {
    return user.groups.includes('system:masters') ? { allowed: true, reason: '' } : { allowed: false, reason: '' };
  },
};

export function isResourceAttributes(a: ResourceAttributes | NonResourceAttributes): a is ResourceAttributes {
  return 'resource' in a;
}

/** The Forbidden Status for a denied request, with kube-apiserver's wording. */
export function forbiddenFor(user: UserInfo, attrs: ResourceAttributes | NonResourceAttributes, reason: string): ApiError {
  const suffix = reason ? `: ${reason}` : '';
  if (!isResourceAttributes(attrs)) {
    return new ApiError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${attrs.verb} path "${attrs.path}"${suffix}`, {});
  }
  const gr = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  const what = attrs.name ? `${gr} "${attrs.name}"` : gr;
  return new ApiError(403, 'Forbidden', `${what} is forbidden: User "${user.username}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}" ${scope}${suffix}`, {
    ...(attrs.name ? { name: attrs.name } : {}),
    group: attrs.group,
    kind: attrs.resource,
  });
}
