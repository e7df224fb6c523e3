// Builders of the objects the operator creates per session (contract §5.2, §5.3). Pure functions
// of the session and the profile, so they are unit-testable and the reconciler stays short.
import type { V1OwnerReference, V1Pod, V1Role, V1RoleBinding, V1Secret, V1Service, V1ServiceAccount, V1EnvVar } from '@kubernetes/client-node';
import {
  AGUI_TOKEN_KEY,
  ANN_CREATED_BY_USER,
  ANN_PARENT_SESSION,
  ANN_TOKEN_REFRESHED_AT,
  APP_RUNNER_POD,
  APP_RUNNER_SA,
  APP_RUNNER_TOKEN,
  CRD_GROUP,
  LABEL_APP,
  LABEL_SESSION,
  NON_VERTEX_INTEGRATIONS,
  RUNNER_CONTAINER,
  RUNNER_PORT,
  RUNNER_SECRETS,
  SESSION_API_VERSION,
  SESSION_KIND,
  SESSION_PLURAL,
  TOKEN_SECRET_KEY,
  inClusterBackendUrl,
  sessionObjectNames,
} from '../contract.ts';
import type { BehaviourProfile } from './profiles.ts';

export interface SessionObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; uid: string; resourceVersion?: string; generation?: number; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: {
    userContext?: { userId?: string; displayName?: string; groups?: string[] };
    environmentVariables?: Record<string, string>;
    initialPrompt?: string;
    llmSettings?: { model?: string; temperature?: number; maxTokens?: number };
    timeout?: number;
  };
  status?: Record<string, unknown> & { phase?: string; conditions?: Condition[] };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export const BOT_TOKEN_DIR = '/var/run/secrets/ambient';
export const BOT_TOKEN_FILE = 'bot-token';

export function ownerRef(s: SessionObject): V1OwnerReference {
  return { apiVersion: SESSION_API_VERSION, kind: SESSION_KIND, name: s.metadata.name, uid: s.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** The parent recorded on the session: annotation first, then spec env (§3.2). */
export function recordedParent(s: SessionObject): string | undefined {
  return s.metadata.annotations?.[ANN_PARENT_SESSION] || s.spec?.environmentVariables?.PARENT_SESSION_ID || undefined;
}

export function serviceAccount(s: SessionObject, profile: BehaviourProfile): V1ServiceAccount {
  const userId = s.spec?.userContext?.userId;
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: sessionObjectNames(s.metadata.name).serviceAccount,
      namespace: s.metadata.namespace,
      labels: { [LABEL_APP]: APP_RUNNER_SA },
      ...(profile.annotateRunnerSaWithOwner && userId ? { annotations: { [ANN_CREATED_BY_USER]: userId } } : {}),
      ownerReferences: [ownerRef(s)],
    },
  };
}

export function runnerRole(s: SessionObject): V1Role {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: sessionObjectNames(s.metadata.name).role, namespace: s.metadata.namespace, ownerReferences: [ownerRef(s)] },
    rules: [
      { apiGroups: [CRD_GROUP], resources: [SESSION_PLURAL], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    ],
  };
}

export function runnerRoleBinding(s: SessionObject): V1RoleBinding {
  const n = sessionObjectNames(s.metadata.name);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: n.roleBinding, namespace: s.metadata.namespace, ownerReferences: [ownerRef(s)] },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n.role },
    subjects: [{ kind: 'ServiceAccount', name: n.serviceAccount, namespace: s.metadata.namespace }],
  };
}

export function tokenSecret(s: SessionObject, token: string, profile: BehaviourProfile, aguiToken: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: sessionObjectNames(s.metadata.name).tokenSecret,
      namespace: s.metadata.namespace,
      labels: { [LABEL_APP]: APP_RUNNER_TOKEN, [LABEL_SESSION]: s.metadata.name },
      annotations: { [ANN_TOKEN_REFRESHED_AT]: new Date().toISOString() },
      ownerReferences: [ownerRef(s)],
    },
    data: {
      [TOKEN_SECRET_KEY]: Buffer.from(token).toString('base64'),
      ...(profile.aguiTokenKey ? { [AGUI_TOKEN_KEY]: Buffer.from(aguiToken).toString('base64') } : {}),
    },
  };
}

export interface PodSettings {
  backendNamespace: string;
  runnerImage: string;
  stateSyncImage: string;
}

