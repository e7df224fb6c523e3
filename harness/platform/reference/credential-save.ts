// Integration "connect" endpoints (contract §4.3): need a gin userID (401) that passes
// isValidUserID (400); values are stored without calling the provider.
import { ERR, GITHUB_PAT_PREFIXES, isValidUserID, type CredentialType } from '../contract.ts';
import { describeError } from '../kube.ts';
import type { RequestCtx } from './backend-context.ts';
import { writeCredential } from './credential-store.ts';
import { HttpError, readJsonObject, sendJson } from './http-util.ts';

function requireUser(ctx: RequestCtx): string {
  if (!ctx.token) throw new HttpError(401, ERR.userTokenRequired);
  const id = ctx.identity.userID;
  if (!id) throw new HttpError(401, ERR.userAuthRequired);
  if (!isValidUserID(id)) throw new HttpError(400, ERR.invalidUserId);
  return id;
}

const s = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

async function store(ctx: RequestCtx, type: CredentialType, userId: string, value: Record<string, unknown>): Promise<void> {
  try {
    await writeCredential(ctx.deps.backend, ctx.deps.namespace, type, userId, { userId, ...value, updatedAt: new Date().toISOString() });
  } catch (err) {
    ctx.deps.log(`save ${type} credentials: ${describeError(err)}`);
    throw new HttpError(500, `Failed to save ${type} credentials`);
  }
}

export async function saveGithubPat(ctx: RequestCtx): Promise<void> {
  const userId = requireUser(ctx);
  const body = await readJsonObject(ctx.req, ERR.invalidBody);
  const token = s(body.token);
  if (!token || !GITHUB_PAT_PREFIXES.some((p) => token.startsWith(p))) throw new HttpError(400, ERR.invalidGithubToken);
  await store(ctx, 'github', userId, { token });
  sendJson(ctx.res, 200, { message: 'GitHub PAT saved' });
}

export async function connectJira(ctx: RequestCtx): Promise<void> {
  const userId = requireUser(ctx);
  const body = await readJsonObject(ctx.req, ERR.invalidBody);
  const url = s(body.url);
  const email = s(body.email);
  const apiToken = s(body.apiToken);
  if (!url || !email || !apiToken) throw new HttpError(400, ERR.invalidBody);
  await store(ctx, 'jira', userId, { url, email, apiToken });
  sendJson(ctx.res, 200, { message: 'Jira connected' });
}

export async function connectGitlab(ctx: RequestCtx): Promise<void> {
  const userId = requireUser(ctx);
  const body = await readJsonObject(ctx.req, ERR.invalidBody);
  const token = s(body.personalAccessToken) || s(body.token);
  const instanceUrl = s(body.instanceUrl) || 'https://gitlab.com';
  if (!token) throw new HttpError(400, ERR.invalidBody);
  await store(ctx, 'gitlab', userId, { token, instanceUrl });
  sendJson(ctx.res, 200, { message: 'GitLab connected' });
}
