// A watch over HTTP: 200 + headers flushed at once (client-node resolves on headers), then one JSON
// event per line, or one length-prefixed protobuf frame per event. Too-old resourceVersions become
// an ERROR event with a 410 Status, then close.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, type KubeObject, type ResourceType, type WatchOptions, type WatchSendType, type RequestContext } from '../types.ts';
import type { ObjectRegistry } from '../registry/registry.ts';
import { jsonOf, toApiError } from './respond.ts';

export interface WatchStreamOptions {
  registry: ObjectRegistry;
  rt: ResourceType;
  namespace?: string;
  opts: WatchOptions;
  ctx: RequestContext;
  timeoutSeconds: number;
  /** Per-event object transformation (Table rows, metadata-only), if the client asked for one. */
  transform?: (obj: KubeObject) => KubeObject;
  /** Bookmarks go through `transform` too (protobuf metadata-only streams carry only PartialObjectMetadata). */
  transformBookmarks?: boolean;
  /** Binary frames (protobuf) instead of one JSON event per line. */
  encode?: (type: WatchSendType, obj: KubeObject) => Uint8Array;
  contentType: string;
  /** Fault injection: cut the stream after this many ms. */
  cutAfterMs?: number;
  /** Registry of open watches so tests can drop them all. */
  open: Set<() => void>;
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, o: WatchStreamOptions): Promise<void> {
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (): void => {
      if (closed) return;
      closed = true;
      stop?.();
      for (const t of timers) clearTimeout(t);
      o.open.delete(finish);
      if (!res.writableEnded) res.end();
      resolve();
    };
    const write = (type: WatchSendType, object: KubeObject): void => {
      if (closed) return;
      const out = o.transform && type !== 'ERROR' && (type !== 'BOOKMARK' || o.transformBookmarks) ? o.transform(object) : object;
      if (!o.encode) {
        res.write(`{"type":${JSON.stringify(type)},"object":${jsonOf(out)}}\n`);
        return;
      }
      let frame: Uint8Array;
      try {
        frame = o.encode(type, out);
      } catch (err) {
        // An object without a protobuf form ends the stream with an ERROR event (kube-apiserver does
        // the same on an encoding failure), never throws into the write that produced the event.
        res.write(o.encode('ERROR', toApiError(err).toStatus()));
        finish();
        return;
      }
      res.write(frame);
    };
    const headers: Record<string, string | string[]> = { 'Content-Type': o.contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' };
    // Validate (selectors, sendInitialEvents) before committing to a 200: those are plain errors.
    let buffered: Array<[WatchSendType, KubeObject]> | undefined = [];
    const early = (type: WatchSendType, object: KubeObject) => (buffered ? buffered.push([type, object]) : write(type, object));
    try {
      stop = o.registry.watchObjects(o.rt, o.namespace, o.opts, o.ctx, early);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 410)) throw err;
      stop = undefined;
      res.writeHead(200, headers);
      res.flushHeaders();
      write('ERROR', err.toStatus());
      finish();
      return;
    }
    res.writeHead(200, headers);
    res.flushHeaders();
    for (const [type, object] of buffered) write(type, object);
    buffered = undefined;
    o.open.add(finish);
    timers.push(setTimeout(finish, o.timeoutSeconds * 1000));
    if (o.cutAfterMs !== undefined) timers.push(setTimeout(() => {
      res.destroy();
      finish();
    }, o.cutAfterMs));
    req.on('close', finish);
    res.on('close', finish);
  });
}
