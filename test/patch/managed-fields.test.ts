// managedFields for non-apply writes (create, update, patch): operation Update entries.
import { describe, expect, it } from 'vitest';
import { updateManagedFields } from '../../harness/controlplane/patch/index.ts';
import type { KubeObject } from '../../harness/controlplane/types.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';

function configMap(data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', namespace: 'default', uid: 'u', resourceVersion: '5', creationTimestamp: T0, ...(labels ? { labels } : {}) },
    data,
  };
}
function withFields(obj: KubeObject, managedFields: KubeObject['metadata']['managedFields']): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, managedFields } };
}

describe('updateManagedFields', () => {
  it('a create owns every field it set, new maps included (like kubectl-create), server metadata excluded', () => {
    const fields = updateManagedFields({ after: configMap({ a: '1' }, { app: 'x' }), manager: 'kubectl-create', operation: 'Update', now: T0 });
    expect(fields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      },
    ]);
  });

  it('an update takes the fields it changed from other managers and adds them to its own entry for the same apiVersion', () => {
    const v1 = withFields(configMap({ a: '1', b: '2' }), updateManagedFields({ after: configMap({ a: '1', b: '2' }), manager: 'creator', operation: 'Update', now: T0 }));
    const v2 = configMap({ a: '1', b: 'changed' });
    v2.metadata.managedFields = v1.metadata.managedFields;
    const fields = updateManagedFields({ before: v1, after: v2, manager: 'editor', operation: 'Update', now: T1 });
    expect(fields.map((f) => [f.manager, f.fieldsV1])).toEqual([
      ['creator', { 'f:data': { '.': {}, 'f:a': {} } }],
      ['editor', { 'f:data': { 'f:b': {} } }],
    ]);

    const v3 = withFields(configMap({ a: 'again', b: 'changed' }), fields);
    const merged = updateManagedFields({ before: withFields(v2, fields), after: v3, manager: 'editor', operation: 'Update', now: T1 });
    expect(merged.find((f) => f.manager === 'editor')!.fieldsV1).toEqual({ 'f:data': { 'f:a': {}, 'f:b': {} } });
    // The creator still owns the data map itself (a member without children encodes as {}).
    expect(merged.find((f) => f.manager === 'creator')!.fieldsV1).toEqual({ 'f:data': {} });
  });

  it('removed fields leave every set; a write that changes nothing adds no entry', () => {
    const before = withFields(configMap({ a: '1', b: '2' }), updateManagedFields({ after: configMap({ a: '1', b: '2' }), manager: 'creator', operation: 'Update', now: T0 }));
    const after = withFields(configMap({ a: '1' }), before.metadata.managedFields);
    const fields = updateManagedFields({ before, after, manager: 'pruner', operation: 'Update', now: T1 });
    expect(fields).toHaveLength(1);
    expect(fields[0].fieldsV1).toEqual({ 'f:data': { '.': {}, 'f:a': {} } });
    expect(fields[0].time).toBe(T0);
  });

  it('subresource writes get their own entry; other apiVersions too', () => {
    const deploy = (replicas: number, status?: Record<string, unknown>): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas },
      ...(status ? { status } : {}),
    });
    const created = withFields(deploy(1), updateManagedFields({ after: deploy(1), manager: 'm', operation: 'Update', now: T0 }));
    const withStatus = withFields(deploy(1, { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] }), created.metadata.managedFields);
    const fields = updateManagedFields({ before: created, after: withStatus, manager: 'm', operation: 'Update', subresource: 'status', now: T1 });
    const status = fields.find((f) => f.subresource === 'status')!;
    expect(status.fieldsV1).toEqual({ 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} } });
    expect(fields.filter((f) => f.manager === 'm')).toHaveLength(2);

    const paused = { ...deploy(1), apiVersion: 'apps/v1beta2', spec: { replicas: 1, paused: true } };
    const other = updateManagedFields({ before: created, after: withFields(paused, created.metadata.managedFields), manager: 'm', operation: 'Update', now: T1 });
    expect(other.map((f) => [f.apiVersion, f.fieldsV1])).toEqual([
      ['apps/v1', { 'f:spec': { 'f:replicas': {} } }],
      ['apps/v1beta2', { 'f:spec': { 'f:paused': {} } }],
    ]);
  });

  it('a request may reset managedFields: [{}] clears them, a different list replaces them', () => {
    const before = withFields(configMap({ a: '1' }), updateManagedFields({ after: configMap({ a: '1' }), manager: 'creator', operation: 'Update', now: T0 }));
    const cleared = updateManagedFields({ before, after: withFields(configMap({ a: '1' }), [{} as never]), manager: 'x', operation: 'Update' });
    expect(cleared).toEqual([]);
    const replaced = [{ manager: 'someone', operation: 'Apply' as const, apiVersion: 'v1', fieldsType: 'FieldsV1' as const, fieldsV1: { 'f:data': { 'f:a': {} } } }];
    expect(updateManagedFields({ before, after: withFields(configMap({ a: '1' }), replaced), manager: 'x', operation: 'Update' })).toEqual(replaced);
  });
});
