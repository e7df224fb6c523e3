// What a platform checkout's own manifests say its backend and operator need, read from the
// rendered kustomize overlay (never a copy frozen at one commit): the CRDs, the RBAC of their
// ServiceAccounts, and for each program its Deployment's literal env, args, mounted ConfigMap
// files and memory limit — everything a pod would give it, so the harness can give it the same
// outside a cluster.
import path from 'node:path';
import { ConfigError } from '../../errors.ts';
import { BACKEND_DEPLOYMENT, OPERATOR_DEPLOYMENT } from '../contract.ts';
import { renderOverlay, type Manifest } from '../deploy.ts';
import type { PlatformComponent } from './build.ts';

/** A file a pod would see through a ConfigMap volume. */
export interface MountedFile {
  /** Absolute path inside the pod, e.g. /config/models/models.json. */
  podPath: string;
  content: string;
}

export interface ProgramManifest {
  component: PlatformComponent;
  deployment: string;
  namespace: string;
  serviceAccount: string;
  /** Literal `value:` env of the container, and fieldRef metadata.namespace resolved. */
  env: Record<string, string>;
  /** valueFrom Secret/ConfigMap references left unset (optional third-party settings). */
  unsetEnv: string[];
  args: string[];
  /** Mount paths of the container's volumes (ConfigMap, PVC, emptyDir, Secret). */
  mountPaths: string[];
  files: MountedFile[];
  /** resources.limits.memory as written ("512Mi"). */
  memoryLimit?: string;
}

export interface PlatformManifests {
  platformDir: string;
  overlay: string;
  /** Namespace of the backend and operator Deployments. */
  namespace: string;
  crds: Manifest[];
  /** ClusterRoles and Roles, and the ServiceAccounts and bindings of the backend's and operator's ServiceAccounts. */
  rbac: Manifest[];
  programs: Record<PlatformComponent, ProgramManifest>;
}

type Container = {
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
  resources?: { limits?: { memory?: string } };
};
type Volume = { name: string; configMap?: { name: string; items?: Array<{ key: string; path: string }> } };

const RBAC_ROLES = new Set(['ClusterRole', 'Role']);
const RBAC_BINDINGS = new Set(['ClusterRoleBinding', 'RoleBinding']);

function programOf(all: Manifest[], component: PlatformComponent, deploymentName: string, where: string): ProgramManifest {
  const d = all.find((m) => m.kind === 'Deployment' && m.metadata.name === deploymentName);
  if (!d) throw new ConfigError(`${where} has no Deployment ${deploymentName} (the ${component}); is it a platform checkout?`);
  const namespace = d.metadata.namespace ?? 'default';
  const pod = (d.spec as { template?: { spec?: { serviceAccountName?: string; containers?: Container[]; volumes?: Volume[] } } }).template?.spec ?? {};
  const c = pod.containers?.[0] ?? {};
  const env: Record<string, string> = {};
  const unsetEnv: string[] = [];
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = namespace;
    else unsetEnv.push(e.name);
  }
  const files: MountedFile[] = [];
  for (const m of c.volumeMounts ?? []) {
    const vol = pod.volumes?.find((v) => v.name === m.name);
    if (!vol?.configMap) continue;
    const cm = all.find((x) => x.kind === 'ConfigMap' && x.metadata.name === vol.configMap!.name && (x.metadata.namespace ?? namespace) === namespace);
    const data = (cm?.data ?? {}) as Record<string, string>;
    const items = vol.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const it of items) {
      if (data[it.key] === undefined) continue;
      if (m.subPath) {
        if (m.subPath === it.path) files.push({ podPath: m.mountPath, content: data[it.key] });
      } else files.push({ podPath: path.posix.join(m.mountPath, it.path), content: data[it.key] });
    }
  }
  return {
    component,
    deployment: deploymentName,
    namespace,
    serviceAccount: pod.serviceAccountName ?? 'default',
    env,
    unsetEnv,
    args: c.args ?? [],
    mountPaths: (c.volumeMounts ?? []).map((m) => m.mountPath),
    files,
    memoryLimit: c.resources?.limits?.memory,
  };
}

/** The RBAC the two programs run under: every role, plus their ServiceAccounts and what binds them. */
function rbacFor(all: Manifest[], programs: ProgramManifest[]): Manifest[] {
  const sas = new Set(programs.map((p) => `${p.namespace}/${p.serviceAccount}`));
  const bindsOurs = (m: Manifest) =>
    ((m as { subjects?: Array<{ kind: string; name: string; namespace?: string }> }).subjects ?? []).some(
      (s) => s.kind === 'ServiceAccount' && sas.has(`${s.namespace ?? m.metadata.namespace ?? ''}/${s.name}`),
    );
  return all.filter(
    (m) => RBAC_ROLES.has(m.kind) || (RBAC_BINDINGS.has(m.kind) && bindsOurs(m)) || (m.kind === 'ServiceAccount' && sas.has(`${m.metadata.namespace}/${m.metadata.name}`)),
  );
}

/** Manifests already rendered (tests, or a caller that rendered the overlay for its own use). */
export function platformManifestsFrom(all: Manifest[], platformDir: string, overlay: string): PlatformManifests {
  const where = `overlay ${overlay} of ${platformDir}`;
  const backend = programOf(all, 'backend', BACKEND_DEPLOYMENT, where);
  const operator = programOf(all, 'operator', OPERATOR_DEPLOYMENT, where);
  return {
    platformDir,
    overlay,
    namespace: backend.namespace,
    crds: all.filter((m) => m.kind === 'CustomResourceDefinition'),
    rbac: rbacFor(all, [backend, operator]),
    programs: { backend, operator },
  };
}

/** `kubectl kustomize` of the checkout's overlay (offline), then read as above. */
export async function readPlatformManifests(platformDir: string, overlay: string): Promise<PlatformManifests> {
  return platformManifestsFrom(await renderOverlay(platformDir, overlay), platformDir, overlay);
}
