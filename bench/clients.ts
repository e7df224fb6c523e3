// client-node clients for a server URL + CA + bearer token: the same construction for the control
// plane and the echo baseline, so the ratio compares servers, not client set-ups.
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';

/**
 * `keepAlive: false` is client-node 1.4 as shipped: a new https.Agent, so a new TLS handshake, per
 * request. `keepAlive: true` shares one pooled agent (as client-go does), which exposes the
 * server's own per-request cost instead of the handshake's.
 */
export function kubeConfigFor(url: string, caPem: string, token: string, opts: { keepAlive?: boolean } = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: url, caData: Buffer.from(caPem).toString('base64') }],
    users: [{ name: 'bench', token }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench', namespace: 'default' }],
    currentContext: 'bench',
  });
  if (opts.keepAlive) {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: caPem });
    // createAgent is private in client-node's typings; overriding it on the instance is the only seam.
    (kc as unknown as { createAgent: () => https.Agent }).createAgent = () => agent;
  }
  return kc;
}

export function configMap(name: string, data: Record<string, string> = { k: 'v' }): k8s.V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}
