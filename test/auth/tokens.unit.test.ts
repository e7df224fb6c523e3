// Unit tests of authentication over an in-memory client: TokenRequest, validation against live
// objects, legacy Secret tokens, static users, impersonation, TokenReview and OIDC discovery.
import { createPublicKey, verify } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuth, type Auth } from '../../harness/controlplane/auth/index.ts';
import { makeSigningKey, SIGNING_ALGS, type SigningAlg } from '../../harness/controlplane/auth/jwt.ts';
import { ApiError, type KubeObject, type RequestContext, type UserInfo } from '../../harness/controlplane/types.ts';
import { MemoryClient, settle } from './memory-client.ts';

const core = (resource: string) => ({ group: '', version: 'v1', resource });
const admin: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const ctx = (user: UserInfo, namespace?: string, name?: string): RequestContext & { namespace?: string; name?: string; user: UserInfo } => ({
  user,
  dryRun: false,
  fieldValidation: 'Strict',
  warnings: [],
  namespace,
  name,
});

let clock = Date.parse('2026-01-01T00:00:00Z');
let client: MemoryClient;
let auth: Auth;
const signingKey = makeSigningKey();
const handler = (key: string) => auth.virtualHandlers.find((h) => h.key === key)!;
const requestToken = (ns: string, sa: string, spec: Record<string, unknown> = {}) =>
  handler('core/serviceaccounts/token').create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec }, ctx(admin, ns, sa));
const review = (token: string, audiences?: string[]) =>
  handler('authentication.k8s.io/tokenreviews').create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token, audiences } }, ctx(admin)).status as {
    authenticated?: boolean;
    user?: UserInfo;
    audiences?: string[];
    error?: string;
  };
const tokenOf = (tr: KubeObject) => (tr.status as { token: string }).token;
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, any>;

beforeEach(() => {
  client = new MemoryClient();
  auth = createAuth(client, { adminToken: 'fake-admin-token', users: [{ name: 'alice', groups: ['devs'] }], now: () => clock, caPem: '-----FAKE CA-----', signingKey });
  for (const o of auth.bootstrapObjects()) client.create({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings' }, undefined, o);
  for (const c of auth.controllers) c.start(client);
  client.create(core('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'proj' } });
  client.create(core('serviceaccounts'), 'proj', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } });
});

describe('TokenRequest', () => {
  it('issues an ES256 JWT (the default) with kube claims and a 1h default expiry', () => {
    const tr = requestToken('proj', 'runner');
    const jwt = tokenOf(tr);
    const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('ES256');
    expect(header.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const c = claimsOf(jwt);
    expect(Object.keys(c).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
    expect(c.sub).toBe('system:serviceaccount:proj:runner');
    expect(c.aud).toEqual(['https://kubernetes.default.svc.cluster.local']);
    expect(c.exp - c.iat).toBe(3600);
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
    const sa = client.get(core('serviceaccounts'), 'proj', 'runner')!;
    expect(c['kubernetes.io']).toEqual({ namespace: 'proj', serviceaccount: { name: 'runner', uid: sa.metadata.uid } });
    expect((tr.status as any).expirationTimestamp).toBe('2026-01-01T01:00:00Z');
  });

  it('rejects durations under 10 minutes and unknown service accounts', () => {
    const err = (() => {
      try {
        requestToken('proj', 'runner', { expirationSeconds: 599 });
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect(err!.code).toBe(422);
    expect(err!.message).toContain('may not specify a duration less than 10 minutes');
    expect(() => requestToken('proj', 'nobody')).toThrow(/serviceaccounts "nobody" not found/);
    expect(tokenOf(requestToken('proj', 'runner', { expirationSeconds: 600 }))).toBeTruthy();
  });

  it('binds to a Secret that must exist with the given uid', () => {
    expect(() => requestToken('proj', 'runner', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'gone' } })).toThrow(/not found/);
    const secret = client.create(core('secrets'), 'proj', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' } });
    expect(() => requestToken('proj', 'runner', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's1', uid: 'other' } })).toThrow(/does not match the UID/);
    expect(() => requestToken('proj', 'runner', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 's1' } })).toThrow(/cannot bind token/);
    const token = tokenOf(requestToken('proj', 'runner', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's1' } }));
    expect(claimsOf(token)['kubernetes.io'].secret).toEqual({ name: 's1', uid: secret.metadata.uid });
    expect(review(token).authenticated).toBe(true);
    client.delete(core('secrets'), 'proj', 's1');
    expect(review(token).authenticated).toBeFalsy();
  });

  it('pod-bound tokens carry pod extras and need the pod to run as the SA', () => {
    client.create(core('pods'), 'proj', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'runner' } });
    client.create(core('pods'), 'proj', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { serviceAccountName: 'other' } });
    expect(() => requestToken('proj', 'runner', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'q' } })).toThrow(/different serviceaccount/);
    const token = tokenOf(requestToken('proj', 'runner', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }));
    const status = review(token);
    expect(status.authenticated).toBe(true);
    expect(status.user!.extra!['authentication.kubernetes.io/pod-name']).toEqual(['p']);
    expect(status.user!.extra!['authentication.kubernetes.io/credential-id'][0]).toMatch(/^JTI=/);
  });
});

