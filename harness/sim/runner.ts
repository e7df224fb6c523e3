// A simulated runner = one session's runner pod. It takes its env from its Pod (as the kubelet
// would: literal values, secretKeyRef, and the bot-token file mount resolved from the Secret), and
// sends exactly what the platform's runner (backend_api.py, auth.py) sends at the commit it runs:
//
//   6b21778   BOT_TOKEN read once from the env at start-up (Python 3.11 urllib);
//   0b59fe7de the bot-token file (/var/run/secrets/ambient/bot-token) re-read on every request,
//             falling back to the BOT_TOKEN env (Python 3.12 urllib); create may carry activeWorkflow.
//
// Both: base BACKEND_API_URL (with /api), `Content-Type: application/json` on every request,
// `Authorization: Bearer <token>` only when there is a token (none: no header at all), no
// X-Forwarded-* headers, and a create body of `sessionName`, `parentSessionId` (=
// AGENTIC_SESSION_NAME), then the optional fields. Anything else a caller holding a runner token
// may send (the backend's own `parent_session_id`, both keys, a foreign parent) is a
// backend-contract probe, sent through `probe()`: an API caller, not a runner.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { PARENT_KEY_BACKEND, PARENT_KEY_RUNNER, RUNNER_COMMITS, RUNNER_CONTAINER, sessionObjectNames, type CredentialType, type RunnerCommit } from '../platform/contract.ts';
import { apiCode } from '../platform/kube.ts';
import { callBackend } from './backend-http.ts';

export { RUNNER_COMMITS, type RunnerCommit };
/** The newest modelled runner: what `auto` means when the platform's commit is not known. */
export const LATEST_RUNNER: RunnerCommit = '0b59fe7de';

/** Parent-key shapes of spawn trees: `camel` is the runner's own create; `snake` and `both` are backend-contract probes. */
export type ParentKeyMode = 'camel' | 'snake' | 'both';
export const BOT_TOKEN_PATH = '/var/run/secrets/ambient/bot-token';

const USER_AGENT: Record<RunnerCommit, string> = { '6b21778': 'Python-urllib/3.11', '0b59fe7de': 'Python-urllib/3.12' };

export type SecretReader = (namespace: string, name: string, key: string) => Promise<string | undefined>;

