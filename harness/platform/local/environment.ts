// The environment of a platform program outside a cluster: what its pod would give it, made local.
// - In-cluster discovery variables (KUBERNETES_SERVICE_*, KUBERNETES_PORT*) are removed, so
//   client-go's InClusterConfig fails and the program falls back to KUBECONFIG (the harness's
//   ServiceAccount kubeconfig) even when the harness itself runs in a pod.
// - The Deployment's literal env and args are kept; paths under its volume mounts are moved into
//   the run's work dir, the ConfigMap files it mounts (models, agent registry, flags) are written
//   there, and the variables that relocate compiled-in paths point at them.
// - Ports on 127.0.0.1 chosen per run, an OTLP collector and an egress guard on loopback.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MOUNTED_FILE_ENV } from '../contract.ts';
import type { ProgramManifest } from './checkout.ts';

/** Variables a pod gets from the kubelet that make client-go pick its in-cluster config. */
export function isInClusterVariable(name: string): boolean {
  return name.startsWith('KUBERNETES_SERVICE_') || name === 'KUBERNETES_PORT' || name.startsWith('KUBERNETES_PORT_');
}

/** The harness's own environment without in-cluster discovery variables. */
export function outsideClusterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!isInClusterVariable(k)) out[k] = v;
  return out;
}

/** Where a pod path lands under `mountRoot` (/config/models → <mountRoot>/config/models). */
export function localPathOf(podPath: string, mountRoot: string): string {
  return path.join(mountRoot, ...podPath.split('/').filter(Boolean));
}

/**
 * Creates every volume mount of the program under `mountRoot` (ConfigMap files written, other
 * volumes empty dirs, like a fresh PVC or emptyDir) and returns the Deployment's literal env with
 * mount paths rewritten, plus the relocation variables for the files that exist.
 */
export function materializeMounts(m: ProgramManifest, mountRoot: string): Record<string, string> {
  for (const p of m.mountPaths) mkdirSync(localPathOf(p, mountRoot), { recursive: true });
  const written = new Set<string>();
  for (const f of m.files) {
    const local = localPathOf(f.podPath, mountRoot);
    mkdirSync(path.dirname(local), { recursive: true });
    writeFileSync(local, f.content);
    written.add(f.podPath);
  }
  const underMount = (value: string) => m.mountPaths.find((mp) => value === mp || value.startsWith(mp.endsWith('/') ? mp : `${mp}/`));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.env)) env[k] = underMount(v) ? localPathOf(v, mountRoot) : v;
  for (const [k, podPath] of Object.entries(MOUNTED_FILE_ENV)) if (written.has(podPath)) env[k] = localPathOf(podPath, mountRoot);
  return env;
}

/** Proxy settings that send every outbound HTTP(S) call to the egress guard, the API server excepted. */
export function egressEnv(guardUrl: string, apiServerHost: string): Record<string, string> {
  // Go never proxies loopback; NO_PROXY covers an API server elsewhere (an existing cluster).
  const noProxy = ['127.0.0.1', 'localhost', '::1', apiServerHost].filter(Boolean).join(',');
  return { HTTP_PROXY: guardUrl, HTTPS_PROXY: guardUrl, http_proxy: guardUrl, https_proxy: guardUrl, NO_PROXY: noProxy, no_proxy: noProxy };
}

/**
 * Flags a Go program given on the Deployment, with the bind addresses moved to loopback ports of
 * this run appended (Go's flag package keeps the last value of a repeated flag).
 */
export function operatorArgs(deploymentArgs: string[], healthPort: number, metricsPort: number): string[] {
  return [...deploymentArgs, `--health-probe-bind-address=127.0.0.1:${healthPort}`, `--metrics-bind-address=127.0.0.1:${metricsPort}`];
}
