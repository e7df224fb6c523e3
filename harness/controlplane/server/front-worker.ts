// The HTTPS front end's worker thread: terminates TLS, parses HTTP, reads request bodies and
// writes responses, so the API server's own thread only runs the API. Requests and response parts
// cross the thread boundary in batches, one message per event-loop turn each way.
//
// frontWorkerMain runs in the worker from its source text (Worker `eval`), so it is self-contained:
// it requires what it uses and references nothing from this module.

/** What the main thread sends the worker at start (workerData). */
export interface FrontWorkerData {
  keyPem: string;
  certPem: string;
  port: number;
  host: string;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  /** Bodies longer than this are cut at limit + 1 bytes (the reader answers 413). */
  maxBodyBytes: number;
}

/** Worker → main. */
export type FrontUp =
  | { t: 'listening'; port: number }
  | { t: 'req'; id: number; method: string; url: string; headers: Record<string, string | string[] | undefined>; body?: Uint8Array }
  /** The client went away before the response ended. */
  | { t: 'gone'; id: number }
  | { t: 'closed' };

/** Main → worker. `end` may carry the head too (the usual whole response in one message). */
export type FrontDown =
  | { t: 'head'; id: number; status: number; headers: Record<string, unknown> }
  | { t: 'chunk'; id: number; data: string | Uint8Array }
  | { t: 'end'; id: number; status?: number; headers?: Record<string, unknown>; data?: string | Uint8Array }
  | { t: 'destroy'; id: number }
  | { t: 'close' };

export function frontWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const https = require('node:https') as typeof import('node:https');
  const d = workerData as FrontWorkerData;
  const port = parentPort!;
  const open = new Map<number, import('node:http').ServerResponse>();
  let nextId = 1;

  let outbox: FrontUp[] = [];
  const post = (m: FrontUp): void => {
    if (outbox.length === 0) setImmediate(flush);
    outbox.push(m);
  };
  function flush(): void {
    const batch = outbox;
    outbox = [];
    if (batch.length) port.postMessage(batch);
  }

  const server = https.createServer({ key: d.keyPem, cert: d.certPem }, (req, res) => {
    const id = nextId++;
    open.set(id, res);
    res.on('close', () => {
      if (open.delete(id)) post({ t: 'gone', id });
    });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size > d.maxBodyBytes) return; // drained, not kept
      size += c.length;
      chunks.push(size > d.maxBodyBytes ? c.subarray(0, c.length - (size - d.maxBodyBytes - 1)) : c);
    });
    req.on('end', () => {
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      post({ t: 'req', id, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    });
    req.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = d.keepAliveTimeoutMs;
  server.headersTimeout = d.headersTimeoutMs;

  port.on('message', (batch: FrontDown[]) => {
    for (const m of batch) {
      if (m.t === 'close') {
        server.close(() => {
          flush();
          port.postMessage([{ t: 'closed' }]);
        });
        server.closeAllConnections();
        continue;
      }
      const res = open.get(m.id);
      if (!res) continue;
      if (m.t === 'head') {
        res.writeHead(m.status, m.headers as import('node:http').OutgoingHttpHeaders);
        res.flushHeaders();
      } else if (m.t === 'chunk') res.write(m.data);
      else if (m.t === 'end') {
        open.delete(m.id);
        if (m.status !== undefined) res.writeHead(m.status, m.headers as import('node:http').OutgoingHttpHeaders);
        res.end(m.data);
      } else if (m.t === 'destroy') {
        open.delete(m.id);
        res.destroy();
      }
    }
  });
  server.listen(d.port, d.host, () => {
    const addr = server.address();
    port.postMessage([{ t: 'listening', port: typeof addr === 'object' && addr ? addr.port : 0 }]);
  });
}
