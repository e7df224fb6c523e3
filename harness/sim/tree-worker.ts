// executeTree on a worker thread of its own: the simulated runners (their HTTP client, the runner
// Pod informer, the token reads) then run beside an embedded API server in the same process
// instead of on its thread, as real runner pods run beside a real API server. Same plan, same
// results; the kubeconfig travels as YAML.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadKubeConfig } from '../platform/kube.ts';
import { executeTree, type ExecuteOptions, type NodeResult, type PlannedNode } from './spawn-tree.ts';

export type WorkerTreeOptions = Omit<ExecuteOptions, 'adminKc' | 'mapUrl'> & { adminKubeconfig: string };

interface Job {
  kind: 'spawn-tree';
  plan: PlannedNode[];
  options: WorkerTreeOptions;
}

type Outcome = { ok: true; results: NodeResult[]; durationMs: number } | { ok: false; error: string };

export function executeTreeInWorker(plan: PlannedNode[], options: WorkerTreeOptions): Promise<{ results: NodeResult[]; durationMs: number }> {
  return new Promise((resolve, reject) => {
    // This module is the worker's entry too. Loader hooks registered by `--import tsx` do not reach
    // worker threads, so a TypeScript entry registers tsx itself first.
    const self = import.meta.url;
    const entry = self.endsWith('.ts') ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(self)}); });` : `import(${JSON.stringify(self)});`;
    const worker = new Worker(entry, { eval: true, workerData: { kind: 'spawn-tree', plan, options } satisfies Job });
    let settled = false;
    worker.once('message', (m: Outcome) => {
      settled = true;
      // Done: pooled sockets and stopped informers need not wind down on their own.
      void worker.terminate();
      if (m.ok) resolve({ results: m.results, durationMs: m.durationMs });
      else reject(new Error(m.error));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`spawn-tree worker exited with code ${code} before it answered`));
    });
  });
}

if (!isMainThread && (workerData as Job | undefined)?.kind === 'spawn-tree') {
  const { plan, options } = workerData as Job;
  const { adminKubeconfig, ...rest } = options;
  executeTree(plan, { ...rest, adminKc: loadKubeConfig({ yaml: adminKubeconfig }) }).then(
    (r) => parentPort!.postMessage({ ok: true, results: r.results, durationMs: r.durationMs } satisfies Outcome),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Outcome),
  );
}
