// startControlPlane: the embedded Kubernetes API server (registry + HTTPS front + controllers),
// wired with the catalog, patch, CRD, protobuf, printer, discovery, auth and controller modules.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Authenticator, Authorizer, Controller, ExtraRoute, FaultInjector, InternalClient, KubeObject, VirtualCreateHandler } from './types.ts';
import { ApiError } from './types.ts';
import type { EngineModules } from './registry/modules.ts';
import * as catalog from './catalog/index.ts';
import * as patch from './patch/index.ts';
import * as crd from './crd/index.ts';
import * as protobuf from './protobuf/index.ts';
import * as printers from './printers/index.ts';
import * as discovery from './discovery/index.ts';
import * as metrics from './metrics/index.ts';
import { createAuth } from './auth/index.ts';
import type { SigningAlg } from './auth/jwt.ts';
import { defaultControllers, type ControllerOptions } from './controllers/index.ts';
import { ObjectRegistry } from './registry/registry.ts';
import { startApiServer, type RequestLogEntry } from './server/server.ts';
import { makeServingCert } from './server/tls.ts';
import { renderKubeconfig } from './kubeconfig.ts';

export interface ControlPlaneOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Reported by /version; the kubectl dispatcher picks kubectl.1.<minor> from it. Default "1.33". */
  kubernetesVersion?: string;
  authenticator?: Authenticator;
  authorizer?: Authorizer;
  virtualHandlers?: VirtualCreateHandler[];
  extraRoutes?: ExtraRoute[];
  /** Controllers to run (replacing all defaults); default: the auth module's plus the controllers module's. */
  controllers?: Controller[];
  faults?: FaultInjector;
  /**
   * Service-account token signing: ES256 (default; signing is ~10x cheaper than RSA, which counts
   * at one TokenRequest per session) or RS256 (kube-apiserver's usual RSA key). Tokens are opaque
   * to their holders; both are verified the same way.
   */
  serviceAccountSigningAlg?: SigningAlg;
  /**
   * TLS and HTTP on a worker thread beside the API (default true): on two cores the API thread is
   * the bottleneck of big trees, and close to half its time went to HTTPS. false keeps both on one.
   */
  frontWorker?: boolean;
  /** Extra static token users (for RBAC tests), passed to the auth module. */
  users?: { name: string; token?: string; groups?: string[] }[];
  /** Watch replay buffer size (events). */
  eventBuffer?: number;
  bookmarkIntervalMs?: number;
  /** Options for metrics.k8s.io (e.g. `usageSource`, `now`), handed to the metrics module. */
  metricsOptions?: Record<string, unknown>;
  /** Options handed to the controllers module's defaultControllers(). */
  controllerOptions?: ControllerOptions;
}

export interface ControlPlane {
  url: string;
  caPem: string;
  adminToken: string;
  kubeconfig(user?: string, namespace?: string): string;
  writeKubeconfig(path: string, user?: string): Promise<void>;
  client: InternalClient;
  requestLog: RequestLogEntry[];
  /** Sibling modules that were not available (name → why); always empty now that all are wired statically. */
  missingModules: Record<string, string>;
  /** Fault/test hooks: end every open watch; forget watch history (next old-RV watch gets 410). */
  debug: { dropWatches(): number; compact(): void };
  stop(): Promise<void>;
}

function gvrOf(obj: KubeObject, registry: ObjectRegistry) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const rt = registry.resourceTypes().find((t) => t.group === group && t.version === version && t.kind === obj.kind);
  return rt ? { group, version, resource: rt.resource } : undefined;
}

const MODULES: EngineModules = { catalog, patch, crd, protobuf, printers, discovery, metrics };

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const modules = MODULES;
  const registry = new ObjectRegistry({
    builtins: catalog.builtinResourceTypes(),
    patch,
    crd,
    eventBuffer: opts.eventBuffer,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
  });
  const tls = await makeServingCert();
  const adminToken = randomBytes(32).toString('base64url');
  const users = new Map<string, string>([['admin', adminToken]]);

  // Identity and access: the auth module (tokens, RBAC, reviews, OIDC) unless both parts are given.
  let authenticator = opts.authenticator;
  let authorizer = opts.authorizer;
  const virtualHandlers = [...(opts.virtualHandlers ?? [])];
  const extraRoutes = [...(opts.extraRoutes ?? [])];
  const controllers: Controller[] = [];
  if (!authenticator || !authorizer) {
    const a = createAuth(registry, { adminToken, caPem: tls.certPem, users: opts.users, signingAlg: opts.serviceAccountSigningAlg });
    authenticator ??= a.authenticator;
    authorizer ??= a.authorizer;
    virtualHandlers.push(...a.virtualHandlers.filter((h) => !virtualHandlers.some((v) => v.key === h.key)));
    extraRoutes.push(...a.extraRoutes);
    controllers.push(...a.controllers);
    for (const u of a.staticUsers) users.set(u.name, u.token);
    // RBAC escalation prevention: creating/updating a role or binding needs its permissions (or escalate/bind).
    registry.addAdmission((rt, obj, ctx) => {
      if (rt.group === 'rbac.authorization.k8s.io') a.checkEscalation(ctx.user, obj);
    });
    for (const obj of a.bootstrapObjects()) {
      const gvr = gvrOf(obj, registry);
      if (!gvr) continue;
      try {
        registry.create(gvr, obj.metadata.namespace, obj);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    }
  }
  if (opts.controllers) controllers.splice(0, controllers.length, ...opts.controllers);
  else controllers.push(...defaultControllers(opts.controllerOptions ?? {}));

  const server = await startApiServer({
    registry, modules, authenticator, authorizer, virtualHandlers, extraRoutes,
    faults: opts.faults, metricsOptions: opts.metricsOptions, kubernetesVersion: opts.kubernetesVersion ?? '1.33', tls, port: opts.port, frontWorker: opts.frontWorker,
  });
  for (const c of controllers) c.start(registry);

  const kubeconfig = (user = 'admin', namespace = 'default'): string => {
    const token = users.get(user);
    if (!token) throw new Error(`no such user for kubeconfig: ${user}`);
    return renderKubeconfig({ server: server.url, caPem: tls.certPem, user, token, namespace });
  };
  let stopped = false;
  return {
    url: server.url,
    caPem: tls.certPem,
    adminToken,
    kubeconfig,
    async writeKubeconfig(path, user) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, kubeconfig(user), { mode: 0o600 });
    },
    client: registry,
    requestLog: server.requestLog,
    missingModules: {},
    debug: { dropWatches: () => server.dropWatches(), compact: () => registry.store.compact() },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of controllers) {
        try {
          c.stop();
        } catch {
          // keep stopping the others
        }
      }
      await server.close();
    },
  };
}

export type { RequestLogEntry };
