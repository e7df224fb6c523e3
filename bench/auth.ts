// Identity benchmarks: TokenReview/s and SelfSubjectAccessReview/s through client-node, with a real
// ServiceAccount token (so each review verifies a JWT and looks the SA up) and real RBAC.
import * as k8s from '@kubernetes/client-node';
import { startControlPlane } from '../harness/controlplane/index.ts';
import { kubeConfigFor } from './clients.ts';
import { line, throughput } from './measure.ts';

const REVIEWS = 2000;
const CONCURRENCY = 16;

export async function benchAuth(): Promise<string[]> {
  const cp = await startControlPlane({});
  try {
    const admin = kubeConfigFor(cp.url, cp.caPem, cp.adminToken);
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
    await core.createNamespace({ body: { metadata: { name: 'bench-auth' } } });
    await core.createNamespacedServiceAccount({ namespace: 'bench-auth', body: { metadata: { name: 'runner' } } });
    await rbac.createNamespacedRoleBinding({
      namespace: 'bench-auth',
      body: {
        metadata: { name: 'runner-edit' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
        subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: 'bench-auth' }],
      },
    });
    const tokenRequest = await core.createNamespacedServiceAccountToken({ namespace: 'bench-auth', name: 'runner', body: { spec: { audiences: [] } } });
    const saToken = tokenRequest.status?.token;
    if (!saToken) throw new Error('TokenRequest returned no token');

    const authn = admin.makeApiClient(k8s.AuthenticationV1Api);
    let unauthenticated = 0;
    const reviewRate = await throughput(REVIEWS, CONCURRENCY, async () => {
      const r = await authn.createTokenReview({ body: { spec: { token: saToken } } });
      if (!r.status?.authenticated) unauthenticated++;
    });
    if (unauthenticated > 0) throw new Error(`${unauthenticated} TokenReviews did not authenticate the SA token`);

    const authz = kubeConfigFor(cp.url, cp.caPem, saToken).makeApiClient(k8s.AuthorizationV1Api);
    let denied = 0;
    const ssarRate = await throughput(REVIEWS, CONCURRENCY, async (i) => {
      const r = await authz.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace: 'bench-auth', verb: i % 2 ? 'list' : 'create', resource: 'configmaps' } } },
      });
      if (!r.status?.allowed) denied++;
    });
    if (denied > 0) throw new Error(`${denied} SSARs were denied for an SA bound to edit`);
    return [line('tokenreviews', reviewRate, 'reviews/s'), line('selfsubjectaccessreviews', ssarRate, 'reviews/s')];
  } finally {
    await cp.stop();
  }
}