describe('token validation', () => {
  it('TokenReview returns SA identity, groups and audiences', () => {
    const token = tokenOf(requestToken('proj', 'runner'));
    const s = review(token);
    const sa = client.get(core('serviceaccounts'), 'proj', 'runner')!;
    expect(s.authenticated).toBe(true);
    expect(s.user).toMatchObject({ username: 'system:serviceaccount:proj:runner', uid: sa.metadata.uid, groups: ['system:serviceaccounts', 'system:serviceaccounts:proj', 'system:authenticated'] });
    expect(s.audiences).toEqual(['https://kubernetes.default.svc.cluster.local']);
    expect(review(token, ['other-aud']).authenticated).toBeFalsy();
    const custom = tokenOf(requestToken('proj', 'runner', { audiences: ['vault'] }));
    expect(review(custom, ['vault']).audiences).toEqual(['vault']);
    expect(review(custom).authenticated).toBeFalsy();
    expect(() => auth.authenticator.authenticate({ authorization: `Bearer ${custom}` })).toThrow(ApiError);
  });

  it('expires with the injected clock (60 s leeway like go-jose)', () => {
    const token = tokenOf(requestToken('proj', 'runner', { expirationSeconds: 600 }));
    clock += 600_000 + 59_000;
    expect(review(token).authenticated).toBe(true);
    clock += 2_000;
    const s = review(token);
    expect(s.authenticated).toBeFalsy();
    expect(s.error).toContain('expired');
  });

  it('SA delete and recreate invalidates old tokens', () => {
    const token = tokenOf(requestToken('proj', 'runner'));
    client.delete(core('serviceaccounts'), 'proj', 'runner');
    expect(review(token).authenticated).toBeFalsy();
    client.create(core('serviceaccounts'), 'proj', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } });
    expect(review(token).authenticated).toBeFalsy();
    expect(review(tokenOf(requestToken('proj', 'runner'))).authenticated).toBe(true);
  });

  it('a token signed by another key is rejected with 401', () => {
    const other = createAuth(new MemoryClient(), { adminToken: 'x' });
    void other;
    const token = tokenOf(requestToken('proj', 'runner'));
    const [h, b] = token.split('.');
    const forged = `${h}.${b}.${Buffer.from('nope').toString('base64url')}`;
    expect(review(forged).authenticated).toBeFalsy();
    try {
      auth.authenticator.authenticate({ authorization: `Bearer ${forged}` });
      expect.unreachable();
    } catch (e) {
      expect((e as ApiError).code).toBe(401);
    }
  });
});

describe('legacy Secret tokens', () => {
  it('the token controller fills the Secret and its token stops working with the SA or Secret gone', async () => {
    client.create(core('secrets'), 'proj', { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'runner-token', annotations: { 'kubernetes.io/service-account.name': 'runner' } } });
    await settle();
    const secret = client.get(core('secrets'), 'proj', 'runner-token')!;
    const data = secret.data as Record<string, string>;
    expect(Buffer.from(data.namespace, 'base64').toString()).toBe('proj');
    expect(Buffer.from(data['ca.crt'], 'base64').toString()).toBe('-----FAKE CA-----');
    const token = Buffer.from(data.token, 'base64').toString();
    const c = claimsOf(token);
    expect(c.iss).toBe('kubernetes/serviceaccount');
    expect(c['kubernetes.io/serviceaccount/secret.name']).toBe('runner-token');
    expect(auth.authenticator.authenticate({ authorization: `Bearer ${token}` })!.username).toBe('system:serviceaccount:proj:runner');
    client.delete(core('secrets'), 'proj', 'runner-token');
    expect(review(token).authenticated).toBeFalsy();
  });
});

