// The Kubernetes calls the reference backend and operator make, over KubeHttp. Method names and
// parameter objects are client-node's (so handlers read like client-node code); bodies and results
// are the wire JSON, typed with client-node's model interfaces.
import type {
  AuthenticationV1TokenRequest,
  V1Namespace,
  V1NamespaceList,
  V1Pod,
  V1PodList,
  V1Role,
  V1RoleBinding,
  V1SelfSubjectAccessReview,
  V1SelfSubjectReview,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1Status,
  V1TokenReview,
} from '@kubernetes/client-node';
import type { KubeHttp } from './kube-http.ts';

type Ns = { namespace: string };
type Named = Ns & { name: string };
type Crd = { group: string; version: string; plural: string };
type ListQuery = { labelSelector?: string; fieldSelector?: string; limit?: number; _continue?: string; resourceVersion?: string };

const enc = encodeURIComponent;
const coreNs = (p: Ns) => `/api/v1/namespaces/${enc(p.namespace)}`;
const listQuery = (q: ListQuery) => ({ labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, limit: q.limit, continue: q._continue, resourceVersion: q.resourceVersion });

/** The content type of a JSON merge patch (what client-node's PatchStrategy.MergePatch names). */
export const MERGE_PATCH = 'application/merge-patch+json';

export class CoreApi {
  constructor(private readonly h: KubeHttp) {}
  createNamespace = (p: { body: V1Namespace }) => this.h.request<V1Namespace>('POST', '/api/v1/namespaces', { body: p.body });
  deleteNamespace = (p: { name: string }) => this.h.request<V1Status>('DELETE', `/api/v1/namespaces/${enc(p.name)}`);
  listNamespace = (p: ListQuery = {}) => this.h.request<V1NamespaceList>('GET', '/api/v1/namespaces', { query: listQuery(p) });
  readNamespacedSecret = (p: Named) => this.h.request<V1Secret>('GET', `${coreNs(p)}/secrets/${enc(p.name)}`);
  createNamespacedSecret = (p: Ns & { body: V1Secret }) => this.h.request<V1Secret>('POST', `${coreNs(p)}/secrets`, { body: p.body });
  replaceNamespacedSecret = (p: Named & { body: V1Secret }) => this.h.request<V1Secret>('PUT', `${coreNs(p)}/secrets/${enc(p.name)}`, { body: p.body });
  deleteNamespacedSecret = (p: Named) => this.h.request<V1Status>('DELETE', `${coreNs(p)}/secrets/${enc(p.name)}`);
  readNamespacedServiceAccount = (p: Named) => this.h.request<V1ServiceAccount>('GET', `${coreNs(p)}/serviceaccounts/${enc(p.name)}`);
  createNamespacedServiceAccount = (p: Ns & { body: V1ServiceAccount }) => this.h.request<V1ServiceAccount>('POST', `${coreNs(p)}/serviceaccounts`, { body: p.body });
  createNamespacedServiceAccountToken = (p: Named & { body: AuthenticationV1TokenRequest }) =>
    this.h.request<AuthenticationV1TokenRequest>('POST', `${coreNs(p)}/serviceaccounts/${enc(p.name)}/token`, { body: p.body });
  readNamespacedPod = (p: Named) => this.h.request<V1Pod>('GET', `${coreNs(p)}/pods/${enc(p.name)}`);
  createNamespacedPod = (p: Ns & { body: V1Pod }) => this.h.request<V1Pod>('POST', `${coreNs(p)}/pods`, { body: p.body });
  deleteNamespacedPod = (p: Named) => this.h.request<V1Pod>('DELETE', `${coreNs(p)}/pods/${enc(p.name)}`);
  listPodForAllNamespaces = (p: ListQuery = {}) => this.h.request<V1PodList>('GET', '/api/v1/pods', { query: listQuery(p) });
  createNamespacedService = (p: Ns & { body: V1Service }) => this.h.request<V1Service>('POST', `${coreNs(p)}/services`, { body: p.body });
  deleteNamespacedService = (p: Named) => this.h.request<V1Service>('DELETE', `${coreNs(p)}/services/${enc(p.name)}`);
}

export class CustomObjectsApi {
  constructor(private readonly h: KubeHttp) {}
  private path = (p: Crd & { namespace?: string; name?: string }, sub = '') =>
    `/apis/${enc(p.group)}/${enc(p.version)}${p.namespace !== undefined ? `/namespaces/${enc(p.namespace)}` : ''}/${enc(p.plural)}${p.name !== undefined ? `/${enc(p.name)}` : ''}${sub}`;
  listClusterCustomObject = (p: Crd & ListQuery) => this.h.request<any>('GET', this.path(p), { query: listQuery(p) });
  listNamespacedCustomObject = (p: Crd & Ns & ListQuery) => this.h.request<any>('GET', this.path(p), { query: listQuery(p) });
  getNamespacedCustomObject = (p: Crd & Named) => this.h.request<any>('GET', this.path(p));
  createNamespacedCustomObject = (p: Crd & Ns & { body: object }) => this.h.request<any>('POST', this.path(p), { body: p.body });
  deleteNamespacedCustomObject = (p: Crd & Named) => this.h.request<any>('DELETE', this.path(p));
  /** `contentType`: MERGE_PATCH, or application/json-patch+json. */
  patchNamespacedCustomObject = (p: Crd & Named & { body: object }, contentType: string) => this.h.request<any>('PATCH', this.path(p), { body: p.body, contentType });
  replaceNamespacedCustomObjectStatus = (p: Crd & Named & { body: object }) => this.h.request<any>('PUT', this.path(p, '/status'), { body: p.body });
}

export class AuthenticationApi {
  constructor(private readonly h: KubeHttp) {}
  createTokenReview = (p: { body: V1TokenReview }) => this.h.request<V1TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: p.body });
  createSelfSubjectReview = (p: { body: V1SelfSubjectReview }) => this.h.request<V1SelfSubjectReview>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: p.body });
}

export class AuthorizationApi {
  constructor(private readonly h: KubeHttp) {}
  createSelfSubjectAccessReview = (p: { body: V1SelfSubjectAccessReview }) =>
    this.h.request<V1SelfSubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: p.body });
}

export class RbacApi {
  constructor(private readonly h: KubeHttp) {}
  createNamespacedRole = (p: Ns & { body: V1Role }) => this.h.request<V1Role>('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${enc(p.namespace)}/roles`, { body: p.body });
  createNamespacedRoleBinding = (p: Ns & { body: V1RoleBinding }) =>
    this.h.request<V1RoleBinding>('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${enc(p.namespace)}/rolebindings`, { body: p.body });
}
