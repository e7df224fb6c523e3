// RS256 JSON Web Tokens with a key pair made at start (node:crypto only).
import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Like kube-apiserver: base64url(sha256(DER of the PKIX public key)). */
  kid: string;
  /** The public key as a JWK (n, e, kid, use, alg) for /openid/v1/jwks. */
  jwk: Record<string, string>;
}

export function makeSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha256').update(der).digest('base64url');
  const raw = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { privateKey, publicKey, kid, jwk: { use: 'sig', kty: 'RSA', kid, alg: 'RS256', n: raw.n, e: raw.e } };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const head = b64({ alg: 'RS256', kid: key.kid });
  const body = b64(claims);
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** True when the string has the shape of a JWT (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** Returns the claims when the signature is ours, else undefined. */
/**
 * Tokens whose signature already verified, per key: an RSA verify per request dominated the
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
    if (header.alg !== 'RS256' || (header.kid !== undefined && header.kid !== key.kid)) return undefined;
    if (!verify('RSA-SHA256', Buffer.from(`${head}.${body}`), key.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
