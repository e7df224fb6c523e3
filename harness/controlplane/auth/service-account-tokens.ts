// ServiceAccount tokens: TokenRequest (bound JWTs), legacy Secret tokens, and their validation
// against live objects (SA uid, bound Pod/Secret/Node still there and not being deleted).
import { randomUUID } from 'node:crypto';
import { ApiError, peekObject, type InternalClient, type KubeObject, type UserInfo } from '../types.ts';
import { GVR } from './gvr.ts';
import { signJwt, verifyJwt, type SigningKey } from './jwt.ts';

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** go-jose's default leeway, which kube's validator uses for exp/nbf. */
const LEEWAY_SECONDS = 60;

export interface TokenSettings {
  key: SigningKey;
  issuer: string;
  apiAudiences: string[];
  now: () => number;
}

export const serviceAccountUsername = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;
export const serviceAccountGroups = (ns: string) => ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'];

const invalid = (field: string, value: unknown, detail: string, name: string) =>
  new ApiError(422, 'Invalid', `TokenRequest.authentication.k8s.io ${JSON.stringify(name)} is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`, {
    name,
    group: 'authentication.k8s.io',
    kind: 'TokenRequest',
    causes: [{ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }],
  });

const notFound = (resource: string, name: string, group = '') =>
  new ApiError(404, 'NotFound', `${resource}${group ? '.' + group : ''} ${JSON.stringify(name)} not found`, { name, group, kind: resource });

interface BoundRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

