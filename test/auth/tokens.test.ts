// Token lifecycle through @kubernetes/client-node over HTTPS: TokenRequest, TokenReview, expiry
// (clock moved by offsetting Date.now, which the auth module reads), SA delete+recreate, bound
// Secret deletion, legacy token Secrets and OIDC discovery.
import { createPublicKey, verify } from 'node:crypto';
import { request } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubeConfigFor, waitFor } from './helpers.ts';

const NS = 'tokens';
let cp: ControlPlane;
let core: k8s.CoreV1Api;
let authn: k8s.AuthenticationV1Api;

const mint = async (sa: string, spec: Partial<k8s.V1TokenRequestSpec> = {}) =>
  (await core.createNamespacedServiceAccountToken({ name: sa, namespace: NS, body: { spec: spec as k8s.V1TokenRequestSpec } })).status!.token;
const tokenReview = async (token: string, audiences?: string[]) => (await authn.createTokenReview({ body: { spec: { token, audiences } } })).status!;
const createSa = (name: string) => core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name } } });
const statusOf = async (p: Promise<unknown>) => p.then(() => 200, (e: k8s.ApiException<unknown>) => e.code);

function get(path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cp.url), { ca: cp.caPem, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  cp = await startControlPlane();
  const kc = kubeConfigFor(cp, { user: 'admin' });
  core = kc.makeApiClient(k8s.CoreV1Api);
  authn = kc.makeApiClient(k8s.AuthenticationV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await createSa('runner');
}, 60_000);
afterAll(async () => cp?.stop());
afterEach(() => vi.restoreAllMocks());

describe('ServiceAccount tokens over HTTPS', () => {
  it('TokenRequest → TokenReview with SA identity; the token works for the API', async () => {
    const token = await mint('runner');
    const status = await tokenReview(token);
    const sa = await core.readNamespacedServiceAccount({ name: 'runner', namespace: NS });
    expect(status.authenticated).toBe(true);
    expect(status.user).toMatchObject({ username: `system:serviceaccount:${NS}:runner`, uid: sa.metadata!.uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'] });
    expect(status.user!.extra!['authentication.kubernetes.io/credential-id'][0]).toMatch(/^JTI=[0-9a-f-]{36}$/);
    expect(status.audiences).toEqual(['https://kubernetes.default.svc.cluster.local']);
    const asSa = kubeConfigFor(cp, { token }).makeApiClient(k8s.AuthenticationV1Api);
    const self = await asSa.createSelfSubjectReview({ body: {} });
    expect(self.status!.userInfo!.username).toBe(`system:serviceaccount:${NS}:runner`);
    expect(await statusOf(kubeConfigFor(cp, { token }).makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: NS }))).toBe(403);
  });

  it('expires after expirationSeconds (+60 s leeway) by the server clock', async () => {
    const token = await mint('runner', { expirationSeconds: 600 });
    expect((await tokenReview(token)).authenticated).toBe(true);
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 655_000);
    expect((await tokenReview(token)).authenticated).toBe(true);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 665_000);
    const expired = await tokenReview(token);
    expect(expired.authenticated).toBeFalsy();
    expect(expired.error).toContain('expired');
    expect(await statusOf(kubeConfigFor(cp, { token }).makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} }))).toBe(401);
  });

  it('deleting and recreating the SA invalidates its tokens', async () => {
    await createSa('ephemeral');
    const token = await mint('ephemeral');
    expect((await tokenReview(token)).authenticated).toBe(true);
    await core.deleteNamespacedServiceAccount({ name: 'ephemeral', namespace: NS });
    await createSa('ephemeral');
    const r = await tokenReview(token);
    expect(r.authenticated).toBeFalsy();
    expect(r.error).toMatch(/invalid bearer token/);
    expect((await tokenReview(await mint('ephemeral'))).authenticated).toBe(true);
  });

  it('a Secret-bound token dies with the Secret; audiences must intersect', async () => {
    const secret = await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'anchor' }, stringData: { k: 'fake' } } });
    const token = await mint('runner', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'anchor', uid: secret.metadata!.uid } });
    expect((await tokenReview(token)).authenticated).toBe(true);
    expect((await tokenReview(token, ['somebody-else'])).authenticated).toBeFalsy();
    await core.deleteNamespacedSecret({ name: 'anchor', namespace: NS });
    expect((await tokenReview(token)).authenticated).toBeFalsy();
    expect(await statusOf(mint('runner', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'anchor' } }))).toBe(404);
    expect(await statusOf(mint('runner', { expirationSeconds: 60 }))).toBe(422);
  });

  it('legacy service-account-token Secrets are filled and stop working when the SA goes', async () => {
    await createSa('legacy');
    await core.createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } }, type: 'kubernetes.io/service-account-token' },
    });
    const filled = await waitFor(async () => {
      const s = await core.readNamespacedSecret({ name: 'legacy-token', namespace: NS });
      return s.data?.token ? s : undefined;
    }, 'token controller');
    expect(Buffer.from(filled.data!['ca.crt'], 'base64').toString()).toBe(cp.caPem);
    expect(Buffer.from(filled.data!.namespace, 'base64').toString()).toBe(NS);
    const token = Buffer.from(filled.data!.token, 'base64').toString();
    expect((await tokenReview(token)).user!.username).toBe(`system:serviceaccount:${NS}:legacy`);
    await core.deleteNamespacedServiceAccount({ name: 'legacy', namespace: NS });
    expect((await tokenReview(token)).authenticated).toBeFalsy();
    await waitFor(async () => (await statusOf(core.readNamespacedSecret({ name: 'legacy-token', namespace: NS }))) === 404, 'token secret removed with its SA');
  });

  it('namespaces get SA default and kube-root-ca.crt', async () => {
    await waitFor(async () => (await statusOf(core.readNamespacedServiceAccount({ name: 'default', namespace: NS }))) === 200, 'default SA');
    const cm = await waitFor(async () => core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: NS }).catch(() => undefined), 'kube-root-ca.crt');
    expect(cm.data!['ca.crt']).toBe(cp.caPem);
  });

  it('OIDC discovery and JWKS verify issued tokens; anonymous is denied', async () => {
    const token = await mint('runner');
    const conf = await get('/.well-known/openid-configuration', token);
    expect(conf.status).toBe(200);
    const doc = JSON.parse(conf.body);
    expect(doc).toMatchObject({ issuer: 'https://kubernetes.default.svc.cluster.local', id_token_signing_alg_values_supported: ['ES256'] });
    const jwks = JSON.parse((await get('/openid/v1/jwks', token)).body);
    const [h, b, s] = token.split('.');
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid;
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === kid);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(verify('sha256', Buffer.from(`${h}.${b}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))).toBe(true);
    expect((await get('/.well-known/openid-configuration')).status).toBe(403);
    expect((await get('/version')).status).toBe(200);
    expect((await get('/api', 'not-a-valid-token')).status).toBe(401);
  });
});
