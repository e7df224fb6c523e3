// GET/LIST of metrics.k8s.io/v1beta1 pods and nodes from the stored objects, with metrics-server's
// answers: namespace and label-selector filtering, 404 `podmetrics.metrics.k8s.io "<ns>/<name>" not found`.

import { ApiError, type InternalClient, type KubeObject } from '../types.ts';
import { metricsFor, metricsList, type MetricsOptions } from './objects.ts';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };

export interface MetricsRequest {
  resource: string;
  namespace?: string;
  /** Set for GET of one object; unset for LIST. */
  name?: string;
  labelSelector?: string;
}

/** The response body for a metrics.k8s.io request: one PodMetrics/NodeMetrics, or their list. */
export function serveMetrics(client: InternalClient, req: MetricsRequest, opts: MetricsOptions = {}): KubeObject {
  if (req.resource !== 'pods' && req.resource !== 'nodes') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  let items: KubeObject[];
  if (req.resource === 'pods') {
    items = metricsFor('pods', { pods: client.list(PODS, req.namespace, req.labelSelector) }, opts);
  } else {
    // Node usage sums all pods on the node, whatever the selector picks among nodes.
    items = metricsFor('nodes', { pods: client.list(PODS), nodes: client.list(NODES, undefined, req.labelSelector) }, opts);
  }
  if (req.name === undefined) return metricsList(req.resource, items);
  const found = items.find((m) => m.metadata.name === req.name);
  if (found) return found;
  const kind = req.resource === 'pods' ? 'podmetrics' : 'nodemetrics';
  const id = req.resource === 'pods' ? `${req.namespace ?? ''}/${req.name}` : req.name;
  throw new ApiError(404, 'NotFound', `${kind}.metrics.k8s.io "${id}" not found`, { name: id, group: 'metrics.k8s.io', kind });
}
