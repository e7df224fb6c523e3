// How scenarios send requests in the face of faults the platform is not to blame for (transient
// versus real, see harness/sim/retry.ts): idempotent reads — backend GETs, Kubernetes reads, a
// simulated runner's GETs — retry a 5xx or a dropped connection with backoff and count a fault
// that cleared as a transient event; a create that got no answer at all is resent once if the
// backend is still healthy (its names are server-generated, so a resend cannot collide), else the
// run fails as infrastructure (exit 3).
import type { ScenarioContext } from '../../harness/index.ts';
import { InfraError } from '../../harness/errors.ts';
import { ROUTES } from '../../harness/platform/contract.ts';
import { apiCode } from '../../harness/platform/kube.ts';
import { callBackend } from '../../harness/sim/backend-http.ts';
import { retryRead, transportCause } from '../../harness/sim/retry.ts';
import type { ReadSender } from '../../harness/sim/runner.ts';

export interface HttpResult {
  status: number;
  body: any;
  /** Attempts a read took (more than 1 when a fault was retried). */
  attempts?: number;
}

export interface HttpOptions {
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

/** The request as reports name it: method and path, never the query's values or a token. */
const requestName = (method: string, route: string) => `${method} ${route.split('?')[0]}`;

const statusOfResult = (r: unknown) => (r && typeof r === 'object' && typeof (r as { status?: unknown }).status === 'number' ? (r as { status: number }).status : undefined);

export class Faults {
  constructor(
    private readonly ctx: Pick<ScenarioContext, 'transient' | 'signal'>,
    private readonly origin: string,
  ) {}

  private get policy() {
    return { onTransient: this.ctx.transient, signal: this.ctx.signal };
  }

  /** A backend GET, retried through transient faults; a persisting 5xx is returned with its attempts. */
  async get(request: string, send: () => Promise<HttpResult>): Promise<HttpResult> {
    const { result, attempts } = await retryRead(request, send, { ...this.policy, statusOf: statusOfResult });
    return { ...result, attempts };
  }

  /** A Kubernetes read (client-node): a 5xx or dropped connection retried; a 404 and other answers pass through. */
  async kube<T>(request: string, read: () => Promise<T>): Promise<T> {
    return (await retryRead(request, read, { ...this.policy, statusOf: (x) => (x instanceof Error ? apiCode(x) : undefined) })).result;
  }

  /**
   * A request that is not idempotent (a create): sent once; when no answer came back at all it is
   * resent once if the backend still answers its health check, else the run fails as infrastructure.
   */
  async once<T>(request: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      const cause = transportCause(err);
      if (!cause) throw err;
      const health = await this.get(`GET ${ROUTES.health}`, () => callBackend(`${this.origin}${ROUTES.health}`, { method: 'GET', timeoutMs: 5_000 }));
      if (health.status !== 200) throw new InfraError(`${request}: no answer (${cause}) and the backend's health check answered ${health.status}`, { code: 'UNREACHABLE', cause: err });
      const r = await send().catch((again: unknown) => {
        throw transportCause(again) ? new InfraError(`${request}: no answer twice (${cause}, ${transportCause(again)})`, { code: 'UNREACHABLE', cause: again }) : again;
      });
      this.ctx.transient({ request, cause, attempts: 2 });
      return r;
    }
  }

  /** One backend call by method: GETs retried, anything else sent `once`. */
  http(origin: string, method: string, route: string, o: HttpOptions = {}): Promise<HttpResult> {
    const send = () => callBackend(`${origin}${route}`, { method, ...o });
    return method === 'GET' ? this.get(requestName(method, route), send) : this.once(requestName(method, route), send);
  }

  /** The read sender simulated runners use for their GETs. */
  get runnerReads(): ReadSender {
    return async (what, send) => {
      const { result, attempts } = await retryRead(what.split('?')[0], send, { ...this.policy, statusOf: statusOfResult });
      return { ...result, attempts };
    };
  }
}
