// The platform's behavioural contract in one place: routes, JSON keys, object/annotation names,
// identity rules, credential storage, error messages. Written from the contract research
// (platform-contract.md §1–§5, §7); every consumer (reference platform, sim, probes, scenarios)
// reads these instead of repeating string literals.

// ---- CRDs -------------------------------------------------------------------------------------
export const CRD_GROUP = 'vteam.ambient-code';
export const CRD_VERSION = 'v1alpha1';
export const SESSION_KIND = 'AgenticSession';
export const SESSION_PLURAL = 'agenticsessions';
export const SESSION_API_VERSION = `${CRD_GROUP}/${CRD_VERSION}`;
export const PROJECT_SETTINGS_PLURAL = 'projectsettings';
export const PROJECT_SETTINGS_KIND = 'ProjectSettings';
/** The only allowed ProjectSettings name (CEL rule in the CRD). */
export const PROJECT_SETTINGS_NAME = 'projectsettings';

export const PHASES = ['Pending', 'Creating', 'Running', 'Stopping', 'Stopped', 'Completed', 'Failed'] as const;
export type SessionPhase = (typeof PHASES)[number];
export const TERMINAL_PHASES: readonly SessionPhase[] = ['Stopped', 'Completed', 'Failed'];

// ---- Namespaces, deployments, services ----------------------------------------------------------
export const BACKEND_NAMESPACE = 'ambient-code';
export const BACKEND_SA = 'backend-api';
export const OPERATOR_SA = 'agentic-operator';
export const BACKEND_SERVICE = 'backend-service';
/** The Deployments that run the backend and operator in the platform's manifests. */
export const BACKEND_DEPLOYMENT = 'backend-api';
export const OPERATOR_DEPLOYMENT = 'agentic-operator';
/**
 * Files the backend and operator read at a compiled-in path inside a mounted ConfigMap, and the
 * env var that moves each (same at M and H): outside a pod the harness writes the ConfigMap's
 * files under the run's work dir and points these variables at them.
 */
export const MOUNTED_FILE_ENV: Record<string, string> = {
  MODELS_MANIFEST_PATH: '/config/models/models.json',
  AGENT_REGISTRY_PATH: '/config/registry/agent-registry.json',
  FLAGS_CONFIG_PATH: '/config/flags/flags.json',
};
export const BACKEND_PORT = 8080;
/** In-cluster base URL the operator gives runners (`BACKEND_API_URL`); includes `/api`. */
export function inClusterBackendUrl(backendNamespace = BACKEND_NAMESPACE): string {
  return `http://${BACKEND_SERVICE}.${backendNamespace}.svc.cluster.local:${BACKEND_PORT}/api`;
}

// ---- Routes ------------------------------------------------------------------------------------
export const ROUTES = {
  health: '/health',
  projects: '/api/projects',
  githubPat: '/api/auth/github/pat',
  jiraConnect: '/api/auth/jira/connect',
  gitlabConnect: '/api/auth/gitlab/connect',
  sessions: (project: string) => `/api/projects/${encodeURIComponent(project)}/agentic-sessions`,
  session: (project: string, name: string) => `/api/projects/${encodeURIComponent(project)}/agentic-sessions/${encodeURIComponent(name)}`,
  sessionStart: (project: string, name: string) => `${ROUTES.session(project, name)}/start`,
  sessionStop: (project: string, name: string) => `${ROUTES.session(project, name)}/stop`,
  credentials: (project: string, name: string, type: CredentialType) => `${ROUTES.session(project, name)}/credentials/${type}`,
} as const;

