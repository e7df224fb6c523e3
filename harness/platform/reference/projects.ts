// Projects (contract §2.5): a project is a Namespace labelled ambient-code.io/managed=true.
// CreateProject creates it with the backend SA and binds the caller to ambient-project-admin;
// ListProjects returns the managed namespaces the caller may list sessions in.
import {
  ERR,
  LABEL_MANAGED,
  LABEL_MANAGED_BY,
  LABEL_ROLE,
  PROJECT_ROLES,
  isDns1123Label,
  sanitizeUserID,
} from '../contract.ts';
import { apiCode, describeError } from '../kube.ts';
import type { RequestCtx } from './backend-context.ts';
import { HttpError, readJsonObject, sendJson } from './http-util.ts';
import { validateProjectAccess } from './project-access.ts';

async function callerUsername(ctx: RequestCtx): Promise<string> {
  const remote = ctx.req.headers['x-remote-user'];
  const r = Array.isArray(remote) ? remote[0] : remote;
  if (r) return r;
  if (ctx.identity.tokenUsername) return ctx.identity.tokenUsername;
  const ssr = await ctx.caller.authn.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  return ssr.status?.userInfo?.username ?? '';
}

export async function createProject(ctx: RequestCtx): Promise<void> {
  if (!ctx.token) throw new HttpError(401, ERR.userTokenRequired);
  const body = await readJsonObject(ctx.req, ERR.invalidBody);
  const name = typeof body.name === 'string' ? body.name : '';
  if (!isDns1123Label(name)) throw new HttpError(400, ERR.invalidProjectName);
  let username: string;
  try {
    username = await callerUsername(ctx);
  } catch {
    throw new HttpError(401, ERR.invalidToken);
  }
  const { backend } = ctx.deps;
  try {
    await backend.core.createNamespace({
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [LABEL_MANAGED]: 'true', [LABEL_MANAGED_BY]: 'ambient-code' } } },
    });
  } catch (err) {
    if (apiCode(err) === 409) throw new HttpError(409, ERR.projectExists);
    ctx.deps.log(`create project ${name}: ${describeError(err)}`);
    throw new HttpError(500, ERR.projectCreateFailed);
  }
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  const subject = sa ? { kind: 'ServiceAccount', name: sa[2], namespace: sa[1] } : { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: username };
  try {
    await backend.rbac.createNamespacedRoleBinding({
      namespace: name,
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `ambient-admin-${sanitizeUserID(username).toLowerCase()}`.slice(0, 253), namespace: name, labels: { [LABEL_ROLE]: 'admin' } },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: PROJECT_ROLES.admin },
        subjects: [subject],
      },
    });
  } catch (err) {
    ctx.deps.log(`bind project admin ${name}: ${describeError(err)}`);
    await backend.core.deleteNamespace({ name }).catch(() => undefined);
    throw new HttpError(500, ERR.projectCreateFailed);
  }
  sendJson(ctx.res, 201, { name, displayName: typeof body.displayName === 'string' ? body.displayName : name, status: 'Active' });
}

export async function listProjects(ctx: RequestCtx): Promise<void> {
  if (!ctx.token) throw new HttpError(401, ERR.userTokenRequired);
  const list = await ctx.deps.backend.core.listNamespace({ labelSelector: `${LABEL_MANAGED}=true` });
  const items: { name: string; status: string }[] = [];
  for (const ns of list.items) {
    const name = ns.metadata?.name ?? '';
    try {
      await validateProjectAccess(ctx.caller, ctx.token, name, ctx.deps.ssarCache);
      items.push({ name, status: ns.status?.phase ?? 'Active' });
    } catch {
      // not visible to this caller
    }
  }
  items.sort((a, b) => a.name.localeCompare(b.name));
  sendJson(ctx.res, 200, { items, totalCount: items.length });
}
