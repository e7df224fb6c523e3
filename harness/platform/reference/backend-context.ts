// What every backend handler receives: the process-wide dependencies (backend SA clients, profile)
// and the per-request context (caller identity, caller token, caller-scoped clients).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clients } from './clients.ts';
import type { Identity } from './identity.ts';
import type { BehaviourProfile } from './profiles.ts';
import type { SsarCache } from './project-access.ts';

export interface BackendDeps {
  profile: BehaviourProfile;
  /** Backend namespace (credential storage, `NAMESPACE`). */
  namespace: string;
  /** The backend SA's own clients: TokenReview, SA lookup, credential storage, namespaces. */
  backend: Clients;
  ssarCache: SsarCache;
  /** Base URL of the GitHub API for the `/user` lookup; unset = skip the lookup. */
  githubApiUrl?: string;
  useVertex: boolean;
  log: (msg: string) => void;
}

export interface RequestCtx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  deps: BackendDeps;
  identity: Identity;
  /** The token the request's Kubernetes calls use (X-Forwarded-Access-Token > Authorization > ?token=). */
  token: string;
  /** Clients that authenticate with the caller's token only: the control plane's RBAC decides. */
  caller: Clients;
}

const CLIENT_CACHE_MAX = 4096;
const callerClients = new Map<string, Clients>();

/** Per-token clients (the backend SA's cluster, the caller's token), memoised and bounded. */
export function clientsForToken(base: Clients, token: string): Clients {
  let c = callerClients.get(token);
  if (c) return c;
  c = base.forToken(token);
  if (callerClients.size >= CLIENT_CACHE_MAX) callerClients.delete(callerClients.keys().next().value as string);
  callerClients.set(token, c);
  return c;
}
