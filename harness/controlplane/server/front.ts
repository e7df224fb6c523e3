// The API server's HTTPS front end on a worker thread (front-worker.ts). On two cores, TLS, HTTP
// parsing, header handling and socket writes took close to half of the API server thread under
// load; they now run beside it. The handlers keep their node:http shape: each request arrives as a
// FrontRequest (method, url, headers, a body stream) with a FrontResponse (writeHead, write, end,
// flushHeaders, destroy, headersSent/writableEnded, 'close'), both relayed to the worker.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { frontWorkerMain, type FrontDown, type FrontUp, type FrontWorkerData } from './front-worker.ts';

export type FrontHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Front {
  port: number;
  close(): Promise<void>;
}

/** The request side: headers at once, the body (already read by the worker) as one chunk on demand. */
class FrontRequest extends EventEmitter {
  private flowing = false;
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string | string[] | undefined>,
    private body: Uint8Array | undefined,
  ) {
    super();
  }
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === 'data' || event === 'end') this.resume();
    return this;
  }
  resume(): this {
    if (this.flowing) return this;
    this.flowing = true;
    process.nextTick(() => {
      const body = this.body;
      this.body = undefined;
      if (body?.length) this.emit('data', Buffer.from(body.buffer, body.byteOffset, body.length));
      this.emit('end');
    });
    return this;
  }
}

/** The response side: parts queue for the worker; a whole response goes as one message. */
class FrontResponse extends EventEmitter {
  headersSent = false;
  writableEnded = false;
  private head: { status: number; headers: Record<string, unknown> } | undefined;
  constructor(
    private readonly id: number,
    private readonly send: (m: FrontDown) => void,
  ) {
    super();
  }
  writeHead(status: number, headers: Record<string, unknown> = {}): this {
    this.head = { status, headers };
    this.headersSent = true;
    return this;
  }
  flushHeaders(): void {
    if (!this.head) this.writeHead(200);
    const h = this.head!;
    this.head = undefined;
    this.send({ t: 'head', id: this.id, status: h.status, headers: h.headers });
  }
  write(data: string | Uint8Array): boolean {
    if (this.writableEnded) return false;
    if (this.head) this.flushHeaders();
    this.send({ t: 'chunk', id: this.id, data });
    return true;
  }
  end(data?: string | Uint8Array): this {
    if (this.writableEnded) return this;
    this.writableEnded = true;
    this.headersSent = true;
    const h = this.head;
    this.head = undefined;
    this.send({ t: 'end', id: this.id, ...(h ? { status: h.status, headers: h.headers } : {}), ...(data !== undefined ? { data } : {}) });
    process.nextTick(() => this.emit('close'));
    return this;
  }
  destroy(): this {
    if (!this.writableEnded) {
      this.writableEnded = true;
      this.send({ t: 'destroy', id: this.id });
      process.nextTick(() => this.emit('close'));
    }
    return this;
  }
  /** The client went away first. */
  gone(): void {
    if (this.writableEnded) return;
    this.writableEnded = true;
    this.emit('close');
  }
}

export function startFront(data: FrontWorkerData, handler: FrontHandler): Promise<Front> {
  // Source text, not a file: the same code runs from the sources (tsx) and from the bundle. The
  // prelude stands in for helpers a transform may reference: tsx's name keeping, esbuild's require.
  const worker = new Worker(`const __name = (f) => f;\nconst __require = require;\n(${frontWorkerMain.toString()})()`, { eval: true, workerData: data, execArgv: [] });
  const pending = new Map<number, { req: FrontRequest; res: FrontResponse }>();
  let outbox: FrontDown[] = [];
  const flush = (): void => {
    const batch = outbox;
    outbox = [];
    if (batch.length) worker.postMessage(batch);
  };
  const send = (m: FrontDown): void => {
    if (outbox.length === 0) setImmediate(flush);
    outbox.push(m);
  };
  let onClosed: (() => void) | undefined;

  return new Promise<Front>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (batch: FrontUp[]) => {
      for (const m of batch) {
        if (m.t === 'req') {
          const req = new FrontRequest(m.method, m.url, m.headers, m.body);
          const res = new FrontResponse(m.id, send);
          pending.set(m.id, { req, res });
          res.once('close', () => {
            pending.delete(m.id);
            req.emit('close');
          });
          handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        } else if (m.t === 'gone') pending.get(m.id)?.res.gone();
        else if (m.t === 'listening') {
          worker.off('error', reject);
          // Not expected; without its front end the API server answers nothing, so say why.
          worker.on('error', (err) => process.stderr.write(`control plane: HTTPS front end failed: ${err.message}\n`));
          resolve({
            port: m.port,
            close: () =>
              new Promise<void>((done) => {
                onClosed = done;
                for (const { res } of [...pending.values()]) res.gone();
                send({ t: 'close' });
              }).then(() => worker.terminate().then(() => undefined)),
          });
        } else if (m.t === 'closed') onClosed?.();
      }
    });
  });
}
