// Service-account JSON Web Tokens with a key pair made at start (node:crypto only): ES256 (P-256)
// or RS256 (RSA-2048), the two algorithms kube-apiserver signs with, chosen by the key file's type.
import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** ES256 signs ~10x cheaper than RS256 (one TokenRequest per session adds up under load). */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
export const DEFAULT_SIGNING_ALG: SigningAlg = 'ES256';

export interface SigningKey {
  alg: SigningAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Like kube-apiserver: base64url(sha256(DER of the PKIX public key)). */
  kid: string;
  /** The public key as a JWK (kty, kid, use, alg and n/e or crv/x/y) for /openid/v1/jwks. */
  jwk: Record<string, string>;
}

export function makeSigningKey(alg: SigningAlg = DEFAULT_SIGNING_ALG): SigningKey {
  const { privateKey, publicKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha256').update(der).digest('base64url');
  const raw = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const material: Record<string, string> = alg === 'ES256' ? { kty: 'EC', crv: raw.crv, x: raw.x, y: raw.y } : { kty: 'RSA', n: raw.n, e: raw.e };
  return { alg, privateKey, publicKey, kid, jwk: { use: 'sig', kid, alg, ...material } };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** JWS signatures: RS256 is PKCS#1 v1.5; ES256 is the raw r||s pair (RFC 7518 §3.4), not DER. */
const signWith = (key: SigningKey, data: Buffer) =>
  key.alg === 'ES256' ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }) : sign('RSA-SHA256', data, key.privateKey);
const verifyWith = (key: SigningKey, data: Buffer, signature: Buffer) =>
  key.alg === 'ES256' ? verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature) : verify('RSA-SHA256', data, key.publicKey, signature);

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const head = b64({ alg: key.alg, kid: key.kid });
  const body = b64(claims);
  const signature = signWith(key, Buffer.from(`${head}.${body}`)).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** True when the string has the shape of a JWT (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/**
 * Returns the claims when the signature is ours, else undefined.
 * Tokens whose signature already verified are remembered per key: a verify per request dominated the
 * authenticate path under load. Only the signature check is cached (expiry and the bound objects
 * are checked by the caller every time); bounded, emptied when full.
 */
const verified = new WeakMap<SigningKey, Map<string, Record<string, unknown>>>();
const VERIFIED_MAX = 20_000;

export function verifyJwt(key: SigningKey, token: string): Record<string, unknown> | undefined {
  let cache = verified.get(key);
  const hit = cache?.get(token);
  if (hit) return { ...hit };
  const claims = verifyJwtUncached(key, token);
  if (claims) {
    if (!cache) verified.set(key, (cache = new Map()));
    if (cache.size >= VERIFIED_MAX) cache.clear();
    cache.set(token, claims);
    return { ...claims };
  }
  return undefined;
}

function verifyJwtUncached(key: SigningKey, token: string): Record<string, unknown> | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const [head, body, signature] = token.split('.');
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
    if (header.alg !== key.alg || (header.kid !== undefined && header.kid !== key.kid)) return undefined;
    if (!verifyWith(key, Buffer.from(`${head}.${body}`), Buffer.from(signature, 'base64url'))) return undefined;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
