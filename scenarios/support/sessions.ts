// Session-level helpers shared by the fallback and security scenarios: direct CR writes for
// parents the backend would never create, and userContext comparison.
import {
  ANN_DESIRED_PHASE,
  CRD_GROUP,
  CRD_VERSION,
  LABEL_HARNESS_RUN,
  SESSION_API_VERSION,
  SESSION_KIND,
  SESSION_PLURAL,
} from '../../harness/platform/contract.ts';
import type { SimUser } from '../../harness/sim/users.ts';
import type { ScenarioEnv, SessionView } from './env.ts';

/** A session CR written with the admin kubeconfig: no pod (desired phase Stopped) unless `runner`, then the operator provisions its runner. */
export async function writeSessionCR(env: ScenarioEnv, namespace: string, name: string, runId: string, userContext: Record<string, unknown>, opts: { runner?: boolean } = {}): Promise<void> {
  await env.custom.createNamespacedCustomObject({
    group: CRD_GROUP,
    version: CRD_VERSION,
    namespace,
    plural: SESSION_PLURAL,
    body: {
      apiVersion: SESSION_API_VERSION,
      kind: SESSION_KIND,
      metadata: { name, namespace, labels: { [LABEL_HARNESS_RUN]: runId }, ...(opts.runner ? {} : { annotations: { [ANN_DESIRED_PHASE]: 'Stopped' } }) },
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
