// Renders a kubeconfig for the embedded API server: the cluster with its CA, one token user,
// and a context (with a default namespace) that is current.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  user: string;
  token: string;
  namespace?: string;
  clusterName?: string;
}

export function renderKubeconfig(i: KubeconfigInput): string {
  const cluster = i.clusterName ?? 'ambient-harness';
  const context = `${i.user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: i.server, 'certificate-authority-data': Buffer.from(i.caPem).toString('base64') } }],
    users: [{ name: i.user, user: { token: i.token } }],
    contexts: [{ name: context, context: { cluster, user: i.user, namespace: i.namespace ?? 'default' } }],
    'current-context': context,
    preferences: {},
  });
}
