// Caller identity, as the backend derives it (contract §2.1–§2.3): trusted X-Forwarded-* headers,
// a TokenReview (backend SA) + ServiceAccount-annotation fallback, and the SelfSubjectReview
// fallback with the colon rule. Tokens are never logged.
import type { IncomingMessage } from 'node:http';
import type { Clients } from './clients.ts';
import { ANN_CREATED_BY_USER, sanitizeUserID, selfSubjectUserId } from '../contract.ts';

export interface Identity {
  /** gin `userID`: sanitized X-Forwarded-User, or the raw SA annotation value, or "". */
  userID: string;
  userIDOriginal: string;
  userName: string;
  userEmail: string;
  userGroups: string[];
  /** Kubernetes username from the middleware's TokenReview, when it ran and authenticated. */
  tokenUsername?: string;
}

/** Header values arrive as raw bytes (Node reads them as latin1); Go treats them as UTF-8 strings. */
function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  const raw = (Array.isArray(v) ? v[0] : v) ?? '';
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
}

/** `Authorization: Bearer <t>`, or a raw token without the prefix. */
export function bearerToken(req: IncomingMessage): string {
  const auth = header(req, 'authorization').trim();
  if (!auth) return '';
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  return (m ? m[1] : auth).trim();
}

/** extractRequestToken: X-Forwarded-Access-Token wins over Authorization. */
export function requestToken(req: IncomingMessage): string {
  const fwd = header(req, 'x-forwarded-access-token').trim();
  return fwd || bearerToken(req);
}

/** forwardedIdentityMiddleware: runs on every request. */
export async function resolveIdentity(req: IncomingMessage, backend: Clients, log: (m: string) => void): Promise<Identity> {
  const fwdUser = header(req, 'x-forwarded-user');
  const id: Identity = {
    userID: fwdUser ? sanitizeUserID(fwdUser) : '',
    userIDOriginal: fwdUser,
    userName: header(req, 'x-forwarded-preferred-username') || fwdUser,
    userEmail: header(req, 'x-forwarded-email'),
    // Split on "," without trimming, as the backend does.
    userGroups: header(req, 'x-forwarded-groups') ? header(req, 'x-forwarded-groups').split(',') : [],
  };
  const token = bearerToken(req);
  if (id.userID || !token) return id;
  try {
    const review = await backend.authn.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    const status = review.status;
    if (!status?.authenticated || !status.user?.username) return id;
    id.tokenUsername = status.user.username;
    const parts = status.user.username.split(':');
    if (parts.length === 4 && parts[0] === 'system' && parts[1] === 'serviceaccount') {
      const sa = await backend.core.readNamespacedServiceAccount({ namespace: parts[2], name: parts[3] });
      const owner = sa.metadata?.annotations?.[ANN_CREATED_BY_USER];
      if (owner) id.userID = owner; // raw, not sanitized (contract §2.2 step 3)
    }
  } catch (err) {
    log(`identity: token review fallback failed: ${(err as Error).message?.slice(0, 120)}`);
  }
  return id;
}

/** resolveTokenIdentity: SelfSubjectReview with the caller's client, colon rule only. */
export async function selfSubjectIdentity(caller: Clients): Promise<string> {
  const r = await caller.authn.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  const username = r.status?.userInfo?.username ?? '';
  return username ? selfSubjectUserId(username) : '';
}
