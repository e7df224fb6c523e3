// Loopback stand-ins for what the platform's programs reach over a pod's network:
// - an OTLP/gRPC collector: the operator exports metrics to OTEL_EXPORTER_OTLP_ENDPOINT (without
//   one, the operator at 6b21778 leaves its instruments nil and panics on the first session);
//   this one accepts every Export and answers an empty success, as a collector does;
// - an egress guard: HTTP(S)_PROXY for the programs, refusing every request and CONNECT, so no
//   run ever talks to live GitHub/GitLab/Jira (a real backend looks up the token's user there);
//   the hosts they tried are kept for the run's log.
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

export interface OtlpSink {
  /** host:port, the form OTEL_EXPORTER_OTLP_ENDPOINT takes in the platform's manifests. */
  endpoint: string;
  /** Export calls received, by gRPC method path. */
  exports(): Record<string, number>;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const counts: Record<string, number> = {};
  // gRPC over cleartext HTTP/2 with prior knowledge, as otlpmetricgrpc.WithInsecure() speaks it.
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const method = String(headers[':path'] ?? '');
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.on('end', () => {
      counts[method] = (counts[method] ?? 0) + 1;
      if (stream.destroyed || stream.closed) return;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      // One gRPC message: not compressed, length 0 (an empty Export*ServiceResponse).
      stream.end(Buffer.alloc(5));
    });
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface EgressGuard {
  /** http://127.0.0.1:<port>, for HTTP_PROXY / HTTPS_PROXY. */
  url: string;
  /** Hosts the programs tried to reach (each once, in order). */
  refused(): string[];
  close(): Promise<void>;
}

export async function startEgressGuard(): Promise<EgressGuard> {
  const hosts: string[] = [];
  const note = (h: string | undefined) => {
    if (h && !hosts.includes(h)) hosts.push(h);
  };
  const server = http.createServer((req, res) => {
    let host: string | undefined;
    try {
      host = new URL(req.url ?? '').host;
    } catch {
      host = req.headers.host;
    }
    note(host);
    res.writeHead(403, { 'Content-Type': 'text/plain' }).end('ambient-harness: outbound traffic is refused (no live third parties in a run)\n');
  });
  server.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    note(req.url);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => [...hosts],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
