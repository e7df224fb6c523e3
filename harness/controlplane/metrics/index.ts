// metrics.k8s.io/v1beta1 for the embedded API server (what metrics-server serves to `kubectl top`).
export * from './objects.ts';
export { serveMetrics, type MetricsRequest } from './serve.ts';
