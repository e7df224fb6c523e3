// API clients bound to one identity (the backend SA's, the operator SA's, or one caller token's),
// created lazily so a request only pays for the APIs it uses. All share one keep-alive connection
// pool per cluster (kube-http.ts), as client-go shares one transport per config.
import type { KubeConfig } from '@kubernetes/client-node';
import { AuthenticationApi, AuthorizationApi, CoreApi, CustomObjectsApi, RbacApi } from './kube-apis.ts';
import { KubeHttp } from './kube-http.ts';

export class Clients {
  private _custom?: CustomObjectsApi;
  private _core?: CoreApi;
  private _authn?: AuthenticationApi;
  private _authz?: AuthorizationApi;
  private _rbac?: RbacApi;
  readonly http: KubeHttp;

  /** From a kubeconfig (its current cluster and user), or from an existing transport. */
  constructor(source: KubeConfig | KubeHttp) {
    this.http = source instanceof KubeHttp ? source : KubeHttp.fromKubeConfig(source);
  }

  /** Clients of the same cluster that authenticate with `token` only. */
  forToken(token: string): Clients {
    return new Clients(this.http.withToken(token));
  }

  get custom(): CustomObjectsApi {
    return (this._custom ??= new CustomObjectsApi(this.http));
  }
  get core(): CoreApi {
    return (this._core ??= new CoreApi(this.http));
  }
  get authn(): AuthenticationApi {
    return (this._authn ??= new AuthenticationApi(this.http));
  }
  get authz(): AuthorizationApi {
    return (this._authz ??= new AuthorizationApi(this.http));
  }
  get rbac(): RbacApi {
    return (this._rbac ??= new RbacApi(this.http));
  }
}
