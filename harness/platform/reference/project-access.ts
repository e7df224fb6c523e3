// ValidateProjectContext (contract §1.5): token required, DNS-1123 project name, and a
// SelfSubjectAccessReview `list agenticsessions.vteam.ambient-code` made with the caller's token.
// The optional cache mirrors H's 30 s SSAR cache (keyed by sha256(token) + namespace).
import { createHash } from 'node:crypto';
import { CRD_GROUP, ERR, SESSION_PLURAL, isDns1123Label } from '../contract.ts';
import { apiCode } from '../kube.ts';
import type { Clients } from './clients.ts';
import { HttpError } from './http-util.ts';

const MAX_CACHE = 10_000;

export class SsarCache {
  private entries = new Map<string, { allowed: boolean; expires: number }>();
  constructor(private ttlMs: number) {}

  get(token: string, ns: string): boolean | undefined {
    if (this.ttlMs <= 0) return undefined;
    const key = this.key(token, ns);
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.allowed;
  }

  set(token: string, ns: string, allowed: boolean): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_CACHE) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(this.key(token, ns), { allowed, expires: Date.now() + this.ttlMs });
  }

  private key(token: string, ns: string): string {
    return `${createHash('sha256').update(token).digest('hex')}/${ns}`;
  }
}

/** Throws HttpError with the contract's status and message when the caller may not use the project. */
export async function validateProjectAccess(caller: Clients, token: string, project: string, cache: SsarCache): Promise<void> {
  if (!isDns1123Label(project)) throw new HttpError(400, ERR.invalidProjectName);
  const cached = cache.get(token, project);
  if (cached === true) return;
  if (cached === false) throw new HttpError(403, ERR.projectForbidden);
  let allowed: boolean;
  try {
    const r = await caller.authz.createSelfSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { group: CRD_GROUP, resource: SESSION_PLURAL, verb: 'list', namespace: project } },
      },
    });
    allowed = r.status?.allowed === true;
  } catch (err) {
    if (apiCode(err) === 401) throw new HttpError(401, ERR.tokenExpired);
    throw new HttpError(500, ERR.accessReviewFailed);
  }
  cache.set(token, project, allowed);
  if (!allowed) throw new HttpError(403, ERR.projectForbidden);
}
