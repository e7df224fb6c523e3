// Unit tests of the pure parts: identity rules, create-request binding, profiles, operator objects.
import { describe, expect, it } from 'vitest';
import { isValidUserID, runnerSaUserId, sanitizeUserID, selfSubjectUserId, sessionObjectNames, SESSION_NAME_PATTERNS } from '../../harness/platform/contract.ts';
import { bindCreateRequest } from '../../harness/platform/reference/create-request.ts';
import { runnerEnv, runnerPod, serviceAccount, tokenSecret, type SessionObject } from '../../harness/platform/reference/operator-objects.ts';
import { getProfile, PROFILES } from '../../harness/platform/reference/profiles.ts';
import { generateSessionName } from '../../harness/platform/reference/session-create.ts';
import { HttpError } from '../../harness/platform/reference/http-util.ts';

describe('sanitizeUserID (§2.2)', () => {
  it.each([
    ['kube:admin', 'kube-admin'],
    ['system:serviceaccount:ns:sa', 'system-serviceaccount-ns-sa'],
    ['user@x.com', 'user-x.com'],
    ['--a::b--', 'a-b'],
    ['Ünïcode Náme', 'n-code-N-me'],
  ])('%s → %s', (input, out) => expect(sanitizeUserID(input)).toBe(out));

  it('truncates to 253 before mapping', () => {
    const long = 'a'.repeat(300);
    expect(sanitizeUserID(long)).toHaveLength(253);
    expect(sanitizeUserID(`${'é'.repeat(100)}${'b'.repeat(100)}`)).toBe('-b'.slice(1) + 'b'.repeat(52));
    expect(isValidUserID(sanitizeUserID(long))).toBe(true);
    expect(isValidUserID('a'.repeat(254))).toBe(false);
    expect(isValidUserID('a b')).toBe(false);
  });

  it('SelfSubjectReview rule only replaces colons', () => {
    expect(selfSubjectUserId('system:serviceaccount:p:ambient-session-x')).toBe('system-serviceaccount-p-ambient-session-x');
    expect(selfSubjectUserId('a@b:c')).toBe('a@b-c');
    expect(runnerSaUserId('proj', 'session-1711234567')).toBe('system-serviceaccount-proj-ambient-session-session-1711234567');
  });
});

describe('create request binding (§1.2)', () => {
  const m = getProfile('m-6b21778');
  const ref = getProfile('reference');
  it('only parent_session_id (any case) triggers inheritance at M', () => {
    expect(bindCreateRequest({ parentSessionId: 'p' }, m.parentKeys).parentSessionId).toBe('');
    expect(bindCreateRequest({ parent_session_id: 'p' }, m.parentKeys).parentSessionId).toBe('p');
    expect(bindCreateRequest({ PARENT_SESSION_ID: 'p' }, m.parentKeys).parentSessionId).toBe('p');
    expect(bindCreateRequest({ parentSessionId: 'p' }, ref.parentKeys).parentSessionId).toBe('p');
  });
  it('userContext fields are binding:"required"; type mismatches are 400', () => {
    expect(() => bindCreateRequest({ userContext: { userId: 'x' } }, m.parentKeys)).toThrow(HttpError);
    expect(() => bindCreateRequest({ timeout: 'soon' }, m.parentKeys)).toThrow(HttpError);
    expect(() => bindCreateRequest({ activeWorkflow: { branch: 'x' } }, m.parentKeys)).toThrow(HttpError);
    const ok = bindCreateRequest({ userContext: { userId: 'x', displayName: 'X', groups: [] }, sessionName: 'ignored' }, m.parentKeys);
    expect(ok.userContext).toEqual({ userId: 'x', displayName: 'X', groups: [] });
  });
  it('session names follow the profile', () => {
    expect(generateSessionName(m, 1711234567_000)).toBe('session-1711234567');
    expect(generateSessionName(getProfile('h-0b59fe7'))).toMatch(SESSION_NAME_PATTERNS.uuid);
  });
});

describe('profiles', () => {
  it('are switch records and unknown names are rejected', () => {
    expect(Object.keys(PROFILES).sort()).toEqual(['h-0b59fe7', 'm-6b21778', 'reference']);
    expect(() => getProfile('nope')).toThrow(/unknown behaviour profile/);
    expect(getProfile(undefined).name).toBe('reference');
  });
});

describe('operator objects (§5.2, §5.3)', () => {
  const s: SessionObject = {
    metadata: { name: 'session-1', namespace: 'proj', uid: 'u-1', annotations: { 'vteam.ambient-code/parent-session-id': 'session-0' } },
    spec: { userContext: { userId: 'alice', displayName: 'Alice', groups: [] }, environmentVariables: { FOO: 'bar', USER_NAME: 'override' } },
  };
  const settings = { backendNamespace: 'ambient-code', runnerImage: 'r', stateSyncImage: 's' };
  it('SA owner annotation only where the profile says so', () => {
    expect(serviceAccount(s, getProfile('m-6b21778')).metadata?.annotations).toBeUndefined();
    expect(serviceAccount(s, getProfile('h-0b59fe7')).metadata?.annotations).toEqual({ 'ambient-code.io/created-by-user-id': 'alice' });
  });
  it('runner env: contract names, parent, spec env overrides, BOT_TOKEN delivery per profile', () => {
    const env = Object.fromEntries(runnerEnv(s, getProfile('m-6b21778'), settings).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env.AGENTIC_SESSION_NAME).toBe('session-1');
    expect(env.BACKEND_API_URL).toBe('http://backend-service.ambient-code.svc.cluster.local:8080/api');
    expect(env.PARENT_SESSION_ID).toBe('session-0');
    expect(env.USER_NAME).toBe('override');
    expect(env.BOT_TOKEN).toEqual({ secretKeyRef: { name: 'ambient-runner-token-session-1', key: 'k8s-token' } });
    const hPod = runnerPod(s, getProfile('h-0b59fe7'), settings);
    const runner = hPod.spec?.containers[0];
    expect(runner?.env?.some((e) => e.name === 'BOT_TOKEN')).toBe(false);
    expect(runner?.volumeMounts?.some((m) => m.mountPath === '/var/run/secrets/ambient')).toBe(true);
    expect(hPod.metadata?.name).toBe(sessionObjectNames('session-1').pod);
    expect(hPod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'AgenticSession', name: 'session-1', uid: 'u-1', controller: true });
  });
  it('token Secret carries agui-token only at H', () => {
    expect(Object.keys(tokenSecret(s, 't', getProfile('m-6b21778'), 'a').data ?? {})).toEqual(['k8s-token']);
    expect(Object.keys(tokenSecret(s, 't', getProfile('h-0b59fe7'), 'a').data ?? {})).toEqual(['k8s-token', 'agui-token']);
  });
});
