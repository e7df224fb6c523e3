// The built-in resource types the embedded API server serves, with the names, verbs, short names,
// categories and subresources kube-apiserver 1.33 reports for them in discovery
// (`kubectl api-resources -o wide` on a real cluster), plus field selectors and printer columns.

import type { PrinterColumn, ResourceType } from '../types.ts';
import * as core from './columns-core.ts';
import * as other from './columns-other.ts';
import * as workloads from './columns-workloads.ts';
import * as fields from './field-selectors.ts';

/** The verbs of an ordinary stored resource. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Namespaces and Services do not support deletecollection. */
const NO_DELETECOLLECTION = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
/** Create-only review kinds (TokenReview, SubjectAccessReview, ...). */
const CREATE_ONLY = ['create'];
/** metrics.k8s.io is read-only and has no watch. */
const GET_LIST = ['get', 'list'];

interface Spec {
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  fieldSelectors?: ResourceType['fieldSelectors'];
  printerColumns?: PrinterColumn[];
  virtual?: boolean;
  storageVersion?: string;
}

function group(groupName: string, version: string, specs: Spec[]): ResourceType[] {
  return specs.map((s) => {
    const rt: ResourceType = {
      group: groupName,
      version,
      resource: s.resource,
      kind: s.kind,
      listKind: `${s.kind}List`,
      singular: s.kind.toLowerCase(),
      namespaced: s.namespaced,
      verbs: [...(s.verbs ?? (s.virtual ? CREATE_ONLY : STANDARD_VERBS))],
      subresources: [...(s.subresources ?? [])],
    };
    if (s.shortNames) rt.shortNames = [...s.shortNames];
    if (s.categories) rt.categories = [...s.categories];
    if (s.fieldSelectors) rt.fieldSelectors = { ...s.fieldSelectors };
    if (s.printerColumns) rt.printerColumns = s.printerColumns.map((c) => ({ ...c }));
    if (s.virtual) rt.virtual = true;
    if (s.storageVersion) rt.storageVersion = s.storageVersion;
    return rt;
  });
}

const ALL = ['all'];

function coreV1(): ResourceType[] {
  return group('', 'v1', [
    { resource: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], printerColumns: core.CONFIGMAP_COLUMNS },
    { resource: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'], printerColumns: core.ENDPOINTS_COLUMNS },
    { resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], fieldSelectors: fields.EVENT_FIELDS, printerColumns: core.EVENT_COLUMNS },
    { resource: 'limitranges', kind: 'LimitRange', namespaced: true, shortNames: ['limits'], printerColumns: other.LIMITRANGE_COLUMNS },
    {
      resource: 'namespaces', kind: 'Namespace', namespaced: false, verbs: NO_DELETECOLLECTION, shortNames: ['ns'],
      subresources: ['finalize', 'status'], fieldSelectors: fields.NAMESPACE_FIELDS, printerColumns: core.NAMESPACE_COLUMNS,
    },
    { resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'], fieldSelectors: fields.NODE_FIELDS, printerColumns: core.NODE_COLUMNS },
    { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'], subresources: ['status'], printerColumns: core.PVC_COLUMNS },
    { resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], subresources: ['status'] },
    {
      resource: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ALL,
      subresources: ['log', 'status'], fieldSelectors: fields.POD_FIELDS, printerColumns: workloads.POD_COLUMNS,
    },
    { resource: 'podtemplates', kind: 'PodTemplate', namespaced: true },
    {
      resource: 'replicationcontrollers', kind: 'ReplicationController', namespaced: true, shortNames: ['rc'], categories: ALL,
      subresources: ['scale', 'status'], fieldSelectors: fields.REPLICAS_FIELDS, printerColumns: workloads.REPLICASET_COLUMNS,
    },
    { resource: 'resourcequotas', kind: 'ResourceQuota', namespaced: true, shortNames: ['quota'], subresources: ['status'] },
    { resource: 'secrets', kind: 'Secret', namespaced: true, fieldSelectors: fields.SECRET_FIELDS, printerColumns: core.SECRET_COLUMNS },
    { resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], subresources: ['token'], printerColumns: core.SERVICEACCOUNT_COLUMNS },
    {
      resource: 'services', kind: 'Service', namespaced: true, verbs: NO_DELETECOLLECTION, shortNames: ['svc'], categories: ALL,
      subresources: ['status'], fieldSelectors: fields.SERVICE_FIELDS, printerColumns: core.SERVICE_COLUMNS,
    },
  ]);
}

