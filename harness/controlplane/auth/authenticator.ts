// Bearer-token authentication (static tokens, ServiceAccount JWTs) and impersonation headers.
import { timingSafeEqual } from 'node:crypto';
import { ApiError, type Authenticator, type Authorizer, type ResourceAttributes, type UserInfo } from '../types.ts';
import { serviceAccountGroups, serviceAccountUsername, validateServiceAccountToken, type TokenSettings } from './service-account-tokens.ts';
import type { InternalClient } from '../types.ts';

export interface StaticUser {
  name: string;
  token: string;
  groups: string[];
}

export type Headers = Record<string, string | string[] | undefined>;

const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

function header(headers: Headers, name: string): string[] {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (value === undefined) return [];
  // node joins repeated headers with ", " unless the server passes req.headersDistinct.
  return (Array.isArray(value) ? value : value.split(', ')).filter((v) => v !== '');
}

export function bearerToken(headers: Headers): string | undefined {
  const auth = header(headers, 'authorization')[0];
  if (!auth) return undefined;
  const m = /^bearer\s+(.+)$/i.exec(auth.trim());
  return m ? m[1].trim() : undefined;
}

const sameString = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Authenticates a raw token for an audience set; used by the API itself and by TokenReview. */
export class TokenAuthenticator {
  constructor(
    private readonly client: InternalClient,
    private readonly settings: TokenSettings,
    private readonly staticUsers: StaticUser[],
  ) {}

  /** `{user, audiences}` when valid; `{error}` when not. */
  review(token: string, audiences?: string[]): { user: UserInfo; audiences: string[] } | { error: string } {
    const want = audiences?.length ? audiences : this.settings.apiAudiences;
    const known = this.staticUsers.find((u) => sameString(u.token, token));
    if (known) {
      // Static tokens are audience-agnostic: valid for the API server's own audiences.
      const matched = want.filter((a) => this.settings.apiAudiences.includes(a));
      if (!matched.length) return { error: '[invalid bearer token, token audiences are invalid for the target audiences]' };
      const groups = known.groups.includes('system:authenticated') ? known.groups : [...known.groups, 'system:authenticated'];
      return { user: { username: known.name, groups }, audiences: matched };
    }
    const result = validateServiceAccountToken(this.client, this.settings, token, want);
    return result ?? { error: '[invalid bearer token, token lookup failed]' };
  }
}

interface ImpersonationTarget {
  attrs: ResourceAttributes;
  /** Kube's error names the resource, e.g. users "x". */
  label: string;
}

function forbiddenImpersonation(actor: UserInfo, target: ImpersonationTarget): ApiError {
  const a = target.attrs;
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return new ApiError(
    403,
    'Forbidden',
    `${target.label} is forbidden: User ${JSON.stringify(actor.username)} cannot impersonate resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.group)} ${scope}`,
    { name: a.name, group: a.group, kind: a.resource },
  );
}

export class HeaderAuthenticator implements Authenticator {
  constructor(
    private readonly tokens: TokenAuthenticator,
    private readonly authorizer: Authorizer,
  ) {}

  authenticate(headers: Headers): UserInfo | undefined {
    const token = bearerToken(headers);
    let user: UserInfo | undefined;
    if (token !== undefined) {
      const result = this.tokens.review(token);
      if ('error' in result) throw unauthorized();
      user = result.user;
    }
    return this.impersonate(user, headers);
  }

  /** Applies Impersonate-* headers, checking the `impersonate` verb for every requested value. */
  private impersonate(actor: UserInfo | undefined, headers: Headers): UserInfo | undefined {
    const userName = header(headers, 'impersonate-user')[0];
    const groups = header(headers, 'impersonate-group');
    const uid = header(headers, 'impersonate-uid')[0];
    const extra: Record<string, string[]> = {};
    for (const name of Object.keys(headers)) {
      const m = /^impersonate-extra-(.+)$/i.exec(name);
      if (m) extra[decodeURIComponent(m[1].toLowerCase())] = header(headers, name);
    }
    const hasExtra = Object.keys(extra).length > 0;
    if (userName === undefined) {
      if (groups.length || uid !== undefined || hasExtra) {
        throw new ApiError(400, 'BadRequest', 'requested impersonation of groups, uid or extra without impersonating a user');
      }
      return actor;
    }
    const self: UserInfo = actor ?? { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    const targets: ImpersonationTarget[] = [];
    let username = userName;
    let finalGroups = [...groups];
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(userName);
    if (sa) {
      targets.push({ attrs: { verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace: sa[1], name: sa[2] }, label: `serviceaccounts ${JSON.stringify(sa[2])}` });
      username = serviceAccountUsername(sa[1], sa[2]);
      if (!groups.length) finalGroups = serviceAccountGroups(sa[1]).filter((g) => g !== 'system:authenticated');
    } else {
      targets.push({ attrs: { verb: 'impersonate', group: '', resource: 'users', name: userName }, label: `users ${JSON.stringify(userName)}` });
    }
    for (const g of groups) targets.push({ attrs: { verb: 'impersonate', group: '', resource: 'groups', name: g }, label: `groups ${JSON.stringify(g)}` });
    if (uid !== undefined) targets.push({ attrs: { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'uids', name: uid }, label: `uids.authentication.k8s.io ${JSON.stringify(uid)}` });
    for (const [key, values] of Object.entries(extra)) {
      for (const v of values) {
        targets.push({ attrs: { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v }, label: `userextras.authentication.k8s.io ${JSON.stringify(v)}` });
      }
    }
    for (const target of targets) if (!this.authorizer.authorize(self, target.attrs).allowed) throw forbiddenImpersonation(self, target);
    if (username === 'system:anonymous') {
      if (!finalGroups.includes('system:unauthenticated')) finalGroups.push('system:unauthenticated');
    } else if (!finalGroups.includes('system:authenticated')) {
      finalGroups.push('system:authenticated');
    }
    return { username, ...(uid !== undefined ? { uid } : {}), groups: finalGroups, ...(hasExtra ? { extra } : {}) };
  }
}
