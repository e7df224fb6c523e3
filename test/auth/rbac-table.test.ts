// The RBAC allow/deny table over HTTPS: every case is a SubjectAccessReview sent with
// @kubernetes/client-node as the admin; setup objects go in through the API like a user's would.
// Also measures SubjectAccessReviews per second (bounded burst).
import { Agent, request } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubeConfigFor, waitFor } from './helpers.ts';
import { platformRoles, rbacCases, tableObjects, type RbacCase } from './rbac-cases.ts';

let cp: ControlPlane;
let authz: k8s.AuthorizationV1Api;
const platform = platformRoles();
const cases = rbacCases.filter((c) => platform || !c.platform);

function sarBody(c: RbacCase): k8s.V1SubjectAccessReview {
  const spec: k8s.V1SubjectAccessReviewSpec = { user: c.who.username, groups: c.who.groups };
  if ('resource' in c.attrs) {
    const a = c.attrs;
    spec.resourceAttributes = { verb: a.verb, group: a.group, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name };
  } else spec.nonResourceAttributes = { verb: c.attrs.verb, path: c.attrs.path };
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec };
}

beforeAll(async () => {
  cp = await startControlPlane();
  const kc = kubeConfigFor(cp, { user: 'admin' });
  authz = kc.makeApiClient(k8s.AuthorizationV1Api);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const o of [...tableObjects(), ...(platform ?? [])]) await objects.create(o as k8s.KubernetesObject);
  // admin must have aggregated edit, view and (with the platform) agenticsessions.
  await waitFor(async () => {
    const r = await authz.createSubjectAccessReview({ body: sarBody(cases.find((c) => c.why === 'admin aggregates view')!) });
    return r.status?.allowed;
  }, 'aggregation into admin');
}, 60_000);
afterAll(async () => cp?.stop());

describe('RBAC table via SubjectAccessReview', () => {
  it(`covers at least 50 cases (${cases.length}${platform ? ', platform roles included' : ', platform roles absent'})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases.map((c, i) => [i, `${c.who.username} ${JSON.stringify(c.attrs)} → ${c.allowed} (${c.why})`, c] as const))('#%i %s', async (_i, _t, c) => {
    const r = await authz.createSubjectAccessReview({ body: sarBody(c) });
    expect(r.status!.allowed).toBe(c.allowed);
  });

  it('allowed answers name the binding', async () => {
    const r = await authz.createSubjectAccessReview({ body: sarBody(rbacCases.find((c) => c.why === 'named secret')!) });
    expect(r.status!.reason).toBe('RBAC: allowed by RoleBinding "gina-app-config/proj" of Role "app-config-reader" to User "gina"');
  });

  it('LocalSubjectAccessReview must match its namespace; SAR needs a user or group', async () => {
    const ok = await authz.createNamespacedLocalSubjectAccessReview({
      namespace: 'proj',
      body: { spec: { user: 'carol', resourceAttributes: { namespace: 'proj', verb: 'list', resource: 'pods' } } },
    });
    expect(ok.status!.allowed).toBe(true);
    const mismatch = await authz
      .createNamespacedLocalSubjectAccessReview({ namespace: 'proj', body: { spec: { user: 'carol', resourceAttributes: { namespace: 'other', verb: 'list', resource: 'pods' } } } })
      .then(() => 200, (e: k8s.ApiException<unknown>) => e.code);
    expect(mismatch).toBe(400);
    const noUser = await authz.createSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } } }).then(() => 200, (e: k8s.ApiException<unknown>) => e.code);
    expect(noUser).toBe(422);
  });

  it('sustains SubjectAccessReviews (bounded burst of 1000, 8 in flight, keep-alive HTTPS)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: cp.caPem });
    const post = (body: string) =>
      new Promise<{ status: number; allowed: boolean }>((resolve, reject) => {
        const req = request(new URL('/apis/authorization.k8s.io/v1/subjectaccessreviews', cp.url), {
          method: 'POST',
          agent,
          headers: { Authorization: `Bearer ${cp.adminToken}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, allowed: JSON.parse(text).status?.allowed === true }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const bodies = cases.map((c) => JSON.stringify(sarBody(c)));
    const total = 1000;
    let next = 0;
    let wrong = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < total) {
          const i = next++ % cases.length;
          const r = await post(bodies[i]);
          if (r.status !== 201 || r.allowed !== cases[i].allowed) wrong++;
        }
      }),
    );
    const perSecond = total / ((performance.now() - started) / 1000);
    agent.destroy();
    console.log(`SubjectAccessReview throughput: ${perSecond.toFixed(0)}/s over keep-alive HTTPS (8 concurrent)`);
    expect(wrong).toBe(0);
    expect(perSecond).toBeGreaterThan(10); // sanity floor only: the number is reported, the machine is shared
  }, 30_000);
});
