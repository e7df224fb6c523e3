// OIDC discovery for ServiceAccount tokens, so a backend can verify them offline.
import type { ExtraRoute } from '../types.ts';
import type { SigningKey } from './jwt.ts';

export function oidcRoutes(issuer: string, key: SigningKey): ExtraRoute[] {
  const json = (value: unknown) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(value) });
  const discovery = {
    issuer,
    jwks_uri: `${issuer.replace(/\/$/, '')}/openid/v1/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [key.alg],
  };
  return [
    { method: 'GET', path: '/.well-known/openid-configuration', handle: () => json(discovery) },
    // kube serves the key set as application/jwk-set+json
    { method: 'GET', path: '/openid/v1/jwks', handle: () => ({ ...json({ keys: [key.jwk] }), contentType: 'application/jwk-set+json' }) },
  ];
}
