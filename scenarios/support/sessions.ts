// Session-level helpers shared by the fallback and security scenarios: a runner's token (read like
// the kubelet would, from the token Secret, once the operator provisioned the session), direct CR
// writes for parents the backend would never create, and userContext comparison.
import {
  ANN_DESIRED_PHASE,
  CRD_GROUP,
  CRD_VERSION,
  LABEL_HARNESS_RUN,
  SESSION_API_VERSION,
  SESSION_KIND,
  SESSION_PLURAL,
  sessionObjectNames,
  TOKEN_SECRET_KEY,
} from '../../harness/platform/contract.ts';
import type { ScenarioContext } from '../../harness/index.ts';
import { secretReaderFor } from '../../harness/sim/runner.ts';
import type { SimUser } from '../../harness/sim/users.ts';
import { retryTransient, type ScenarioEnv, type SessionView } from './env.ts';
import { runnerOf } from './tree.ts';

/** The runner's BOT_TOKEN of a session (waits, bounded, for its runner Pod); registered for redaction. */
export async function runnerToken(ctx: ScenarioContext, env: ScenarioEnv, namespace: string, session: string, timeoutMs = 60_000): Promise<string> {
  await runnerOf(env, namespace, session, Date.now() + timeoutMs, ctx.signal);
  const token = await retryTransient(() => secretReaderFor(env.adminKc)(namespace, sessionObjectNames(session).tokenSecret, TOKEN_SECRET_KEY));
  if (!token) throw new Error(`session ${namespace}/${session} has no runner token`);
  ctx.secret(token);
  return token;
}

/** A session CR written with the admin kubeconfig (no pod: desired phase Stopped). */
export async function writeSessionCR(env: ScenarioEnv, namespace: string, name: string, runId: string, userContext: Record<string, unknown>): Promise<void> {
  await env.custom.createNamespacedCustomObject({
    group: CRD_GROUP,
    version: CRD_VERSION,
    namespace,
    plural: SESSION_PLURAL,
    body: {
      apiVersion: SESSION_API_VERSION,
      kind: SESSION_KIND,
      metadata: { name, namespace, labels: { [LABEL_HARNESS_RUN]: runId }, annotations: { [ANN_DESIRED_PHASE]: 'Stopped' } },
      spec: { displayName: `harness parent ${name}`, initialPrompt: 'harness-authored parent', userContext },
    },
  });
}

export async function deleteSessionCR(env: ScenarioEnv, namespace: string, name: string): Promise<void> {
  await env.custom.deleteNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace, plural: SESSION_PLURAL, name });
}

/** What a human user's own session carries: the proxy headers' identity. */
export function fullIdentityOf(u: SimUser): Required<NonNullable<SessionView['userContext']>> {
  return { userId: u.userId, displayName: u.displayName, groups: u.groups };
}

export function sameContext(a: SessionView['userContext'] | undefined, b: SessionView['userContext'] | undefined): boolean {
  const norm = (x: SessionView['userContext'] | undefined) => JSON.stringify({ userId: x?.userId ?? null, displayName: x?.displayName ?? '', groups: x?.groups ?? [] });
  return norm(a) === norm(b);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