describe('static users and impersonation', () => {
  it('admin and named users authenticate; no token is anonymous', () => {
    expect(auth.authenticator.authenticate({ authorization: 'Bearer fake-admin-token' })).toEqual({ username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
    const alice = auth.staticUsers.find((u) => u.name === 'alice')!;
    expect(alice.token.length).toBeGreaterThan(20);
    expect(auth.authenticator.authenticate({ authorization: `Bearer ${alice.token}` })!.groups).toEqual(['devs', 'system:authenticated']);
    expect(auth.authenticator.authenticate({})).toBeUndefined();
    expect(() => auth.authenticator.authenticate({ authorization: 'Bearer wrong' })).toThrow(/Unauthorized/);
  });

  it('needs the impersonate verb and adds SA groups', () => {
    const alice = auth.staticUsers.find((u) => u.name === 'alice')!;
    try {
      auth.authenticator.authenticate({ authorization: `Bearer ${alice.token}`, 'impersonate-user': 'bob' });
      expect.unreachable();
    } catch (e) {
      expect((e as ApiError).code).toBe(403);
      expect((e as ApiError).message).toBe('users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    }
    const u = auth.authenticator.authenticate({ authorization: 'Bearer fake-admin-token', 'impersonate-user': 'system:serviceaccount:proj:runner' })!;
    expect(u).toEqual({ username: 'system:serviceaccount:proj:runner', groups: ['system:serviceaccounts', 'system:serviceaccounts:proj', 'system:authenticated'] });
    const g = auth.authenticator.authenticate({ authorization: 'Bearer fake-admin-token', 'impersonate-user': 'bob', 'impersonate-group': ['g1', 'g2'], 'impersonate-extra-scopes': 'a' })!;
    expect(g).toEqual({ username: 'bob', groups: ['g1', 'g2', 'system:authenticated'], extra: { scopes: ['a'] } });
    expect(() => auth.authenticator.authenticate({ authorization: 'Bearer fake-admin-token', 'impersonate-group': 'g1' })).toThrow(/without impersonating a user/);
  });

  it('SelfSubjectReview reports the caller', () => {
    const r = handler('authentication.k8s.io/selfsubjectreviews').create({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} }, ctx(admin));
    expect((r.status as any).userInfo).toEqual({ username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
  });
});

describe('OIDC discovery and namespace defaults', () => {
  const jwsVerify = (alg: SigningAlg, data: Buffer, jwk: any, sig: Buffer) =>
    alg === 'ES256'
      ? verify('sha256', data, { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, sig)
      : verify('RSA-SHA256', data, createPublicKey({ key: jwk, format: 'jwk' }), sig);

  it.each(SIGNING_ALGS)('%s: serves discovery and a JWKS that verifies issued tokens; tokens authenticate', (alg) => {
    auth = createAuth(client, { adminToken: 'fake-admin-token', now: () => clock, signingAlg: alg });
    const conf = JSON.parse(auth.extraRoutes.find((r) => r.path === '/.well-known/openid-configuration')!.handle().body);
    expect(conf).toMatchObject({ issuer: 'https://kubernetes.default.svc.cluster.local', response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: [alg] });
    const jwks = JSON.parse(auth.extraRoutes.find((r) => r.path === '/openid/v1/jwks')!.handle().body);
    const token = tokenOf(requestToken('proj', 'runner'));
    const [h, b, s] = token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    expect(header.alg).toBe(alg);
    const key = jwks.keys.find((k: any) => k.kid === header.kid);
    expect(key).toMatchObject(alg === 'ES256' ? { use: 'sig', alg, kty: 'EC', crv: 'P-256' } : { use: 'sig', alg, kty: 'RSA' });
    expect(jwsVerify(alg, Buffer.from(`${h}.${b}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    expect(jwsVerify(alg, Buffer.from(`${h}.${b}x`), key, Buffer.from(s, 'base64url'))).toBe(false);
    expect(review(token).user?.username).toBe('system:serviceaccount:proj:runner');
    // A token signed by another key, or with the other algorithm, is not ours.
    const other = createAuth(client, { adminToken: 'fake-admin-token', now: () => clock, signingAlg: alg === 'ES256' ? 'RS256' : 'ES256' });
    const foreign = tokenOf(other.virtualHandlers.find((x) => x.key === 'core/serviceaccounts/token')!.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: {} }, ctx(admin, 'proj', 'runner')));
    expect(review(foreign).authenticated).toBeFalsy();
    expect(review(`${h}.${b}.${Buffer.from(s, 'base64url').reverse().toString('base64url')}`).authenticated).toBeFalsy();
  });

  it('every namespace gets SA default and kube-root-ca.crt', async () => {
    await settle();
    expect(client.get(core('serviceaccounts'), 'proj', 'default')).toBeDefined();
    expect((client.get(core('configmaps'), 'proj', 'kube-root-ca.crt')!.data as any)['ca.crt']).toBe('-----FAKE CA-----');
    client.delete(core('serviceaccounts'), 'proj', 'default');
    await settle();
    expect(client.get(core('serviceaccounts'), 'proj', 'default')).toBeDefined();
  });
});
