// The catalog of served resource types: built-ins, their subresources, columns and field selectors.
export { builtinResourceTypes, STANDARD_VERBS } from './builtins.ts';
export { subresourceInfo, type SubresourceInfo } from './subresources.ts';
export { podStatusReason } from './columns-workloads.ts';
export { groupRank, compareGroups, compareVersions } from './ordering.ts';
