// client-node clients for a server URL + CA + bearer token: the same construction for the control
// plane and the echo baseline, so the ratio compares servers, not client set-ups.
import * as k8s from '@kubernetes/client-node';

export function kubeConfigFor(url: string, caPem: string, token: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: url, caData: Buffer.from(caPem).toString('base64') }],
    users: [{ name: 'bench', token }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench', namespace: 'default' }],
    currentContext: 'bench',
  });
  return kc;
}

export function configMap(name: string, data: Record<string, string> = { k: 'v' }): k8s.V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}
