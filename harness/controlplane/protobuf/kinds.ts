// Which top-level kinds the protobuf decoder accepts, and which messages it treats specially.

/** `<group>/<Kind>` (core group written as "") → message key in tables.generated.ts. */
export const ROOT_KINDS: Record<string, string> = {
  '/ConfigMap': 'core.v1.ConfigMap',
  '/Secret': 'core.v1.Secret',
  '/Namespace': 'core.v1.Namespace',
  '/ServiceAccount': 'core.v1.ServiceAccount',
  '/Service': 'core.v1.Service',
  '/Pod': 'core.v1.Pod',
  '/PodTemplate': 'core.v1.PodTemplate',
  '/PersistentVolumeClaim': 'core.v1.PersistentVolumeClaim',
  '/Endpoints': 'core.v1.Endpoints',
  '/Event': 'core.v1.Event',
  '/Binding': 'core.v1.Binding',
  'authentication.k8s.io/TokenRequest': 'authentication.v1.TokenRequest',
  'authentication.k8s.io/TokenReview': 'authentication.v1.TokenReview',
  'authentication.k8s.io/SelfSubjectReview': 'authentication.v1.SelfSubjectReview',
  'authorization.k8s.io/SelfSubjectAccessReview': 'authorization.v1.SelfSubjectAccessReview',
  'authorization.k8s.io/LocalSubjectAccessReview': 'authorization.v1.LocalSubjectAccessReview',
  'authorization.k8s.io/SubjectAccessReview': 'authorization.v1.SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview': 'authorization.v1.SelfSubjectRulesReview',
  'apps/Deployment': 'apps.v1.Deployment',
  'apps/ReplicaSet': 'apps.v1.ReplicaSet',
  'apps/StatefulSet': 'apps.v1.StatefulSet',
  'apps/DaemonSet': 'apps.v1.DaemonSet',
  'batch/Job': 'batch.v1.Job',
  'batch/CronJob': 'batch.v1.CronJob',
  'rbac.authorization.k8s.io/Role': 'rbac.v1.Role',
  'rbac.authorization.k8s.io/ClusterRole': 'rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding': 'rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'rbac.v1.ClusterRoleBinding',
  'coordination.k8s.io/Lease': 'coordination.v1.Lease',
  'events.k8s.io/Event': 'events.v1.Event',
  'policy/Eviction': 'policy.v1.Eviction',
  'policy/PodDisruptionBudget': 'policy.v1.PodDisruptionBudget',
  'autoscaling/Scale': 'autoscaling.v1.Scale',
  'networking.k8s.io/Ingress': 'networking.v1.Ingress',
  'networking.k8s.io/NetworkPolicy': 'networking.v1.NetworkPolicy',
};

/** DeleteOptions is registered in every group version, so it is accepted under any apiVersion. */
export const ANY_GROUP_KINDS: Record<string, string> = { DeleteOptions: 'meta.v1.DeleteOptions' };

/** Messages with a JSON form of their own (message key → special type name used in the tables). */
export const WELL_KNOWN: Record<string, string> = {
  'meta.v1.Time': 'Time',
  'meta.v1.MicroTime': 'MicroTime',
  'meta.v1.Duration': 'Duration',
  'meta.v1.FieldsV1': 'FieldsV1',
  'runtime.RawExtension': 'RawExtension',
  'resource.Quantity': 'Quantity',
  'intstr.IntOrString': 'IntOrString',
};
