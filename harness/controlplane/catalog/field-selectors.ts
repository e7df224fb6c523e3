// Field-selector labels kube-apiserver accepts per built-in kind (besides metadata.name and
// metadata.namespace, which every kind has). Values are what the apiserver's field sets hold:
// a missing field reads as "" (so `spec.nodeName=` selects unscheduled pods), booleans as "true"/"false".

import type { KubeObject } from '../types.ts';
import { arr, num, obj, str } from './column-helpers.ts';

export type FieldSelectors = Record<string, (obj: KubeObject) => string | undefined>;

const at = (...path: string[]) => (o: KubeObject): string => {
  let v: unknown = o;
  for (const p of path) v = obj(v)[p];
  return v === undefined || v === null ? '' : String(v);
};

const bool = (...path: string[]) => (o: KubeObject): string => (at(...path)(o) === 'true' ? 'true' : 'false');

export const POD_FIELDS: FieldSelectors = {
  'spec.nodeName': at('spec', 'nodeName'),
  'spec.restartPolicy': at('spec', 'restartPolicy'),
  'spec.schedulerName': at('spec', 'schedulerName'),
  'spec.serviceAccountName': at('spec', 'serviceAccountName'),
  'spec.hostNetwork': bool('spec', 'hostNetwork'),
  'status.phase': at('status', 'phase'),
  // The first of status.podIPs, as the pod strategy's field set does.
  'status.podIP': (o) => str(obj(arr(obj(o.status).podIPs)[0]).ip) || at('status', 'podIP')(o),
  'status.nominatedNodeName': at('status', 'nominatedNodeName'),
};

export const NODE_FIELDS: FieldSelectors = { 'spec.unschedulable': bool('spec', 'unschedulable') };

export const NAMESPACE_FIELDS: FieldSelectors = { 'status.phase': at('status', 'phase') };

export const SECRET_FIELDS: FieldSelectors = { type: at('type') };

export const SERVICE_FIELDS: FieldSelectors = { 'spec.clusterIP': at('spec', 'clusterIP'), 'spec.type': at('spec', 'type') };

export const EVENT_FIELDS: FieldSelectors = {
  'involvedObject.kind': at('involvedObject', 'kind'),
  'involvedObject.namespace': at('involvedObject', 'namespace'),
  'involvedObject.name': at('involvedObject', 'name'),
  'involvedObject.uid': at('involvedObject', 'uid'),
  'involvedObject.apiVersion': at('involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': at('involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': at('involvedObject', 'fieldPath'),
  reason: at('reason'),
  reportingComponent: at('reportingComponent'),
  source: at('source', 'component'),
  type: at('type'),
};

export const REPLICAS_FIELDS: FieldSelectors = { 'status.replicas': (o) => String(num(obj(o.status).replicas)) };

export const JOB_FIELDS: FieldSelectors = { 'status.successful': (o) => String(num(obj(o.status).succeeded)) };
