// Control-plane benchmarks: create throughput vs a bare HTTPS echo server, list latency with 10k
// objects, watch event latency.
import * as k8s from '@kubernetes/client-node';
import { startControlPlane } from '../harness/controlplane/index.ts';
import { configMap, kubeConfigFor } from './clients.ts';
import { startEchoServer } from './echo-server.ts';
import { line, percentile, ratio, throughput } from './measure.ts';

const CREATES = 2000;
const CONCURRENCY = 16;
const LIST_OBJECTS = 10_000;
const WATCH_EVENTS = 500;

export async function benchControlPlane(): Promise<string[]> {
  const out: string[] = [];
  const echo = await startEchoServer();
  const cp = await startControlPlane({});
  try {
    const cpApi = kubeConfigFor(cp.url, cp.caPem, cp.adminToken).makeApiClient(k8s.CoreV1Api);
    const echoApi = kubeConfigFor(echo.url, echo.caPem, 'bench-token').makeApiClient(k8s.CoreV1Api);

    // Warm both paths (TLS sessions, JIT) before measuring.
    await throughput(200, CONCURRENCY, (i) => echoApi.createNamespacedConfigMap({ namespace: 'default', body: configMap(`warm-${i}`) }));
    await throughput(200, CONCURRENCY, (i) => cpApi.createNamespacedConfigMap({ namespace: 'default', body: configMap(`warm-${i}`) }));

    const echoRate = await throughput(CREATES, CONCURRENCY, (i) => echoApi.createNamespacedConfigMap({ namespace: 'default', body: configMap(`e-${i}`) }));
    const createRate = await throughput(CREATES, CONCURRENCY, (i) => cpApi.createNamespacedConfigMap({ namespace: 'default', body: configMap(`c-${i}`) }));
    out.push(line('controlplane-creates', createRate, 'creates/s'));
    out.push(line('echo-requests', echoRate, 'requests/s'));
    out.push(ratio('controlplane-create-vs-echo', createRate / echoRate));

    // The same with pooled keep-alive connections: no handshake per request, so the server's cost shows.
    const cpKeepAlive = kubeConfigFor(cp.url, cp.caPem, cp.adminToken, { keepAlive: true }).makeApiClient(k8s.CoreV1Api);
    const echoKeepAlive = kubeConfigFor(echo.url, echo.caPem, 'bench-token', { keepAlive: true }).makeApiClient(k8s.CoreV1Api);
    const echoKaRate = await throughput(CREATES, CONCURRENCY, (i) => echoKeepAlive.createNamespacedConfigMap({ namespace: 'default', body: configMap(`ek-${i}`) }));
    const createKaRate = await throughput(CREATES, CONCURRENCY, (i) => cpKeepAlive.createNamespacedConfigMap({ namespace: 'default', body: configMap(`ck-${i}`) }));
    out.push(line('controlplane-creates-keepalive', createKaRate, 'creates/s'));
    out.push(line('echo-requests-keepalive', echoKaRate, 'requests/s'));
    out.push(ratio('controlplane-create-vs-echo-keepalive', createKaRate / echoKaRate));

    await cpApi.createNamespace({ body: { metadata: { name: 'bench-list' } } });
    await throughput(LIST_OBJECTS, CONCURRENCY, (i) => cpApi.createNamespacedConfigMap({ namespace: 'bench-list', body: configMap(`l-${i}`) }));
    const listMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const list = await cpApi.listNamespacedConfigMap({ namespace: 'bench-list' });
      listMs.push(performance.now() - t0);
      // The namespace also holds the kube-root-ca.crt ConfigMap its ServiceAccount controller adds.
      const ours = list.items.filter((cm) => cm.metadata?.name?.startsWith('l-')).length;
      if (ours !== LIST_OBJECTS) throw new Error(`list returned ${ours} benchmark objects, expected ${LIST_OBJECTS}`);
    }
    listMs.sort((a, b) => a - b);
    out.push(line('list-10k-p50', percentile(listMs, 50), 'ms'));

    out.push(...(await watchLatency(cp.url, cp.caPem, cp.adminToken, cpApi)));
  } finally {
    await cp.stop();
    await echo.stop();
  }
  return out;
}

/** Time from sending a create to receiving its ADDED event on an open watch. */
async function watchLatency(url: string, caPem: string, token: string, api: k8s.CoreV1Api): Promise<string[]> {
  await api.createNamespace({ body: { metadata: { name: 'bench-watch' } } });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let resolveAll!: () => void;
  const allSeen = new Promise<void>((r) => (resolveAll = r));
  const watch = new k8s.Watch(kubeConfigFor(url, caPem, token));
  const ctl = await watch.watch('/api/v1/namespaces/bench-watch/configmaps', {}, (type, obj: k8s.V1ConfigMap) => {
    const t = sentAt.get(obj.metadata?.name ?? '');
    if (type === 'ADDED' && t !== undefined) {
      latencies.push(performance.now() - t);
      if (latencies.length === WATCH_EVENTS) resolveAll();
    }
  }, () => undefined);
  for (let i = 0; i < WATCH_EVENTS; i++) {
    const name = `w-${i}`;
    sentAt.set(name, performance.now());
    await api.createNamespacedConfigMap({ namespace: 'bench-watch', body: configMap(name) });
  }
  await Promise.race([allSeen, new Promise((_, rej) => setTimeout(() => rej(new Error(`saw ${latencies.length}/${WATCH_EVENTS} watch events`)), 30_000))]);
  ctl.abort();
  latencies.sort((a, b) => a - b);
  return [line('watch-event-latency-p50', percentile(latencies, 50), 'ms', 2), line('watch-event-latency-p99', percentile(latencies, 99), 'ms', 2)];
}
