// Patch module of the embedded control plane: pure functions, no I/O. The registry calls these for
// PATCH (json, merge, strategic, apply) and to record managedFields on every write.
export { applyJsonPatch } from './json-patch.ts';
export { applyMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge.ts';
export { serverSideApply, type ServerSideApplyArgs } from './server-side-apply.ts';
export { updateManagedFields, type UpdateManagedFieldsArgs } from './update-managed-fields.ts';
export type { ListTypeLookup } from './schema.ts';
