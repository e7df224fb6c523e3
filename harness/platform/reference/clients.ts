// API clients bound to one kubeconfig (the backend SA's, or one caller token's), created lazily so
// a request only pays for the APIs it uses.
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';

export class Clients {
  private _custom?: CustomObjectsApi;
  private _core?: CoreV1Api;
  private _authn?: AuthenticationV1Api;
  private _authz?: AuthorizationV1Api;
  private _rbac?: RbacAuthorizationV1Api;

  constructor(readonly kc: KubeConfig) {}

  get custom(): CustomObjectsApi {
    return (this._custom ??= this.kc.makeApiClient(CustomObjectsApi));
  }
  get core(): CoreV1Api {
    return (this._core ??= this.kc.makeApiClient(CoreV1Api));
  }
  get authn(): AuthenticationV1Api {
    return (this._authn ??= this.kc.makeApiClient(AuthenticationV1Api));
  }
  get authz(): AuthorizationV1Api {
    return (this._authz ??= this.kc.makeApiClient(AuthorizationV1Api));
  }
  get rbac(): RbacAuthorizationV1Api {
    return (this._rbac ??= this.kc.makeApiClient(RbacAuthorizationV1Api));
  }
}
