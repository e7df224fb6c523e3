// Process entry of the reference operator: `node --import tsx harness/platform/reference/operator-main.ts`
// with KUBECONFIG (operator SA), NAMESPACE (backend namespace, default ambient-code),
// AMBIENT_PROFILE, MAX_CONCURRENT_RECONCILES (default 10), HEALTH_PROBE_PORT (default 0 = any).
// Serves /healthz, /readyz and /metrics (process RSS, reconcile counters) on 127.0.0.1 so the
// harness can measure it like a pod; prints the URL on stdout.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadKubeConfig } from '../kube.ts';
import { ReferenceOperator } from './operator.ts';
import { getProfile } from './profiles.ts';

export const OPERATOR_HEALTH_LINE = 'operator health endpoint listening on ';

function metricsText(op: ReferenceOperator): string {
  const mem = process.memoryUsage();
  const c = 'controller="agenticsession-controller"';
  return [
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${mem.rss}`,
    '# TYPE nodejs_heap_used_bytes gauge',
    `nodejs_heap_used_bytes ${mem.heapUsed}`,
    '# TYPE controller_runtime_reconcile_total counter',
    `controller_runtime_reconcile_total{${c},result="success"} ${op.metrics.reconcileTotal - op.metrics.reconcileErrors}`,
    `controller_runtime_reconcile_total{${c},result="error"} ${op.metrics.reconcileErrors}`,
    '# TYPE workqueue_depth gauge',
    `workqueue_depth{name="agenticsession-controller"} ${op.queueDepth}`,
    '# TYPE ambient_cached_sessions gauge',
    `ambient_cached_sessions ${op.cachedSessions}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const profile = getProfile(process.env.AMBIENT_PROFILE);
  const op = new ReferenceOperator({
    kubeConfig: loadKubeConfig({ file: process.env.KUBECONFIG }),
    profile,
    backendNamespace: process.env.NAMESPACE || 'ambient-code',
    maxConcurrentReconciles: Number(process.env.MAX_CONCURRENT_RECONCILES) || 10,
    debug: process.env.OPERATOR_DEBUG === '1',
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200).end('ok');
    if (path === '/readyz') return void res.writeHead(op.ready ? 200 : 503).end(op.ready ? 'ok' : 'informers not synced');
    if (path === '/metrics') return void res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(metricsText(op));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.HEALTH_PROBE_PORT) || 0, '127.0.0.1', () => resolve()));
  process.stdout.write(`${OPERATOR_HEALTH_LINE}http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  await op.start();
  process.stdout.write(`${new Date().toISOString()} reference operator (profile ${profile.name}) started\n`);
  const stop = () => void op.stop().finally(() => server.close(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`operator failed: ${(err as Error).message}\n`);
  process.exit(1);
});
