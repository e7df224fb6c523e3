// Create-only review endpoints: TokenReview, SelfSubjectReview and the SubjectAccessReview family.
import { ApiError, type KubeObject, type NonResourceAttributes, type ResourceAttributes, type UserInfo, type VirtualCreateHandler } from '../types.ts';
import type { TokenAuthenticator } from './authenticator.ts';
import type { RbacEvaluator } from './rbac-evaluator.ts';
import type { Attributes } from './rbac-rules.ts';

const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';

function invalid(kind: string, group: string, field: string, value: unknown, detail: string): ApiError {
  const message = `Invalid value: ${JSON.stringify(value)}: ${detail}`;
  return new ApiError(422, 'Invalid', `${kind}.${group} "" is invalid: ${field}: ${message}`, { group, kind, causes: [{ type: 'FieldValueInvalid', message, field }] });
}

const userJson = (u: UserInfo) => ({ username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}) });

function echo(body: KubeObject, kind: string, group: string, namespace?: string) {
  const meta = { ...(body.metadata ?? {}), creationTimestamp: null as unknown as undefined, ...(namespace ? { namespace } : {}) };
  return { apiVersion: `${group}/v1`, kind, metadata: meta, spec: body.spec ?? {} };
}

export function reviewHandlers(tokens: TokenAuthenticator, rbac: RbacEvaluator): VirtualCreateHandler[] {
  const tokenReview: VirtualCreateHandler = {
    key: `${AUTHN}/tokenreviews`,
    create(body) {
      const spec = (body.spec ?? {}) as { token?: string; audiences?: string[] };
      if (!spec.token) throw invalid('TokenReview', AUTHN, 'spec.token', '', 'token must not be empty');
      const result = tokens.review(spec.token, spec.audiences);
      const status = 'error' in result ? { user: {}, error: result.error } : { authenticated: true, user: userJson(result.user), audiences: result.audiences };
      return { ...echo(body, 'TokenReview', AUTHN), status };
    },
  };

  const selfSubjectReview: VirtualCreateHandler = {
    key: `${AUTHN}/selfsubjectreviews`,
    create(body, ctx) {
      return { apiVersion: `${AUTHN}/v1`, kind: 'SelfSubjectReview', metadata: { ...(body.metadata ?? {}), creationTimestamp: null as unknown as undefined }, status: { userInfo: userJson(ctx.user) } };
    },
  };

  const decide = (kind: string, user: UserInfo, spec: SarSpec): KubeObject['status'] => {
    const attrs = toAttributes(kind, spec);
    const decision = rbac.authorize(user, attrs);
    return decision.allowed ? { allowed: true, reason: decision.reason } : { allowed: false };
  };

  const subjectAccessReview: VirtualCreateHandler = {
    key: `${AUTHZ}/subjectaccessreviews`,
    create(body) {
      const spec = (body.spec ?? {}) as SarSpec;
      if (!spec.user && !spec.groups?.length) throw invalid('SubjectAccessReview', AUTHZ, 'spec.user', '', 'at least one of user or group must be specified');
      const user: UserInfo = { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
      return { ...echo(body, 'SubjectAccessReview', AUTHZ), status: decide('SubjectAccessReview', user, spec) };
    },
  };

  const localSubjectAccessReview: VirtualCreateHandler = {
    key: `${AUTHZ}/localsubjectaccessreviews`,
    create(body, ctx) {
      const spec = (body.spec ?? {}) as SarSpec;
      if (spec.nonResourceAttributes) throw invalid('LocalSubjectAccessReview', AUTHZ, 'spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request');
      if (!spec.user && !spec.groups?.length) throw invalid('LocalSubjectAccessReview', AUTHZ, 'spec.user', '', 'at least one of user or group must be specified');
      if (spec.resourceAttributes?.namespace !== ctx.namespace) {
        throw new ApiError(400, 'BadRequest', `spec.resourceAttributes.namespace must match namespace: ${ctx.namespace ?? ''}`);
      }
      const user: UserInfo = { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
      return { ...echo(body, 'LocalSubjectAccessReview', AUTHZ, ctx.namespace), status: decide('LocalSubjectAccessReview', user, spec) };
    },
  };

  const selfSubjectAccessReview: VirtualCreateHandler = {
    key: `${AUTHZ}/selfsubjectaccessreviews`,
    create(body, ctx) {
      const spec = (body.spec ?? {}) as SarSpec;
      return { ...echo(body, 'SelfSubjectAccessReview', AUTHZ), status: decide('SelfSubjectAccessReview', ctx.user, spec) };
    },
  };

  const selfSubjectRulesReview: VirtualCreateHandler = {
    key: `${AUTHZ}/selfsubjectrulesreviews`,
    create(body, ctx) {
      const namespace = ((body.spec ?? {}) as { namespace?: string }).namespace ?? '';
      const rules = rbac.rulesFor(ctx.user, namespace || undefined);
      if (ctx.user.groups.includes('system:masters')) rules.unshift({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
      const resourceRules = rules
        .filter((r) => r.resources?.length)
        .map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources, ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
      return { ...echo(body, 'SelfSubjectRulesReview', AUTHZ), status: { resourceRules, nonResourceRules, incomplete: false } };
    },
  };

  return [tokenReview, selfSubjectReview, subjectAccessReview, localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview];
}

interface SarSpec {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: Partial<ResourceAttributes> & { version?: string };
  nonResourceAttributes?: Partial<NonResourceAttributes>;
}

function toAttributes(kind: string, spec: SarSpec): Attributes {
  const r = spec.resourceAttributes;
  const n = spec.nonResourceAttributes;
  if (!!r === !!n) throw invalid(kind, AUTHZ, 'spec.resourceAttributes', r ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified');
  if (n) return { verb: n.verb ?? '', path: n.path ?? '' };
  return {
    verb: r!.verb ?? '',
    group: r!.group ?? '',
    version: r!.version,
    resource: r!.resource ?? '',
    subresource: r!.subresource || undefined,
    namespace: r!.namespace || undefined,
    name: r!.name || undefined,
  };
}
