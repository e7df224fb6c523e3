// Thin helpers over @kubernetes/client-node used by the harness, the sim and the reference platform:
// loading a kubeconfig (with a pooled keep-alive agent), kubeconfig YAML for a token, and mapping
// API error codes (client-node's ApiException and the reference platform's KubeApiError alike).
import https from 'node:https';
import { ApiException, KubeConfig } from '@kubernetes/client-node';

/**
 * client-node 1.x builds a new https.Agent per request (a full TLS handshake each time). Go's
 * client-go reuses one transport per config; this shares one keep-alive agent per cluster+CA so
 * the reference platform's connection behaviour (and cost) is closer to the real binaries.
 */
const agents = new Map<string, https.Agent>();
function sharedAgent(kc: KubeConfig): https.Agent {
  const cluster = kc.getCurrentCluster();
  const key = `${cluster?.server}|${cluster?.caData ?? cluster?.caFile ?? ''}|${cluster?.skipTLSVerify ?? false}`;
  let agent = agents.get(key);
  if (!agent) {
    const ca = cluster?.caData ? Buffer.from(cluster.caData, 'base64') : undefined;
    // timeout < the server's keep-alive timeout (Node's default 5 s): idle pooled sockets are
    // dropped by us first, so a request never lands on a socket the server is closing.
    agent = new https.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000, ca, rejectUnauthorized: !cluster?.skipTLSVerify });
    agents.set(key, agent);
  }
  return agent;
}

/** Only for kubeconfigs whose user is a bearer token (no client certs): reuse a pooled agent. */
function withSharedAgent(kc: KubeConfig): KubeConfig {
  const user = kc.getCurrentUser();
  if (user && !user.certData && !user.certFile && !user.keyData && !user.keyFile && !kc.getCurrentCluster()?.caFile) {
    // createAgent is private in the typings; overriding it on the instance is the only seam.
    (kc as unknown as { createAgent: () => https.Agent }).createAgent = () => sharedAgent(kc);
  }
  return kc;
}

export function loadKubeConfig(source: { file?: string; yaml?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (source.yaml) kc.loadFromString(source.yaml);
  else if (source.file) kc.loadFromFile(source.file);
  else kc.loadFromDefault();
  return withSharedAgent(kc);
}

/** Builds kubeconfig YAML for a bearer token against the cluster of `base` (for child processes). */
export function kubeconfigYamlForToken(base: KubeConfig, token: string, user = 'caller'): string {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'target' }],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: 'target', user }],
    currentContext: user,
  });
  return kc.exportConfig();
}

export function apiCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const c = (err as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

export const isNotFound = (err: unknown) => apiCode(err) === 404;
export const isConflict = (err: unknown) => apiCode(err) === 409;
export const isUnauthorized = (err: unknown) => apiCode(err) === 401;

/** Short, token-free description of an API error for logs. */
export function describeError(err: unknown): string {
  const code = apiCode(err);
  if (err instanceof ApiException) {
    let msg = '';
    try {
      msg = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body)?.message ?? '';
    } catch {
      msg = String(err.body).slice(0, 200);
    }
    return `HTTP ${code}${msg ? `: ${msg}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
