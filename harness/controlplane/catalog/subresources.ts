// What each served subresource is in discovery: the kind it takes and returns and its verbs.
// `status` returns the parent kind; `scale` is autoscaling/v1 Scale; `token` is TokenRequest.

import type { ResourceType } from '../types.ts';

export interface SubresourceInfo {
  /** Group/version of the kind, "" version meaning the parent's. */
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

const UPDATE_VERBS = ['get', 'patch', 'update'];

export function subresourceInfo(rt: ResourceType, subresource: string): SubresourceInfo {
  const info = describe(rt, subresource);
  return { ...info, verbs: [...info.verbs] };
}

function describe(rt: ResourceType, subresource: string): SubresourceInfo {
  const parent = { group: rt.group, version: rt.version };
  switch (subresource) {
    case 'status':
      return { ...parent, kind: rt.kind, verbs: UPDATE_VERBS };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: UPDATE_VERBS };
    case 'token':
      return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    case 'log':
      return { ...parent, kind: 'Pod', verbs: ['get'] };
    case 'finalize':
      return { ...parent, kind: rt.kind, verbs: ['update'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'binding':
      return { ...parent, kind: 'Binding', verbs: ['create'] };
    case 'ephemeralcontainers':
    case 'resize':
      return { ...parent, kind: rt.kind, verbs: UPDATE_VERBS };
    default:
      return { ...parent, kind: rt.kind, verbs: ['get'] };
  }
}