export function runnerEnv(s: SessionObject, profile: BehaviourProfile, settings: PodSettings): V1EnvVar[] {
  const name = s.metadata.name;
  const ns = s.metadata.namespace;
  const spec = s.spec ?? {};
  const tokenRef: V1EnvVar = { name: 'BOT_TOKEN', valueFrom: { secretKeyRef: { name: sessionObjectNames(name).tokenSecret, key: TOKEN_SECRET_KEY } } };
  const base: V1EnvVar[] = [
    { name: 'AGENTIC_SESSION_NAME', value: name },
    { name: 'AGENTIC_SESSION_NAMESPACE', value: ns },
    { name: 'SESSION_ID', value: name },
    { name: 'PROJECT_NAME', value: ns },
    { name: 'BACKEND_API_URL', value: inClusterBackendUrl(settings.backendNamespace) },
    ...(profile.botTokenDelivery === 'env' ? [tokenRef] : []),
    { name: 'USER_ID', value: spec.userContext?.userId ?? '' },
    { name: 'USER_NAME', value: spec.userContext?.displayName ?? '' },
    { name: 'IS_RESUME', value: 'false' },
    { name: 'INITIAL_PROMPT', value: spec.initialPrompt ?? '' },
    { name: 'LLM_MODEL', value: spec.llmSettings?.model ?? '' },
    { name: 'LLM_TEMPERATURE', value: String(spec.llmSettings?.temperature ?? '') },
    { name: 'LLM_MAX_TOKENS', value: String(spec.llmSettings?.maxTokens ?? '') },
    { name: 'TIMEOUT', value: String(spec.timeout ?? '') },
    { name: 'USE_AGUI', value: 'true' },
    { name: 'AGUI_PORT', value: String(RUNNER_PORT) },
    { name: 'USE_VERTEX', value: '0' },
  ];
  const parent = recordedParent(s);
  if (parent) base.push({ name: 'PARENT_SESSION_ID', value: parent });
  // spec.environmentVariables override the operator's values.
  const byName = new Map(base.map((e) => [e.name, e]));
  for (const [k, v] of Object.entries(spec.environmentVariables ?? {})) byName.set(k, { name: k, value: v });
  return [...byName.values()];
}

export function runnerPod(s: SessionObject, profile: BehaviourProfile, settings: PodSettings): V1Pod {
  const n = sessionObjectNames(s.metadata.name);
  const tokenRef: V1EnvVar = { name: 'BOT_TOKEN', valueFrom: { secretKeyRef: { name: n.tokenSecret, key: TOKEN_SECRET_KEY } } };
  const fileToken = profile.botTokenDelivery === 'file';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: n.pod,
      namespace: s.metadata.namespace,
      labels: { [LABEL_SESSION]: s.metadata.name, [LABEL_APP]: APP_RUNNER_POD },
      ownerReferences: [ownerRef(s)],
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      initContainers: [{ name: 'init-hydrate', image: settings.stateSyncImage, command: ['/usr/local/bin/hydrate.sh'], env: [tokenRef], volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }] }],
      containers: [
        {
          name: RUNNER_CONTAINER,
          image: settings.runnerImage,
          ports: [{ name: 'agui', containerPort: RUNNER_PORT }],
          env: runnerEnv(s, profile, settings),
          envFrom: [{ secretRef: { name: RUNNER_SECRETS } }, { secretRef: { name: NON_VERTEX_INTEGRATIONS, optional: true } }],
          resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '4Gi' } },
          volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }, ...(fileToken ? [{ name: 'bot-token', mountPath: BOT_TOKEN_DIR, readOnly: true }] : [])],
        },
        {
          name: 'state-sync',
          image: settings.stateSyncImage,
          command: ['/usr/local/bin/sync.sh'],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } },
          volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
        },
      ],
      volumes: [
        { name: 'workspace', emptyDir: { sizeLimit: '10Gi' } },
        ...(fileToken ? [{ name: 'bot-token', secret: { secretName: n.tokenSecret, items: [{ key: TOKEN_SECRET_KEY, path: BOT_TOKEN_FILE }] } }] : []),
      ],
    },
  };
}

export function runnerService(s: SessionObject): V1Service {
  const n = sessionObjectNames(s.metadata.name);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: n.service, namespace: s.metadata.namespace, labels: { [LABEL_SESSION]: s.metadata.name }, ownerReferences: [ownerRef(s)] },
    spec: { type: 'ClusterIP', selector: { [LABEL_SESSION]: s.metadata.name }, ports: [{ name: 'agui', port: RUNNER_PORT, targetPort: RUNNER_PORT, protocol: 'TCP' }] },
  };
}

export function setCondition(conds: Condition[] | undefined, c: Omit<Condition, 'lastTransitionTime'>): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: Condition = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : new Date().toISOString() };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}
