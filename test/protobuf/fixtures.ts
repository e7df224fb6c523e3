// JSON objects (as a JSON client would send them) for every kind the protobuf decoder supports.
// Fake values only. Non-omitempty status fields (allowed, incomplete) are in the JSON form too.

type Fixture = { message: string; object: Record<string, unknown> & { apiVersion: string; kind: string } };

const meta = { name: 'demo', namespace: 'team-a', labels: { app: 'demo' }, annotations: { note: '' } };

const podSpec = {
  serviceAccountName: 'runner',
  automountServiceAccountToken: false,
  restartPolicy: 'Never',
  nodeName: 'node-1',
  terminationGracePeriodSeconds: 0,
  securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
  initContainers: [{ name: 'init', image: 'busybox:1', command: ['sh', '-c', 'true'] }],
  containers: [
    {
      name: 'main',
      image: 'example.invalid/runner:latest',
      args: ['--serve'],
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env: [
        { name: 'PLAIN', value: 'x' },
        { name: 'EMPTY_VALUE' },
        { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'creds', key: 'token', optional: false } } },
        { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ],
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds', optional: true } }],
      resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } },
      volumeMounts: [
        { name: 'work', mountPath: '/workspace' },
        { name: 'secret', mountPath: '/var/secret', readOnly: true },
      ],
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
      livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 3 },
      imagePullPolicy: 'IfNotPresent',
    },
  ],
  volumes: [
    { name: 'work', emptyDir: {} },
    { name: 'secret', secret: { secretName: 'creds', defaultMode: 420 } },
    { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.txt' }] } },
    {
      name: 'token',
      projected: {
        sources: [
          { serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        ],
      },
    },
  ],
};

const template = { metadata: { labels: { app: 'demo' } }, spec: podSpec };

export const FIXTURES: Record<string, Fixture> = {
  ConfigMap: {
    message: 'core.v1.ConfigMap',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: 'b', empty: '' }, binaryData: { bin: 'AAEC' }, immutable: false },
  },
  Secret: {
    message: 'core.v1.Secret',
    object: { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', data: { token: Buffer.from('fake-token').toString('base64') }, stringData: { s: 'plain' } },
  },
  Namespace: { message: 'core.v1.Namespace', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { 'ambient-code.io/managed': 'true' } } } },
  ServiceAccount: {
    message: 'core.v1.ServiceAccount',
    object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, automountServiceAccountToken: true, imagePullSecrets: [{ name: 'pull' }] },
  },
  Service: {
    message: 'core.v1.Service',
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: { type: 'ClusterIP', selector: { app: 'demo' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'named', port: 81, targetPort: 'http' }] },
    },
  },
  Pod: {
    message: 'core.v1.Pod',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...meta,
        generateName: 'demo-',
        uid: '00000000-0000-0000-0000-000000000001',
        resourceVersion: '42',
        generation: 3,
        creationTimestamp: '2026-01-02T03:04:05Z',
        finalizers: ['example.com/hold'],
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: '00000000-0000-0000-0000-000000000002', controller: true, blockOwnerDeletion: false }],
        managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } } }],
      },
      spec: podSpec,
    },
  },
  Deployment: {
    message: 'apps.v1.Deployment',
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'demo' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
        template,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
        revisionHistoryLimit: 2,
      },
    },
  },
  Job: {
    message: 'batch.v1.Job',
    object: { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { parallelism: 1, completions: 1, backoffLimit: 0, activeDeadlineSeconds: 600, template } },
  },
  CronJob: {
    message: 'batch.v1.CronJob',
    object: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } } },
  },
  Role: {
    message: 'rbac.v1.Role',
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta,
      rules: [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
        { verbs: ['update'], apiGroups: ['vteam.ambient-code'], resources: ['agenticsessions'], resourceNames: ['s1'] },
      ],
    },
  },
  ClusterRole: {
    message: 'rbac.v1.ClusterRole',
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'agg' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/metrics/*'] }],
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] },
    },
  },
  RoleBinding: {
    message: 'rbac.v1.RoleBinding',
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta,
      subjects: [
        { kind: 'ServiceAccount', name: 'runner', namespace: 'team-a' },
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo' },
    },
  },
  ClusterRoleBinding: {
    message: 'rbac.v1.ClusterRoleBinding',
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    },
  },
  Lease: {
    message: 'coordination.v1.Lease',
    object: {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: meta,
      spec: { holderIdentity: 'operator-1', leaseDurationSeconds: 15, acquireTime: '2026-01-02T03:04:05.123456Z', renewTime: '2026-01-02T03:04:06.000001Z', leaseTransitions: 0 },
    },
  },
  TokenRequest: {
    message: 'authentication.v1.TokenRequest',
    object: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: 'runner', namespace: 'team-a' },
      spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: '00000000-0000-0000-0000-000000000003' } },
    },
  },
  TokenReview: {
    message: 'authentication.v1.TokenReview',
    object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token: 'fake.jwt.token', audiences: ['api'] } },
  },
  SelfSubjectReview: { message: 'authentication.v1.SelfSubjectReview', object: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} } },
  SelfSubjectAccessReview: {
    message: 'authorization.v1.SelfSubjectAccessReview',
    object: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'team-a', verb: 'create', group: 'vteam.ambient-code', resource: 'agenticsessions', subresource: 'status', name: 's1' } },
      status: { allowed: false },
    },
  },
  SelfSubjectAccessReviewNonResource: {
    message: 'authorization.v1.SelfSubjectAccessReview',
    object: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } }, status: { allowed: false } },
  },
  LocalSubjectAccessReview: {
    message: 'authorization.v1.LocalSubjectAccessReview',
    object: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'LocalSubjectAccessReview',
      metadata: { namespace: 'team-a' },
      spec: { user: 'alice', groups: ['devs'], resourceAttributes: { namespace: 'team-a', verb: 'get', resource: 'pods' } },
      status: { allowed: false },
    },
  },
  SubjectAccessReview: {
    message: 'authorization.v1.SubjectAccessReview',
    object: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: { user: 'system:serviceaccount:team-a:runner', uid: 'u-1', groups: ['system:serviceaccounts'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=abc'] }, resourceAttributes: { verb: 'list', resource: 'secrets', namespace: 'team-a' } },
      status: { allowed: false },
    },
  },
  SelfSubjectRulesReview: {
    message: 'authorization.v1.SelfSubjectRulesReview',
    object: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'team-a' }, status: { incomplete: false } },
  },
  Event: {
    message: 'events.v1.Event',
    object: {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: meta,
      eventTime: '2026-01-02T03:04:05.000000Z',
      reportingController: 'ambient/operator',
      reportingInstance: 'op-1',
      action: 'Reconcile',
      reason: 'Created',
      regarding: { kind: 'Pod', namespace: 'team-a', name: 'p' },
      note: 'created pod',
      type: 'Normal',
    },
  },
  Ingress: {
    message: 'networking.v1.Ingress',
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta,
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['demo.example.invalid'], secretName: 'tls' }],
        rules: [{ host: 'demo.example.invalid', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'demo', port: { number: 80 } } } }] } }],
      },
    },
  },
  NetworkPolicy: {
    message: 'networking.v1.NetworkPolicy',
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta,
      spec: { podSelector: { matchLabels: { app: 'demo' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
    },
  },
  DeleteOptions: {
    message: 'meta.v1.DeleteOptions',
    object: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u-1' }, dryRun: ['All'] },
  },
};
