// Identity and access for the embedded control plane: authentication (static tokens, SA JWTs,
// impersonation), RBAC authorization, review endpoints, OIDC discovery and auth controllers.
import { randomBytes } from 'node:crypto';
import type { Authenticator, Authorizer, Controller, ExtraRoute, InternalClient, KubeObject, UserInfo, VirtualCreateHandler } from '../types.ts';
import { HeaderAuthenticator, TokenAuthenticator, type StaticUser } from './authenticator.ts';
import { bootstrapRbacObjects } from './bootstrap-roles.ts';
import { AggregationController, ServiceAccountController, TokenController } from './controllers.ts';
import { checkEscalation, registerEvaluator } from './escalation.ts';
import { makeSigningKey, type SigningAlg, type SigningKey } from './jwt.ts';
import { oidcRoutes } from './oidc.ts';
import { RbacEvaluator } from './rbac-evaluator.ts';
import { reviewHandlers } from './reviews.ts';
import { createTokenRequest, type TokenSettings } from './service-account-tokens.ts';

export { checkEscalation } from './escalation.ts';
export { bearerToken } from './authenticator.ts';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const ADMIN_USERNAME = 'kubernetes-admin';

export interface AuthOptions {
  issuer?: string;
  apiAudiences?: string[];
  adminToken: string;
  users?: { name: string; token?: string; groups?: string[] }[];
  /** Clock in ms since the epoch (tests move it to expire tokens). */
  now?: () => number;
  /** The API server's CA, published as ConfigMap kube-root-ca.crt and in legacy token Secrets. */
  caPem?: string;
  /** Reuse a key pair (tests that build many instances); default: a fresh pair for `signingAlg`. */
  signingKey?: SigningKey;
  /** Service-account token algorithm when no key is given (default ES256). */
  signingAlg?: SigningAlg;
}

export interface Auth {
  authenticator: Authenticator;
  authorizer: Authorizer;
  virtualHandlers: VirtualCreateHandler[];
  extraRoutes: ExtraRoute[];
  controllers: Controller[];
  bootstrapObjects(): KubeObject[];
  staticUsers: StaticUser[];
  /** Same as the exported checkEscalation, bound to this client. */
  checkEscalation(user: UserInfo, obj: KubeObject): void;
}

export function createAuth(client: InternalClient, opts: AuthOptions): Auth {
  const issuer = opts.issuer ?? DEFAULT_ISSUER;
  const settings: TokenSettings = {
    key: opts.signingKey ?? makeSigningKey(opts.signingAlg),
    issuer,
    apiAudiences: opts.apiAudiences?.length ? opts.apiAudiences : [issuer],
    now: opts.now ?? (() => Date.now()),
  };
  const staticUsers: StaticUser[] = [
    { name: ADMIN_USERNAME, token: opts.adminToken, groups: ['system:masters', 'system:authenticated'] },
    ...(opts.users ?? []).map((u) => ({
      name: u.name,
      token: u.token ?? randomBytes(24).toString('base64url'),
      groups: [...new Set([...(u.groups ?? []), 'system:authenticated'])],
    })),
  ];
  const rbac = new RbacEvaluator(client);
  registerEvaluator(client, rbac);
  const tokens = new TokenAuthenticator(client, settings, staticUsers);
  const tokenRequest: VirtualCreateHandler = {
    key: 'core/serviceaccounts/token',
    create: (body, ctx) => createTokenRequest(client, settings, ctx.namespace ?? '', ctx.name ?? '', body),
  };
  return {
    authenticator: new HeaderAuthenticator(tokens, rbac),
    authorizer: rbac,
    virtualHandlers: [tokenRequest, ...reviewHandlers(tokens, rbac)],
    extraRoutes: oidcRoutes(issuer, settings.key),
    controllers: [new AggregationController(), new ServiceAccountController(opts.caPem), new TokenController(settings.key, opts.caPem)],
    bootstrapObjects: bootstrapRbacObjects,
    staticUsers,
    checkEscalation: (user, obj) => checkEscalation(user, obj, client),
  };
}
