// Seeded simulated users: ids in the shapes the backend must cope with (emails, colons, 253+
// characters, plain names), unicode display names, groups, and fake credentials with realistic
// shapes. Seeding goes through the backend's own save endpoints or straight into the Secrets.
import { de, el, en, Faker, ja, ru, zh_CN } from '@faker-js/faker';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { BACKEND_NAMESPACE, CREDENTIAL_SECRETS, GITHUB_PAT_LABELS, ROUTES, sanitizeUserID, type CredentialType } from '../platform/contract.ts';
import { apiCode } from '../platform/kube.ts';

export type UserIdShape = 'email' | 'colon' | 'long' | 'plain';
const SHAPES: UserIdShape[] = ['email', 'colon', 'long', 'plain'];

export interface SimUser {
  /** What the proxy sends as X-Forwarded-User. */
  rawId: string;
  /** What the backend stores as userId (sanitizeUserID of rawId). */
  userId: string;
  shape: UserIdShape;
  displayName: string;
  email: string;
  groups: string[];
  credentials: {
    github: { token: string };
    jira: { url: string; email: string; apiToken: string };
    gitlab: { token: string; instanceUrl: string };
  };
}

const LOCALES = [[ja, en], [zh_CN, en], [ru, en], [el, en], [de, en], [en]];

export function makeUsers(seed: number, count: number): SimUser[] {
  const f = new Faker({ locale: [en] });
  f.seed(seed);
  const users: SimUser[] = [];
  const seen = new Set<string>();
  for (let i = 0; users.length < count && i < count * 10; i++) {
    const shape = SHAPES[i % SHAPES.length];
    const local = new Faker({ locale: LOCALES[i % LOCALES.length] });
    local.seed(seed * 1000 + i);
    const first = f.person.firstName().toLowerCase().replace(/[^a-z]/g, '') || 'user';
    const last = f.person.lastName().toLowerCase().replace(/[^a-z]/g, '') || 'x';
    const email = `${first}.${last}${i}@example.com`;
    const rawId =
      shape === 'email'
        ? email
        : shape === 'colon'
          ? `oidc:${first}:${i}`
          : shape === 'long'
            ? `${first}.${last}.${i}.`.padEnd(260, f.string.alpha({ length: 1, casing: 'lower' }))
            : `${first}${i}`;
    const userId = sanitizeUserID(rawId);
    if (seen.has(userId)) continue;
    seen.add(userId);
    const company = f.helpers.slugify(f.company.name()).toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 30) || 'acme';
    users.push({
      rawId,
      userId,
      shape,
      displayName: local.person.fullName(),
      email,
      groups: f.helpers.arrayElements(['developers', 'platform', 'sre', 'data', 'security', 'qa'], { min: 1, max: 3 }),
      credentials: {
        github: { token: `ghp_${f.string.alphanumeric(36)}` },
        jira: { url: `https://${company}.atlassian.net`, email, apiToken: f.string.alphanumeric(24) },
        gitlab: { token: `glpat-${f.string.alphanumeric(20)}`, instanceUrl: 'https://gitlab.com' },
      },
    });
  }
  return users;
}

/** Header values go on the wire as raw UTF-8 bytes (as a proxy sends them); fetch needs them as a byte string. */
export function headerValue(v: string): string {
  return Buffer.from(v, 'utf8').toString('latin1');
}

/** The oauth-proxy headers for a user. */
export function forwardedHeaders(u: SimUser): Record<string, string> {
  return {
    'X-Forwarded-User': headerValue(u.rawId),
    'X-Forwarded-Preferred-Username': headerValue(u.displayName),
    'X-Forwarded-Email': headerValue(u.email),
    'X-Forwarded-Groups': headerValue(u.groups.join(',')),
  };
}

export type SeedMode = 'endpoints' | 'secrets';

/** Through POST /api/auth/... with X-Forwarded-User and a valid token (what the UI does). */
export async function seedViaEndpoints(backendUrl: string, token: string, users: SimUser[], types: CredentialType[] = ['github', 'jira', 'gitlab']): Promise<void> {
  for (const u of users) {
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'X-Forwarded-User': headerValue(u.rawId) };
    const calls: [string, unknown][] = [];
    if (types.includes('github')) calls.push([ROUTES.githubPat, { token: u.credentials.github.token }]);
    if (types.includes('jira')) calls.push([ROUTES.jiraConnect, u.credentials.jira]);
    if (types.includes('gitlab')) calls.push([ROUTES.gitlabConnect, { personalAccessToken: u.credentials.gitlab.token, instanceUrl: u.credentials.gitlab.instanceUrl }]);
    for (const [route, body] of calls) {
      const r = await fetch(`${backendUrl}${route}`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw new Error(`seeding ${route} for a ${u.shape} user failed: HTTP ${r.status}`);
    }
  }
}

/** Straight into the credential Secrets (one write per provider), keyed by exact userId. */
export async function seedViaSecrets(adminKc: KubeConfig, users: SimUser[], types: CredentialType[] = ['github', 'jira', 'gitlab'], namespace = BACKEND_NAMESPACE): Promise<void> {
  const core = adminKc.makeApiClient(CoreV1Api);
  const now = new Date().toISOString();
  for (const type of types) {
    const data: Record<string, string> = {};
    for (const u of users) {
      const value =
        type === 'github'
          ? { userId: u.userId, token: u.credentials.github.token, updatedAt: now }
          : type === 'jira'
            ? { userId: u.userId, ...u.credentials.jira, updatedAt: now }
            : type === 'gitlab'
              ? { userId: u.userId, ...u.credentials.gitlab, updatedAt: now }
              : undefined;
      if (value) data[u.userId] = Buffer.from(JSON.stringify(value)).toString('base64');
    }
    const name = CREDENTIAL_SECRETS[type];
    try {
      const cur = await core.readNamespacedSecret({ namespace, name });
      await core.replaceNamespacedSecret({ namespace, name, body: { ...cur, data: { ...(cur.data ?? {}), ...data } } });
    } catch (err) {
      if (apiCode(err) !== 404) throw err;
      await core.createNamespacedSecret({ namespace, body: { metadata: { name, namespace, ...(type === 'github' ? { labels: GITHUB_PAT_LABELS } : {}) }, type: 'Opaque', data } });
    }
  }
}
