// CreateSession (contract §1.3): bind → runner gate → ambient-runner-secrets check (caller token)
// → model check → build CR → parent annotation/env → userContext (§2.3, §3) → create with the
// caller's client. Every failure maps to the contract's status and message.
import { randomUUID } from 'node:crypto';
import {
  ANN_PARENT_SESSION,
  CRD_GROUP,
  CRD_VERSION,
  DEFAULT_MAX_TOKENS,
  DEFAULT_RUNNER_TYPE,
  DEFAULT_TEMPERATURE,
  DEFAULT_TIMEOUT,
  ERR,
  LOG,
  RUNNER_SECRETS,
  RUNNER_SECRETS_REQUIRED_KEYS,
  SESSION_API_VERSION,
  SESSION_KIND,
  SESSION_PLURAL,
  runnerServiceAccountUser,
} from '../contract.ts';
import { apiCode, describeError } from '../kube.ts';
import type { RequestCtx } from './backend-context.ts';
import { bindCreateRequest, type CreateSessionRequest, type UserContext } from './create-request.ts';
import { HttpError, readJsonObject, sendJson } from './http-util.ts';
import { selfSubjectIdentity } from './identity.ts';
import type { BehaviourProfile } from './profiles.ts';

/** Runner types known to the registry and whether their feature gate is on. */
const RUNNER_TYPES: Record<string, boolean> = { 'claude-agent-sdk': true, 'gemini-cli': false };

export function generateSessionName(profile: BehaviourProfile, now = Date.now()): string {
  return profile.sessionName === 'uuid' ? `session-${randomUUID()}` : `session-${Math.floor(now / 1000)}`;
}

export async function createSession(ctx: RequestCtx, project: string): Promise<void> {
  const { deps } = ctx;
  const body = await readJsonObject(ctx.req, ERR.invalidBody);
  const req = bindCreateRequest(body, deps.profile.parentKeys);
  if (req.inactivityTimeout !== undefined && req.inactivityTimeout < 0) throw new HttpError(400, ERR.invalidInactivityTimeout);

  const runnerType = req.runnerType || DEFAULT_RUNNER_TYPE;
  if (RUNNER_TYPES[runnerType] !== true) throw new HttpError(400, ERR.runnerNotEnabled(runnerType));
  if (!deps.useVertex) await checkRunnerSecrets(ctx, project, runnerType);

  const model = req.llmSettings?.model || deps.profile.defaultModel;
  if (!/^claude-[a-z0-9.-]+$/.test(model)) throw new HttpError(400, ERR.modelNotAvailable);

  const name = generateSessionName(deps.profile);
  const annotations: Record<string, string> = { ...(req.annotations ?? {}) };
  const env: Record<string, string> = { RUNNER_TYPE: runnerType, RUNNER_STATE_DIR: '/workspace/.runner-state', ...(req.environmentVariables ?? {}) };
  if (req.parentSessionId) {
    // Written before the lookup and regardless of its outcome (§3.1 step 2).
    env.PARENT_SESSION_ID = req.parentSessionId;
    annotations[ANN_PARENT_SESSION] = req.parentSessionId;
    deps.log(`Creating continuation session from parent ${req.parentSessionId} in ${project}`);
  }
  const spec: Record<string, unknown> = {
    displayName: req.displayName ?? '',
    project,
    llmSettings: {
      model,
      temperature: req.llmSettings?.temperature || DEFAULT_TEMPERATURE,
      maxTokens: req.llmSettings?.maxTokens || DEFAULT_MAX_TOKENS,
    },
    timeout: req.timeout || DEFAULT_TIMEOUT,
    environmentVariables: env,
  };
  if (req.initialPrompt && req.initialPrompt.trim()) spec.initialPrompt = req.initialPrompt;
  if (req.inactivityTimeout !== undefined) spec.inactivityTimeout = req.inactivityTimeout;
  if (req.repos?.length) spec.repos = req.repos.map((r) => ({ url: r.url, branch: r.branch || 'main', ...(r.autoPush !== undefined ? { autoPush: r.autoPush } : {}) }));
  if (req.activeWorkflow) spec.activeWorkflow = req.activeWorkflow;
  const userContext = await resolveUserContext(ctx, project, req);
  if (userContext) spec.userContext = userContext;

  const cr = {
    apiVersion: SESSION_API_VERSION,
    kind: SESSION_KIND,
    metadata: { name, namespace: project, ...(req.labels && Object.keys(req.labels).length ? { labels: req.labels } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec,
    status: { phase: 'Pending' },
  };
  let created: { metadata?: { uid?: string } };
  try {
    created = (await ctx.caller.custom.createNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: project, plural: SESSION_PLURAL, body: cr })) as typeof created;
  } catch (err) {
    deps.log(`Failed to create agentic session ${project}/${name}: ${describeError(err)}`);
    throw new HttpError(500, ERR.createFailed);
  }
  sendJson(ctx.res, 201, { message: 'Agentic session created successfully', name, uid: created.metadata?.uid ?? '', autoBranch: `ambient/${name}` });
}