function appsV1(): ResourceType[] {
  return group('apps', 'v1', [
    { resource: 'controllerrevisions', kind: 'ControllerRevision', namespaced: true },
    { resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ALL, subresources: ['status'], printerColumns: workloads.DAEMONSET_COLUMNS },
    { resource: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ALL, subresources: ['scale', 'status'], printerColumns: workloads.DEPLOYMENT_COLUMNS },
    {
      resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ALL, subresources: ['scale', 'status'],
      fieldSelectors: fields.REPLICAS_FIELDS, printerColumns: workloads.REPLICASET_COLUMNS,
    },
    { resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: ALL, subresources: ['scale', 'status'], printerColumns: workloads.STATEFULSET_COLUMNS },
  ]);
}

function batchV1(): ResourceType[] {
  return group('batch', 'v1', [
    { resource: 'cronjobs', kind: 'CronJob', namespaced: true, shortNames: ['cj'], categories: ALL, subresources: ['status'], printerColumns: workloads.CRONJOB_COLUMNS },
    { resource: 'jobs', kind: 'Job', namespaced: true, categories: ALL, subresources: ['status'], fieldSelectors: fields.JOB_FIELDS, printerColumns: workloads.JOB_COLUMNS },
  ]);
}

function autoscaling(version: 'v1' | 'v2'): ResourceType[] {
  return group('autoscaling', version, [
    {
      resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], categories: ALL,
      subresources: ['status'], printerColumns: other.HPA_COLUMNS, storageVersion: 'v2',
    },
  ]);
}

function rbacV1(): ResourceType[] {
  return group('rbac.authorization.k8s.io', 'v1', [
    { resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false, printerColumns: other.ROLEBINDING_COLUMNS },
    { resource: 'clusterroles', kind: 'ClusterRole', namespaced: false, printerColumns: other.ROLE_COLUMNS },
    { resource: 'rolebindings', kind: 'RoleBinding', namespaced: true, printerColumns: other.ROLEBINDING_COLUMNS },
    { resource: 'roles', kind: 'Role', namespaced: true, printerColumns: other.ROLE_COLUMNS },
  ]);
}

function networkingV1(): ResourceType[] {
  return group('networking.k8s.io', 'v1', [
    { resource: 'ingressclasses', kind: 'IngressClass', namespaced: false, printerColumns: other.INGRESSCLASS_COLUMNS },
    { resource: 'ingresses', kind: 'Ingress', namespaced: true, shortNames: ['ing'], subresources: ['status'], printerColumns: other.INGRESS_COLUMNS },
    { resource: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true, shortNames: ['netpol'], printerColumns: other.NETWORKPOLICY_COLUMNS },
  ]);
}

function reviews(): ResourceType[] {
  return [
    ...group('authentication.k8s.io', 'v1', [
      { resource: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false, virtual: true },
      { resource: 'tokenreviews', kind: 'TokenReview', namespaced: false, virtual: true },
    ]),
    ...group('authorization.k8s.io', 'v1', [
      { resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', namespaced: true, virtual: true },
      { resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, virtual: true },
      { resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false, virtual: true },
      { resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false, virtual: true },
    ]),
  ];
}

/** Every built-in type, grouped in kube-apiserver's discovery order. Fresh objects on every call. */
export function builtinResourceTypes(): ResourceType[] {
  return [
    ...coreV1(),
    ...appsV1(),
    ...group('events.k8s.io', 'v1', [{ resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'] }]),
    ...reviews(),
    ...autoscaling('v2'),
    ...autoscaling('v1'),
    ...batchV1(),
    ...networkingV1(),
    ...group('policy', 'v1', [
      { resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], subresources: ['status'], printerColumns: other.PDB_COLUMNS },
    ]),
    ...rbacV1(),
    ...group('storage.k8s.io', 'v1', [
      { resource: 'storageclasses', kind: 'StorageClass', namespaced: false, shortNames: ['sc'], printerColumns: other.STORAGECLASS_COLUMNS },
    ]),
    ...group('apiextensions.k8s.io', 'v1', [
      {
        resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'],
        categories: ['api-extensions'], subresources: ['status'], printerColumns: other.CRD_COLUMNS,
      },
    ]),
    ...group('scheduling.k8s.io', 'v1', [
      { resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, shortNames: ['pc'], printerColumns: other.PRIORITYCLASS_COLUMNS },
    ]),
    ...group('coordination.k8s.io', 'v1', [{ resource: 'leases', kind: 'Lease', namespaced: true, printerColumns: other.LEASE_COLUMNS }]),
    ...group('discovery.k8s.io', 'v1', [{ resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true }]),
    ...group('metrics.k8s.io', 'v1beta1', [
      { resource: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: GET_LIST },
      { resource: 'pods', kind: 'PodMetrics', namespaced: true, verbs: GET_LIST },
    ]),
  ];
}