/** Reads Secret keys with a (kubelet-like) privileged kubeconfig; undefined when the Secret or key is absent. */
export function secretReaderFor(kc: KubeConfig): SecretReader {
  const core = kc.makeApiClient(CoreV1Api);
  return async (namespace, name, key) => {
    let s;
    try {
      s = await core.readNamespacedSecret({ namespace, name });
    } catch (err) {
      if (apiCode(err) === 404) return undefined;
      throw err;
    }
    const v = s.data?.[key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  };
}

/**
 * The kubelet's view of a Secret volume: a file's content is the Secret's as of the last sync, and
 * the kubelet syncs at most every `syncMs`. Reading the file on every request is then cheap, as it
 * is in the pod, and still picks up a rotated token.
 */
export function volumeSecretReader(read: SecretReader, syncMs = 1000): SecretReader {
  const cache = new Map<string, { at: number; value: Promise<string | undefined> }>();
  return (namespace, name, key) => {
    const k = `${namespace}/${name}/${key}`;
    const hit = cache.get(k);
    if (hit && Date.now() - hit.at < syncMs) return hit.value;
    // A deleted Secret leaves the last synced content in the volume (the kubelet keeps the files).
    const value = read(namespace, name, key).then(async (v) => (v === undefined && hit ? await hit.value.catch(() => undefined) : v));
    cache.set(k, { at: Date.now(), value });
    value.catch(() => cache.delete(k));
    return value;
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
  /** Attempts the read took, when the harness retried it through a transient fault. */
  attempts?: number;
}

/** How the harness sends an idempotent read (e.g. with retries of transient faults); default: once, as the runner does. */
export type ReadSender = (what: string, send: () => Promise<RunnerResponse>) => Promise<RunnerResponse>;

export interface RunnerOptions {
  /** The platform commit whose runner is simulated (default: the newest). */
  commit?: RunnerCommit;
  /** Reads the mounted bot-token file (0b59fe7de); default: the pod's Secret through the kubelet's view. */
  readFile?: SecretReader;
  /** Wraps GETs (session reads, list, credentials); creates and stops are never wrapped. */
  read?: ReadSender;
}

export interface CreateOptions {
  sessionName?: string;
  initialPrompt?: string;
  displayName?: string;
  model?: string;
  repos?: unknown[];
  /** `workflow` of create_session: only the runner at 0b59fe7de has it. */
  workflow?: { gitUrl: string; branch?: string; path?: string };
}

/** What the runner's list_sessions tool returns from a list response at its commit. */
export interface ListToolResult {
  response: RunnerResponse;
  /** The sessions the tool hands to the agent. */
  items: any[];
  /** The response key the tool read them from. */
  readKey: 'sessions' | 'items';
}

export class SimRunner {
  private constructor(
    readonly env: Readonly<Record<string, string>>,
    readonly commit: RunnerCommit,
    /** Resolves the token for one request ('' = none); see the file header for the per-commit rule. */
    private readonly tokenNow: () => Promise<string>,
    readonly baseUrl: string,
    private readonly read: ReadSender,
  ) {}

  /** Builds a runner from its Pod object; secrets are resolved like the kubelet does. */
  static async fromPod(pod: V1Pod, readSecret: SecretReader, mapUrl: (url: string) => string, opts: RunnerOptions = {}): Promise<SimRunner> {
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
    if (!env.BACKEND_API_URL) throw new Error(`pod ${ns}/${pod.metadata?.name}: BACKEND_API_URL is required`);
    const commit = opts.commit ?? LATEST_RUNNER;
    const envToken = (env.BOT_TOKEN ?? '').trim();
    let tokenNow: () => Promise<string>;
    if (commit === '6b21778') {
      // BackendAPIClient.__init__: os.getenv("BOT_TOKEN").strip(), once.
      tokenNow = () => Promise.resolve(envToken);
    } else {
      // get_bot_token(): the file if it exists (stripped), else the env var, on every request.
      const file = botTokenFile(pod, c.volumeMounts ?? []);
      const readFile = opts.readFile ?? volumeSecretReader(readSecret);
      tokenNow = async () => {
        const v = file ? await readFile(ns, file.secretName, file.key) : undefined;
        return v !== undefined ? v.trim() : envToken;
      };
    }
    return new SimRunner(env, commit, tokenNow, mapUrl(env.BACKEND_API_URL).replace(/\/$/, ''), opts.read ?? ((_what, send) => send()));
  }

  /** Reads the session's `<name>-runner` Pod and builds the runner from it. */
  static async forSession(kc: KubeConfig, namespace: string, session: string, mapUrl: (url: string) => string, opts: RunnerOptions = {}): Promise<SimRunner> {
    const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name: sessionObjectNames(session).pod });
    return SimRunner.fromPod(pod, secretReaderFor(kc), mapUrl, opts);
  }

  get sessionName(): string {
    return (this.env.AGENTIC_SESSION_NAME ?? '').trim();
  }
  get project(): string {
    return (this.env.PROJECT_NAME || this.env.AGENTIC_SESSION_NAMESPACE || '').trim();
  }

  /** The token this runner would send right now ('' = none); for tests and for what a probe holds. */
  token(): Promise<string> {
    return this.tokenNow();
  }

  /** One request exactly as urllib sends it from the runner. */
  private async request(method: string, path: string, body: unknown, timeoutMs: number): Promise<RunnerResponse> {
    const t0 = performance.now();
    const token = await this.tokenNow();
    const r = await callBackend(`${this.baseUrl}${path}`, {
      method,
      token: token || undefined,
      headers: { 'User-Agent': USER_AGENT[this.commit], 'Accept-Encoding': 'identity' },
      body,
      timeoutMs,
      alwaysJsonContentType: true,
    });
    return { ...r, ms: performance.now() - t0 };
  }

  private get(path: string, timeoutMs: number): Promise<RunnerResponse> {
    return this.read(`GET ${path}`, () => this.request('GET', path, undefined, timeoutMs));
  }

  /** backend_api.create_session: the runner's one and only create request. */
  createSession(opts: CreateOptions = {}): Promise<RunnerResponse> {
    if (opts.workflow && this.commit === '6b21778') throw new Error('the runner at 6b21778 has no workflow parameter');
    const payload: Record<string, unknown> = { sessionName: opts.sessionName ?? `${this.sessionName}-child` };
    if (this.sessionName) payload[PARENT_KEY_RUNNER] = this.sessionName;
    if (opts.initialPrompt) payload.initialPrompt = opts.initialPrompt;
    if (opts.displayName) payload.displayName = opts.displayName;
    if (opts.repos?.length) payload.repos = opts.repos;
    if (opts.model) payload.llmSettings = { model: opts.model };
    if (opts.workflow) payload.activeWorkflow = opts.workflow;
    return this.request('POST', `/projects/${this.project}/agentic-sessions`, payload, 30_000);
  }

  /**
   * Backend-contract probe: an API caller holding this runner's token (same headers) sends `body`
   * to `path` (default the project's sessions) — a shape no runner sends. Never runner behaviour.
   */
  probe(method: 'GET' | 'POST', body?: Record<string, unknown>, path = `/projects/${this.project}/agentic-sessions`): Promise<RunnerResponse> {
    return method === 'GET' ? this.get(path, 30_000) : this.request(method, path, body, 30_000);
  }

  /** auth.py: GET .../agentic-sessions/<SESSION_ID>/credentials/<type>, 10 s timeout. */
  credentials(type: CredentialType): Promise<RunnerResponse> {
    const id = this.env.SESSION_ID || this.sessionName;
    return this.get(`/projects/${this.project}/agentic-sessions/${id}/credentials/${type}`, 10_000);
  }

  /** list_sessions' request: no query at 6b21778; search/limit/offset at 0b59fe7de. */
  listSessions(query: { search?: string; limit?: number; offset?: number } = {}): Promise<RunnerResponse> {
    const entries = this.commit === '6b21778' ? [] : Object.entries(query).filter(([, v]) => v !== undefined && v !== '');
    const q = new URLSearchParams(entries.map(([k, v]) => [k, String(v)]));
    return this.get(`/projects/${this.project}/agentic-sessions${q.size ? `?${q}` : ''}`, 30_000);
  }

  /**
   * The list_sessions tool (include_completed=True): what the agent gets. At 6b21778 it reads the
   * response key `sessions`; at 0b59fe7de `items`.
   */
  async listSessionsTool(query: { search?: string; limit?: number; offset?: number } = {}): Promise<ListToolResult> {
    const response = await this.listSessions(query);
    const readKey = this.commit === '6b21778' ? 'sessions' : 'items';
    const items = response.status === 200 && Array.isArray(response.body?.[readKey]) ? response.body[readKey] : [];
    return { response, items, readKey };
  }

  getSession(name: string): Promise<RunnerResponse> {
    return this.get(`/projects/${this.project}/agentic-sessions/${name}`, 30_000);
  }

  stopSession(name: string): Promise<RunnerResponse> {
    return this.request('POST', `/projects/${this.project}/agentic-sessions/${name}/stop`, undefined, 30_000);
  }
}

/** A create body naming `parent` with the given probe key mode (`snake`: the backend's key; `both`: both keys). */
export function probeParentBody(mode: Exclude<ParentKeyMode, 'camel'>, parent: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(mode === 'both' ? { [PARENT_KEY_RUNNER]: parent } : {}), [PARENT_KEY_BACKEND]: parent, ...extra };
}

/** The Secret key projected to the bot-token file, when the runner container mounts it. */
function botTokenFile(pod: V1Pod, mounts: { name: string; mountPath: string }[]): { secretName: string; key: string } | undefined {
  const dir = BOT_TOKEN_PATH.slice(0, BOT_TOKEN_PATH.lastIndexOf('/'));
  const file = BOT_TOKEN_PATH.slice(dir.length + 1);
  const m = mounts.find((x) => x.mountPath.replace(/\/$/, '') === dir);
  const vol = m && pod.spec?.volumes?.find((v) => v.name === m.name);
  if (!vol?.secret?.secretName) return undefined;
  const items = vol.secret.items;
  if (items?.length) {
    const item = items.find((i) => i.path === file);
    return item ? { secretName: vol.secret.secretName, key: item.key } : undefined;
  }
  return { secretName: vol.secret.secretName, key: file };
}