/** Handles POST serviceaccounts/<name>/token. */
export function createTokenRequest(client: InternalClient, t: TokenSettings, namespace: string, saName: string, body: KubeObject): KubeObject {
  const spec = ((body.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: BoundRef | null }) || {};
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) throw invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes', saName);
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) throw invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds', saName);
  const sa = peekObject(client, GVR.serviceAccounts, namespace, saName);
  if (!sa) throw notFound('serviceaccounts', saName);
  const audiences = spec.audiences?.length ? spec.audiences : t.apiAudiences;
  const nowSec = Math.floor(t.now() / 1000);
  const scoped: Record<string, unknown> = { namespace, serviceaccount: { name: saName, uid: sa.metadata.uid } };
  const ref = spec.boundObjectRef;
  if (ref && (ref.kind || ref.name)) {
    const kinds: Record<string, keyof typeof GVR> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' };
    const which = ref.kind ? kinds[ref.kind] : undefined;
    if (!which || (ref.apiVersion && ref.apiVersion !== 'v1')) {
      throw new ApiError(400, 'BadRequest', `cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}`);
    }
    const obj = peekObject(client, GVR[which], which === 'nodes' ? undefined : namespace, ref.name ?? '');
    if (!obj) throw notFound(GVR[which].resource, ref.name ?? '');
    if (which === 'pods' && ((obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? 'default') !== saName) {
      throw new ApiError(400, 'BadRequest', `cannot bind token for serviceaccount ${JSON.stringify(saName)} to pod running with different serviceaccount name.`);
    }
    if (ref.uid && ref.uid !== obj.metadata.uid) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${ref.kind} ${JSON.stringify(ref.name)}: the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        { name: ref.name, kind: ref.kind },
      );
    }
    scoped[ref.kind!.toLowerCase()] = { name: obj.metadata.name, uid: obj.metadata.uid };
  }
  const claims = {
    aud: audiences,
    exp: nowSec + expirationSeconds,
    iat: nowSec,
    iss: t.issuer,
    jti: randomUUID(),
    'kubernetes.io': scoped,
    nbf: nowSec,
    sub: serviceAccountUsername(namespace, saName),
  };
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { ...body.metadata, name: saName, namespace },
    spec: { audiences, expirationSeconds, ...(ref ? { boundObjectRef: ref } : {}) },
    status: { token: signJwt(t.key, claims), expirationTimestamp: new Date((nowSec + expirationSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}

/** Mints the JWT a legacy `kubernetes.io/service-account-token` Secret carries (no expiry). */
export function mintLegacyToken(key: SigningKey, ns: string, sa: KubeObject, secretName: string): string {
  return signJwt(key, {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': ns,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': sa.metadata.name,
    'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
    sub: serviceAccountUsername(ns, sa.metadata.name ?? ''),
  });
}

export type TokenResult = { user: UserInfo; audiences: string[] } | { error: string } | undefined;

const fail = (why: string): TokenResult => ({ error: `[invalid bearer token, ${why}]` });
const alive = (obj: KubeObject | undefined, uid: unknown) => !!obj && !obj.metadata.deletionTimestamp && (uid === undefined || obj.metadata.uid === uid);
const intersect = (a: string[], b: string[]) => a.filter((x) => b.includes(x));

/**
 * Validates a ServiceAccount token. undefined: not a token we issued (not our signature or issuer);
 * `{error}`: ours but no longer valid; else the user and the matched audiences.
 */
export function validateServiceAccountToken(client: InternalClient, t: TokenSettings, token: string, wantAudiences: string[]): TokenResult {
  const claims = verifyJwt(t.key, token);
  if (!claims) return undefined;
  if (claims.iss === LEGACY_ISSUER) return validateLegacy(client, t, claims, token, wantAudiences);
  if (claims.iss !== t.issuer) return undefined;
  const nowSec = t.now() / 1000;
  if (typeof claims.exp !== 'number' || nowSec > claims.exp + LEEWAY_SECONDS) return fail('service account token has expired');
  if (typeof claims.nbf === 'number' && nowSec < claims.nbf - LEEWAY_SECONDS) return fail('service account token is not valid yet');
  const tokenAuds = Array.isArray(claims.aud) ? (claims.aud as string[]) : typeof claims.aud === 'string' ? [claims.aud] : [];
  const audiences = intersect(wantAudiences, tokenAuds);
  if (!audiences.length) return fail('token audiences ' + JSON.stringify(tokenAuds) + ' is invalid for the target audiences ' + JSON.stringify(wantAudiences));
  const scoped = (claims['kubernetes.io'] ?? {}) as {
    namespace?: string;
    serviceaccount?: { name?: string; uid?: string };
    pod?: { name?: string; uid?: string };
    secret?: { name?: string; uid?: string };
    node?: { name?: string; uid?: string };
  };
  const ns = scoped.namespace ?? '';
  const saName = scoped.serviceaccount?.name ?? '';
  const sa = peekObject(client, GVR.serviceAccounts, ns, saName);
  if (!sa) return fail(`serviceaccounts ${JSON.stringify(saName)} not found`);
  if (!alive(sa, scoped.serviceaccount?.uid)) return fail(`service account UID (${scoped.serviceaccount?.uid}) does not match claim (${sa.metadata.uid})`);
  const extra: Record<string, string[]> = {};
  if (scoped.pod) {
    if (!alive(peekObject(client, GVR.pods, ns, scoped.pod.name ?? ''), scoped.pod.uid)) return fail(`pod ${JSON.stringify(scoped.pod.name)} not found or being deleted`);
    extra['authentication.kubernetes.io/pod-name'] = [scoped.pod.name ?? ''];
    extra['authentication.kubernetes.io/pod-uid'] = [scoped.pod.uid ?? ''];
  }
  if (scoped.secret && !alive(peekObject(client, GVR.secrets, ns, scoped.secret.name ?? ''), scoped.secret.uid)) {
    return fail(`secret ${JSON.stringify(scoped.secret.name)} not found or being deleted`);
  }
  if (scoped.node) {
    if (!alive(peekObject(client, GVR.nodes, undefined, scoped.node.name ?? ''), scoped.node.uid)) return fail(`node ${JSON.stringify(scoped.node.name)} not found or being deleted`);
    extra['authentication.kubernetes.io/node-name'] = [scoped.node.name ?? ''];
    extra['authentication.kubernetes.io/node-uid'] = [scoped.node.uid ?? ''];
  }
  if (typeof claims.jti === 'string') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
  return {
    user: { username: serviceAccountUsername(ns, saName), uid: sa.metadata.uid, groups: serviceAccountGroups(ns), extra },
    audiences,
  };
}

function validateLegacy(client: InternalClient, t: TokenSettings, claims: Record<string, unknown>, token: string, wantAudiences: string[]): TokenResult {
  // Legacy tokens carry no audience: they are good for the API server's own audiences only.
  const audiences = intersect(wantAudiences, t.apiAudiences);
  if (!audiences.length) return fail('token audiences are invalid for the target audiences');
  const ns = String(claims['kubernetes.io/serviceaccount/namespace'] ?? '');
  const secretName = String(claims['kubernetes.io/serviceaccount/secret.name'] ?? '');
  const saName = String(claims['kubernetes.io/serviceaccount/service-account.name'] ?? '');
  const saUid = claims['kubernetes.io/serviceaccount/service-account.uid'];
  const secret = peekObject(client, GVR.secrets, ns, secretName);
  if (!alive(secret, undefined)) return fail(`secrets ${JSON.stringify(secretName)} not found`);
  const stored = (secret!.data as Record<string, string> | undefined)?.token;
  if (!stored || Buffer.from(stored, 'base64').toString('utf8') !== token) return fail('Token has been invalidated');
  const sa = peekObject(client, GVR.serviceAccounts, ns, saName);
  if (!alive(sa, saUid)) return fail(`serviceaccounts ${JSON.stringify(saName)} not found`);
  return {
    user: {
      username: serviceAccountUsername(ns, saName),
      uid: sa!.metadata.uid,
      groups: serviceAccountGroups(ns),
    },
    audiences,
  };
}
