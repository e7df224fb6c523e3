// Resource types auth reads and writes through the InternalClient.
import type { GroupVersionResource, StoreEvent } from '../types.ts';

const core = (resource: string): GroupVersionResource => ({ group: '', version: 'v1', resource });
const rbac = (resource: string): GroupVersionResource => ({ group: 'rbac.authorization.k8s.io', version: 'v1', resource });

export const GVR = {
  namespaces: core('namespaces'),
  serviceAccounts: core('serviceaccounts'),
  secrets: core('secrets'),
  pods: core('pods'),
  nodes: core('nodes'),
  configMaps: core('configmaps'),
  roles: rbac('roles'),
  clusterRoles: rbac('clusterroles'),
  roleBindings: rbac('rolebindings'),
  clusterRoleBindings: rbac('clusterrolebindings'),
} as const;

/** True when a store event is about `gvr`; the core group may be keyed "core/x", "/x" or "x". */
export function eventIs(event: StoreEvent, gvr: GroupVersionResource): boolean {
  if (gvr.group) return event.key === `${gvr.group}/${gvr.resource}`;
  return event.key === `core/${gvr.resource}` || event.key === `/${gvr.resource}` || event.key === gvr.resource;
}
