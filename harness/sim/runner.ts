// A simulated runner = one session's runner pod. It takes its env from its Pod (as the kubelet
// would: literal values, secretKeyRef, and the H-style bot-token file mount resolved from the
// Secret), and calls the backend exactly as backend_api.py / auth.py do: base BACKEND_API_URL
// (with /api), `Authorization: Bearer <BOT_TOKEN>`, JSON, no X-Forwarded-* headers.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { RUNNER_CONTAINER, sessionObjectNames, type CredentialType } from '../platform/contract.ts';
import { callBackend } from './backend-http.ts';

export type ParentKeyMode = 'camel' | 'snake' | 'both';
export const BOT_TOKEN_PATH = '/var/run/secrets/ambient/bot-token';

export type SecretReader = (namespace: string, name: string, key: string) => Promise<string | undefined>;

/** Reads Secret keys with a (kubelet-like) privileged kubeconfig. */
export function secretReaderFor(kc: KubeConfig): SecretReader {
  const core = kc.makeApiClient(CoreV1Api);
  return async (namespace, name, key) => {
    const s = await core.readNamespacedSecret({ namespace, name });
    const v = s.data?.[key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  };
}

/** Maps the in-cluster backend URL (`http://backend-service.<ns>.svc.cluster.local:8080/api`) to a loopback backend. */
export function loopbackUrlMap(backendUrl: string): (url: string) => string {
  const base = backendUrl.replace(/\/$/, '');
  return (url) => {
    const u = new URL(url);
    if (!u.hostname.endsWith('.svc.cluster.local') && !u.hostname.endsWith('.svc')) return url;
    return `${base}${u.pathname}`.replace(/\/$/, '');
  };
}

export interface RunnerResponse {
  status: number;
  body: any;
  ms: number;
}

export class SimRunner {
  private constructor(
    readonly env: Readonly<Record<string, string>>,
    private readonly token: string,
    readonly baseUrl: string,
  ) {}

  /** Builds a runner from its Pod object; secrets are resolved like the kubelet does. */
  static async fromPod(pod: V1Pod, readSecret: SecretReader, mapUrl: (url: string) => string): Promise<SimRunner> {
    const ns = pod.metadata?.namespace ?? '';
    const c = pod.spec?.containers.find((x) => x.name === RUNNER_CONTAINER) ?? pod.spec?.containers[0];
    if (!c) throw new Error(`pod ${ns}/${pod.metadata?.name} has no runner container`);
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.secretKeyRef) {
        const ref = e.valueFrom.secretKeyRef;
        const v = await readSecret(ns, ref.name ?? '', ref.key);
        if (v !== undefined) env[e.name] = v;
        else if (!ref.optional) throw new Error(`pod ${ns}/${pod.metadata?.name}: secret ${ref.name}/${ref.key} missing (CreateContainerConfigError)`);
      }
    }
    let token = env.BOT_TOKEN ?? '';
    if (!token) token = (await fileMountedToken(pod, c.volumeMounts ?? [], readSecret)) ?? '';
    if (!token) throw new Error(`pod ${ns}/${pod.metadata?.name}: no BOT_TOKEN (env or ${BOT_TOKEN_PATH})`);
    if (!env.BACKEND_API_URL) throw new Error(`pod ${ns}/${pod.metadata?.name}: BACKEND_API_URL is required`);
    return new SimRunner(env, token, mapUrl(env.BACKEND_API_URL).replace(/\/$/, ''));
  }

  /** Reads the session's `<name>-runner` Pod and builds the runner from it. */
  static async forSession(kc: KubeConfig, namespace: string, session: string, mapUrl: (url: string) => string): Promise<SimRunner> {
    const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name: sessionObjectNames(session).pod });
    return SimRunner.fromPod(pod, secretReaderFor(kc), mapUrl);
  }

  get sessionName(): string {
    return this.env.AGENTIC_SESSION_NAME ?? '';
  }
  get project(): string {
    return this.env.PROJECT_NAME || this.env.AGENTIC_SESSION_NAMESPACE || '';
  }

  private async request(method: string, path: string, body: unknown, timeoutMs: number): Promise<RunnerResponse> {
    const t0 = performance.now();
    const r = await callBackend(`${this.baseUrl}${path}`, { method, token: this.token, body, timeoutMs, alwaysJsonContentType: true });
    return { ...r, ms: performance.now() - t0 };
  }

  /** backend_api.create_session: `parentSessionId` = AGENTIC_SESSION_NAME; key mode chooses the spelling. */
  createSession(opts: { sessionName?: string; initialPrompt?: string; displayName?: string; model?: string; repos?: unknown[] } = {}, keyMode: ParentKeyMode = 'camel'): Promise<RunnerResponse> {
    const payload: Record<string, unknown> = { sessionName: opts.sessionName ?? `${this.sessionName}-child` };
    if (this.sessionName) {
      if (keyMode !== 'snake') payload.parentSessionId = this.sessionName;
      if (keyMode !== 'camel') payload.parent_session_id = this.sessionName;
    }
    if (opts.initialPrompt) payload.initialPrompt = opts.initialPrompt;
    if (opts.displayName) payload.displayName = opts.displayName;
    if (opts.repos) payload.repos = opts.repos;
    if (opts.model) payload.llmSettings = { model: opts.model };
    return this.request('POST', `/projects/${this.project}/agentic-sessions`, payload, 30_000);
  }

  /** auth.py: GET .../agentic-sessions/<SESSION_ID>/credentials/<type>, 10 s timeout. */
  credentials(type: CredentialType): Promise<RunnerResponse> {
    const id = this.env.SESSION_ID || this.sessionName;
    return this.request('GET', `/projects/${this.project}/agentic-sessions/${id}/credentials/${type}`, undefined, 10_000);
  }

  listSessions(query: { search?: string; limit?: number; offset?: number } = {}): Promise<RunnerResponse> {
    const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    return this.request('GET', `/projects/${this.project}/agentic-sessions${q.size ? `?${q}` : ''}`, undefined, 30_000);
  }

  getSession(name: string): Promise<RunnerResponse> {
    return this.request('GET', `/projects/${this.project}/agentic-sessions/${name}`, undefined, 30_000);
  }

  stopSession(name: string): Promise<RunnerResponse> {
    return this.request('POST', `/projects/${this.project}/agentic-sessions/${name}/stop`, undefined, 30_000);
  }
}

async function fileMountedToken(pod: V1Pod, mounts: { name: string; mountPath: string }[], readSecret: SecretReader): Promise<string | undefined> {
  const dir = BOT_TOKEN_PATH.slice(0, BOT_TOKEN_PATH.lastIndexOf('/'));
  const file = BOT_TOKEN_PATH.slice(dir.length + 1);
  const m = mounts.find((x) => x.mountPath.replace(/\/$/, '') === dir);
  const vol = m && pod.spec?.volumes?.find((v) => v.name === m.name);
  if (!vol?.secret?.secretName) return undefined;
  const item = vol.secret.items?.find((i) => i.path === file);
  const key = item ? item.key : file;
  return readSecret(pod.metadata?.namespace ?? '', vol.secret.secretName, key);
}