async function checkRunnerSecrets(ctx: RequestCtx, project: string, runnerType: string): Promise<void> {
  let data: Record<string, string> | undefined;
  try {
    const s = await ctx.caller.core.readNamespacedSecret({ namespace: project, name: RUNNER_SECRETS });
    data = s.data;
  } catch (err) {
    if (apiCode(err) === 404) throw new HttpError(400, ERR.runnerSecretMissing(runnerType));
    throw new HttpError(500, ERR.apiKeyValidationFailed);
  }
  const ok = RUNNER_SECRETS_REQUIRED_KEYS.some((k) => data?.[k] && Buffer.from(data[k], 'base64').toString('utf8').trim() !== '');
  if (!ok) throw new HttpError(400, ERR.runnerSecretMissing(runnerType));
}

function isNonEmptyMap(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0;
}

/** Parent inheritance (§3.1) first, then the caller's identity (§2.3). */
async function resolveUserContext(ctx: RequestCtx, project: string, req: CreateSessionRequest): Promise<UserContext | Record<string, unknown> | undefined> {
  const { deps, identity } = ctx;
  const parentName = req.parentSessionId;
  if (parentName) {
    let parentUc: unknown;
    try {
      const parent = (await ctx.caller.custom.getNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: project, plural: SESSION_PLURAL, name: parentName })) as { spec?: { userContext?: unknown } };
      parentUc = parent.spec?.userContext;
    } catch (err) {
      deps.log(`Warning: ${LOG.parentFetchFailed} ${project}/${parentName}: ${describeError(err)}`);
    }
    if (isNonEmptyMap(parentUc) && (!deps.profile.inheritRequiresUserId || (typeof parentUc.userId === 'string' && parentUc.userId !== ''))) {
      if (mayInherit(ctx, project, parentName, parentUc)) {
        deps.log(`${LOG.inheriting} ${parentName} (userId=${String(parentUc.userId ?? '')})`);
        return deps.profile.inheritFullParentContext ? { ...parentUc } : { userId: String(parentUc.userId ?? ''), displayName: '', groups: [] };
      }
      deps.log(`Not inheriting userContext from parent session ${parentName}: caller is neither its runner nor its owner`);
    }
  }
  let uid = identity.userID.trim();
  if (!uid) {
    try {
      uid = await selfSubjectIdentity(ctx.caller);
    } catch (err) {
      deps.log(`Warning: could not resolve token identity: ${describeError(err)}`);
    }
  }
  if (!uid) return undefined; // no userContext at all (§2.3)
  return {
    userId: uid,
    displayName: identity.userName || req.userContext?.displayName || '',
    groups: identity.userGroups.length ? identity.userGroups : (req.userContext?.groups ?? []),
  };
}

/** The profile's inheritance guard: `none`, or only the parent's own runner SA / the parent's owner. */
function mayInherit(ctx: RequestCtx, project: string, parentName: string, parentUc: Record<string, unknown>): boolean {
  if (ctx.deps.profile.parentInheritanceGuard === 'none') return true;
  const ownRunner = ctx.identity.tokenUsername === runnerServiceAccountUser(project, parentName);
  const owner = !!ctx.identity.userID && ctx.identity.userID === parentUc.userId;
  return ownRunner || owner;
}