export const CREDENTIAL_TYPES = ['github', 'jira', 'gitlab', 'google'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

// ---- Runner --------------------------------------------------------------------------------------
/** Platform commits whose runner requests are modelled (§7): 6b21778 (M) and 0b59fe7de (H). */
export const RUNNER_COMMITS = ['6b21778', '0b59fe7de'] as const;
export type RunnerCommit = (typeof RUNNER_COMMITS)[number];

// ---- JSON keys ---------------------------------------------------------------------------------
/** The backend's create-request key (Go tag `parent_session_id`). */
export const PARENT_KEY_BACKEND = 'parent_session_id';
/** What the runner's backend_api.py actually sends. */
export const PARENT_KEY_RUNNER = 'parentSessionId';
export type ParentKey = typeof PARENT_KEY_BACKEND | typeof PARENT_KEY_RUNNER;

// ---- Labels and annotations --------------------------------------------------------------------
export const ANN_PARENT_SESSION = 'vteam.ambient-code/parent-session-id';
export const ANN_CREATED_BY_USER = 'ambient-code.io/created-by-user-id';
export const ANN_DESIRED_PHASE = 'ambient-code.io/desired-phase';
export const ANN_RUNNER_SA = 'ambient-code.io/runner-sa';
export const ANN_RUNNER_TOKEN_SECRET = 'ambient-code.io/runner-token-secret';
export const ANN_TOKEN_REFRESHED_AT = 'ambient-code.io/token-refreshed-at';
export const ANN_STOP_REQUESTED_AT = 'ambient-code.io/stop-requested-at';
export const ANN_STOP_REASON = 'ambient-code.io/stop-reason';
export const LABEL_MANAGED = 'ambient-code.io/managed';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_ROLE = 'ambient-code.io/role';
export const LABEL_SESSION = 'agentic-session';
export const LABEL_APP = 'app';
export const APP_RUNNER_POD = 'ambient-code-runner';
export const APP_RUNNER_SA = 'ambient-runner';
export const APP_RUNNER_TOKEN = 'ambient-runner-token';
/** Every object the harness creates carries this label (DESIGN conventions). */
export const LABEL_HARNESS_RUN = 'harness.ambient-code.io/run';

// ---- Per-session object names (operator) -------------------------------------------------------
export const sessionObjectNames = (name: string) => ({
  serviceAccount: `ambient-session-${name}`,
  role: `ambient-session-${name}-role`,
  roleBinding: `ambient-session-${name}-rb`,
  tokenSecret: `ambient-runner-token-${name}`,
  pod: `${name}-runner`,
  service: `session-${name}`,
});
export const TOKEN_SECRET_KEY = 'k8s-token';
export const AGUI_TOKEN_KEY = 'agui-token';
export const RUNNER_CONTAINER = 'ambient-code-runner';
export const RUNNER_PORT = 8001;
/** Kubernetes username of a session's runner SA. */
export const runnerServiceAccountUser = (namespace: string, session: string) =>
  `system:serviceaccount:${namespace}:${sessionObjectNames(session).serviceAccount}`;

// ---- Project secrets ---------------------------------------------------------------------------
export const RUNNER_SECRETS = 'ambient-runner-secrets';
export const RUNNER_SECRETS_REQUIRED_KEYS = ['ANTHROPIC_API_KEY'];
export const NON_VERTEX_INTEGRATIONS = 'ambient-non-vertex-integrations';
export const LEGACY_GITHUB_TOKEN_KEY = 'GITHUB_TOKEN';

// ---- Credential storage (backend namespace, keyed by exact userId, JSON values) ---------------
export const CREDENTIAL_SECRETS = {
  github: 'github-pat-credentials',
  jira: 'jira-credentials',
  gitlab: 'gitlab-credentials',
  google: 'google-oauth-credentials',
} as const satisfies Record<CredentialType, string>;
export const GITHUB_PAT_LABELS = { 'ambient-code.io/provider': 'github', 'ambient-code.io/type': 'pat' };
export const GITHUB_PAT_PREFIXES = ['ghp_', 'gho_', 'ghu_', 'ghs_', 'github_pat_'];

// ---- Project roles -----------------------------------------------------------------------------
export const PROJECT_ROLES = { admin: 'ambient-project-admin', edit: 'ambient-project-edit', view: 'ambient-project-view' } as const;

// ---- Create request defaults -------------------------------------------------------------------
export const DEFAULT_RUNNER_TYPE = 'claude-agent-sdk';
export const DEFAULT_TEMPERATURE = 0.7;
export const DEFAULT_MAX_TOKENS = 4000;
export const DEFAULT_TIMEOUT = 300;
export const LIST_DEFAULT_LIMIT = 20;
export const LIST_MAX_LIMIT = 100;
export const K8S_LIST_PAGE_SIZE = 500;

// ---- Identity rules ----------------------------------------------------------------------------
/** `sanitizeUserID` (§2.2): truncate 253, map `[^a-zA-Z0-9._-]`→`-`, trim `-`, collapse `--`. */
export function sanitizeUserID(userID: string): string {
  // Go truncates bytes (len(s) > 253 → s[:253]); a cut multi-byte rune becomes one invalid rune → "-".
  const bytes = Buffer.from(userID, 'utf8');
  let s = bytes.length > 253 ? bytes.subarray(0, 253).toString('utf8') : userID;
  s = s.replace(/[^a-zA-Z0-9._-]/g, '-');
  s = s.replace(/^-+|-+$/g, '');
  while (s.includes('--')) s = s.replaceAll('--', '-');
  return s;
}

/** SelfSubjectReview fallback (§2.3): colons only — not the full sanitizer. */
export function selfSubjectUserId(username: string): string {
  return username.replaceAll(':', '-');
}

/** `isValidUserID` of the save endpoints (§4.3). */
export function isValidUserID(userID: string): boolean {
  return userID.length > 0 && userID.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(userID);
}

/** Google's Secret data key: Secret keys allow only `[-._a-zA-Z0-9]` (assumed mapping; §4.3 names the function only). */
export function sanitizeSecretKey(userID: string): string {
  return userID.replace(/[^-._a-zA-Z0-9]/g, '_');
}

/** userId a runner SA gets at M via SelfSubjectReview (§2.3). */
export const runnerSaUserId = (namespace: string, session: string) => selfSubjectUserId(runnerServiceAccountUser(namespace, session));

/** DNS-1123 label, max 63 (project name check). */
export function isDns1123Label(s: string): boolean {
  return s.length > 0 && s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

export const SESSION_NAME_PATTERNS = {
  'unix-seconds': /^session-[0-9]{9,11}$/,
  uuid: /^session-[0-9a-f-]{36}$/,
} as const;

// ---- Error messages (status code in the comment) -----------------------------------------------
export const ERR = {
  userTokenRequired: 'User token required', // 401
  invalidToken: 'Invalid or missing token', // 401
  invalidProjectName: 'Invalid project name format', // 400
  tokenExpired: 'Token expired or invalid', // 401
  accessReviewFailed: 'Failed to perform access review', // 500
  projectForbidden: 'Unauthorized to access project', // 403
  invalidBody: 'Invalid request body', // 400
  runnerNotEnabled: (id: string) => `Runner type '${id}' is not enabled`, // 400
  runnerSecretMissing: (id: string) =>
    `Runner '${id}' requires at least one of [${RUNNER_SECRETS_REQUIRED_KEYS.join(', ')}] in ${RUNNER_SECRETS}`, // 400
  apiKeyValidationFailed: 'Failed to validate API key configuration', // 500
  modelNotAvailable: 'Model is not available for this runner type', // 400
  invalidInactivityTimeout: 'inactivityTimeout must be >= 0', // 400
  createFailed: 'Failed to create agentic session', // 500
  sessionNotFound: 'Session not found', // 404
  getFailed: 'Failed to get agentic session', // 500
  listFailed: 'Failed to list agentic sessions', // 500
  deleteFailed: 'Failed to delete agentic session', // 500
  updateFailed: 'Failed to update agentic session', // 500
  userIdMissingInSession: 'User ID not found in session', // 500
  sessionBelongsToOther: 'Access denied: session belongs to different user', // 403 (M)
  accessDenied: 'Access denied', // 403 (H)
  githubNotAvailable: 'no GitHub credentials available. Connect GitHub on the Integrations page', // 404
  gitlabNotConfigured: 'GitLab credentials not configured', // 404
  jiraNotConfigured: 'Jira credentials not configured', // 404
  jiraFailed: 'Failed to get Jira credentials', // 500
  googleNotConfigured: 'Google credentials not configured', // 404
  googleExpired: 'Google credentials expired and refresh failed', // 401
  userAuthRequired: 'User authentication required', // 401
  invalidUserId: 'Invalid user identifier', // 400
  invalidGithubToken: 'Invalid GitHub token format', // 400
  projectExists: 'Project already exists', // 409
  projectCreateFailed: 'Failed to create project', // 500
  notFound: 'Not found', // 404
} as const;

/** Log lines the contract's assertions look for. */
export const LOG = {
  parentFetchFailed: 'could not fetch parent session',
  inheriting: 'Inheriting userContext from parent session',
  credentialAccess: 'CREDENTIAL_ACCESS',
} as const;
