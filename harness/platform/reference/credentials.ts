// Runner-facing credential endpoints (contract §4.1, §4.2): session lookup with the caller's
// client, the profile's ownership check, then the per-provider storage lookup (backend SA).
import {
  CREDENTIAL_SECRETS,
  CRD_GROUP,
  CRD_VERSION,
  ERR,
  LEGACY_GITHUB_TOKEN_KEY,
  LOG,
  NON_VERTEX_INTEGRATIONS,
  SESSION_PLURAL,
  sanitizeSecretKey,
  type CredentialType,
} from '../contract.ts';
import { apiCode, describeError } from '../kube.ts';
import type { RequestCtx } from './backend-context.ts';
import { readCredential } from './credential-store.ts';
import { HttpError, sendJson } from './http-util.ts';
import { selfSubjectIdentity } from './identity.ts';

async function sessionOwner(ctx: RequestCtx, project: string, session: string): Promise<string> {
  let s: { spec?: { userContext?: { userId?: unknown } } };
  try {
    s = (await ctx.caller.custom.getNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: project, plural: SESSION_PLURAL, name: session })) as typeof s;
  } catch (err) {
    if (apiCode(err) === 404) throw new HttpError(404, ERR.sessionNotFound);
    throw new HttpError(500, ERR.getFailed);
  }
  const owner = s.spec?.userContext?.userId;
  if (typeof owner !== 'string' || !owner) throw new HttpError(500, ERR.userIdMissingInSession);
  return owner;
}

/** Returns the userId whose credentials are served, or throws 403. */
async function enforceOwnership(ctx: RequestCtx, project: string, session: string, owner: string): Promise<string> {
  const { identity, deps } = ctx;
  if (deps.profile.credentialMismatch === 'skip-for-bots') {
    // M: an empty gin userID (runner SA without annotation) skips the check.
    if (identity.userID && identity.userID !== owner) throw new HttpError(403, ERR.sessionBelongsToOther);
    deps.log(`${LOG.credentialAccess}: session=${project}/${session} same_as_owner=${identity.userID === owner}`);
    return owner;
  }
  // H (enforceCredentialRBAC): effective user = X-Runner-Current-User or the owner.
  const hdr = ctx.req.headers['x-runner-current-user'];
  const effective = (Array.isArray(hdr) ? hdr[0] : hdr) || owner;
  let caller = identity.userID;
  let isBot = false;
  if (!caller) {
    try {
      const ssr = await selfSubjectIdentity(ctx.caller);
      isBot = ssr.startsWith('system-serviceaccount-') || !ssr;
      caller = ssr;
    } catch {
      isBot = true;
    }
  }
  if (isBot) {
    if (effective !== owner) throw new HttpError(403, ERR.accessDenied);
  } else if (caller !== effective) {
    throw new HttpError(403, ERR.accessDenied);
  }
  deps.log(`${LOG.credentialAccess}: session=${project}/${session} same_as_owner=${caller === owner}`);
  return effective;
}

export async function getCredentials(ctx: RequestCtx, project: string, session: string, type: string): Promise<void> {
  if (!(type in CREDENTIAL_SECRETS)) throw new HttpError(404, ERR.notFound);
  const owner = await sessionOwner(ctx, project, session);
  const userId = await enforceOwnership(ctx, project, session, owner);
  const { deps } = ctx;
  const read = (t: CredentialType, key: string) => readCredential(deps.backend, deps.namespace, t, key);
  switch (type as CredentialType) {
    case 'github': {
      let token = '';
      try {
        const e = await read('github', userId);
        token = typeof e.value?.token === 'string' ? e.value.token : '';
        if (!token) token = await legacyGithubToken(ctx, project);
      } catch (err) {
        deps.log(`github credentials ${project}/${session}: ${describeError(err)}`);
      }
      if (!token) throw new HttpError(404, ERR.githubNotAvailable); // every GitHub failure is 404
      const who = await githubUser(ctx, token);
      sendJson(ctx.res, 200, { token, userName: who.login, email: who.email, provider: 'github' });
      return;
    }
    case 'gitlab': {
      let e;
      try {
        e = await read('gitlab', userId);
      } catch {
        throw new HttpError(404, ERR.gitlabNotConfigured);
      }
      if (!e.value || typeof e.value.token !== 'string') throw new HttpError(404, ERR.gitlabNotConfigured);
      sendJson(ctx.res, 200, { token: e.value.token, instanceUrl: e.value.instanceUrl ?? 'https://gitlab.com', userName: '', email: '', provider: 'gitlab' });
      return;
    }
    case 'jira': {
      let e;
      try {
        e = await read('jira', userId);
      } catch {
        throw new HttpError(500, ERR.jiraFailed);
      }
      if (!e.secretExists) throw new HttpError(500, ERR.jiraFailed);
      if (!e.value) throw new HttpError(404, ERR.jiraNotConfigured);
      sendJson(ctx.res, 200, { url: e.value.url, email: e.value.email, apiToken: e.value.apiToken });
      return;
    }
    case 'google': {
      let e;
      try {
        e = await read('google', sanitizeSecretKey(userId));
      } catch {
        throw new HttpError(404, ERR.googleNotConfigured);
      }
      if (!e.value) throw new HttpError(404, ERR.googleNotConfigured);
      const exp = typeof e.value.expiresAt === 'string' ? Date.parse(e.value.expiresAt) : NaN;
      // No Google endpoint is reachable offline: an expired token's refresh always fails.
      if (Number.isFinite(exp) && exp < Date.now()) throw new HttpError(401, ERR.googleExpired);
      const { accessToken, refreshToken, email, scopes, expiresAt } = e.value;
      sendJson(ctx.res, 200, { accessToken, refreshToken, email, scopes, expiresAt });
      return;
    }
  }
}

/** Legacy fallback: GITHUB_TOKEN in the project's ambient-non-vertex-integrations (user-independent). */
async function legacyGithubToken(ctx: RequestCtx, project: string): Promise<string> {
  try {
    const s = await ctx.deps.backend.core.readNamespacedSecret({ namespace: project, name: NON_VERTEX_INTEGRATIONS });
    const raw = s.data?.[LEGACY_GITHUB_TOKEN_KEY];
    return raw ? Buffer.from(raw, 'base64').toString('utf8') : '';
  } catch {
    return '';
  }
}

/** GET <githubApiUrl>/user with a 10 s timeout; failures are ignored (§4.3 latency caveat). */
async function githubUser(ctx: RequestCtx, token: string): Promise<{ login: string; email: string }> {
  const base = ctx.deps.githubApiUrl;
  if (!base) return { login: '', email: '' };
  try {
    const r = await fetch(`${base.replace(/\/$/, '')}/user`, { headers: { Authorization: `token ${token}`, Accept: 'application/vnd.github+json' }, signal: AbortSignal.timeout(10_000) });
    if (!r.ok) return { login: '', email: '' };
    const j = (await r.json()) as { login?: string; email?: string };
    return { login: j.login ?? '', email: j.email ?? '' };
  } catch {
    return { login: '', email: '' };
  }
}
