// Server-side apply ownership, with expectations from the Kubernetes "Server-Side Apply" docs:
// conflicts, force, shared ownership, field removal, list types, transfer of ownership.
import { describe, expect, it } from 'vitest';
import { serverSideApply, updateManagedFields } from '../../harness/controlplane/patch/index.ts';
import { ApiError, type KubeObject } from '../../harness/controlplane/types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const T2 = '2026-01-01T00:02:00Z';

function deployment(spec: Any, labels: Record<string, string> = { app: 'web' }): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec };
}
function webSpec(replicas: number | undefined, containers: Any[] = [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }]): Any {
  return {
    ...(replicas === undefined ? {} : { replicas }),
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
  };
}
/** Stands in for the registry: the stored object gets server fields after a create. */
function stored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'uid-1', resourceVersion: '1', creationTimestamp: T0, generation: 1 } };
}
function conflict(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a conflict');
}
const entry = (o: KubeObject, manager: string) => o.metadata.managedFields?.find((m) => m.manager === manager);

describe('serverSideApply', () => {
  it('creates the object and records the applier’s fields in FieldsV1', () => {
    const out = serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 });
    expect(out.spec).toEqual(webSpec(2));
    expect(out.metadata.managedFields).toEqual([
      {
        manager: 'alice',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('a different value for a field another applier owns is a 409 conflict; force takes the field', () => {
    const live = stored(serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 }));
    const err = conflict(() => serverSideApply({ live, applied: deployment(webSpec(5)), manager: 'bob', force: false, now: T1 }));
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
    expect(err.details?.causes).toEqual([{ type: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);

    const forced = serverSideApply({ live, applied: deployment(webSpec(5)), manager: 'bob', force: true, now: T1 });
    expect((forced.spec as Any).replicas).toBe(5);
    expect(entry(forced, 'alice')!.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(entry(forced, 'bob')!.fieldsV1['f:spec']).toHaveProperty('f:replicas');
    expect(forced.metadata.uid).toBe('uid-1');
  });

  it('conflicts with Update managers name their apiVersion; several conflicts are listed per manager', () => {
    const created = stored(serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 }));
    const scaled = structuredClone(created);
    (scaled.spec as Any).replicas = 4;
    (scaled.spec as Any).template.spec.containers[0].image = 'nginx:1.28';
    scaled.metadata.managedFields = updateManagedFields({ before: created, after: scaled, manager: 'kubectl-edit', operation: 'Update', now: T1 });

    const one = conflict(() => serverSideApply({ live: scaled, applied: deployment(webSpec(3, [{ name: 'nginx', image: 'nginx:1.28', ports: [{ containerPort: 80 }] }])), manager: 'alice', force: false }));
    expect(one.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');

    const two = conflict(() => serverSideApply({ live: scaled, applied: deployment(webSpec(3)), manager: 'alice', force: false }));
    expect(two.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    expect(two.details?.causes?.map((c) => c.field)).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image']);
  });

  it('the same value is shared ownership; a field stays while any manager owns it and goes with the last one', () => {
    let live = stored(serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 }));
    live = serverSideApply({ live, applied: deployment(webSpec(2)), manager: 'bob', force: false, now: T1 });
    expect(entry(live, 'alice')!.fieldsV1['f:spec']).toHaveProperty('f:replicas');
    expect(entry(live, 'bob')!.fieldsV1['f:spec']).toHaveProperty('f:replicas');

    live = serverSideApply({ live, applied: deployment(webSpec(undefined)), manager: 'alice', force: false, now: T2 });
    expect((live.spec as Any).replicas).toBe(2);
    live = serverSideApply({ live, applied: deployment(webSpec(undefined)), manager: 'bob', force: false, now: T2 });
    expect(live.spec as Any).not.toHaveProperty('replicas');
  });

  it('a field the applier owned and now omits is removed (labels, list items)', () => {
    const two = [
      { name: 'nginx', image: 'nginx' },
      { name: 'sidecar', image: 'busybox' },
    ];
    let live = stored(serverSideApply({ applied: deployment(webSpec(1, two), { app: 'web', tier: 'front' }), manager: 'alice', force: false, now: T0 }));
    live = serverSideApply({ live, applied: deployment(webSpec(1, [two[0]]), { app: 'web' }), manager: 'alice', force: false, now: T1 });
    expect(live.metadata.labels).toEqual({ app: 'web' });
    expect((live.spec as Any).template.spec.containers).toEqual([two[0]]);
    expect(JSON.stringify(entry(live, 'alice')!.fieldsV1)).not.toContain('sidecar');
  });

  it('map-lists merge items of different managers; an item’s field conflicts by its key path', () => {
    let live = stored(serverSideApply({ applied: deployment(webSpec(1, [{ name: 'nginx', image: 'nginx' }])), manager: 'alice', force: false, now: T0 }));
    const sidecar = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'envoy' }] } } } } as KubeObject;
    live = serverSideApply({ live, applied: sidecar, manager: 'mesh', force: false, now: T1 });
    expect((live.spec as Any).template.spec.containers.map((c: Any) => c.name)).toEqual(['nginx', 'sidecar']);

    const err = conflict(() =>
      serverSideApply({ live, applied: { ...sidecar, spec: { template: { spec: { containers: [{ name: 'nginx', image: 'evil' }] } } } } as KubeObject, manager: 'mesh', force: false }),
    );
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="nginx"].image');

    // alice drops her container; mesh's stays.
    live = serverSideApply({ live, applied: deployment(webSpec(1, [])), manager: 'alice', force: false, now: T2 });
    expect((live.spec as Any).template.spec.containers.map((c: Any) => c.name)).toEqual(['sidecar']);
  });

  it('atomic values conflict as a whole: a LabelSelector and an atomic CRD list', () => {
    const live = stored(serverSideApply({ applied: deployment(webSpec(1)), manager: 'alice', force: false, now: T0 }));
    const sel = conflict(() => serverSideApply({ live, applied: deployment({ selector: { matchLabels: { app: 'other' } } }), manager: 'bob', force: false }));
    expect(sel.details?.causes?.[0].field).toBe('.spec.selector');

    const widget = (items: Any[]): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items } });
    const w = stored(serverSideApply({ applied: widget([{ name: 'a' }]), manager: 'alice', force: false, now: T0 }));
    const atomic = conflict(() => serverSideApply({ live: w, applied: widget([{ name: 'b' }]), manager: 'bob', force: false }));
    expect(atomic.details?.causes?.[0].field).toBe('.spec.items');

    const listTypeAt = (path: string[]) => (path.join('.') === 'spec.items' ? { type: 'map' as const, keys: ['name'] } : undefined);
    const mapped = serverSideApply({ live: w, applied: widget([{ name: 'b' }]), manager: 'bob', force: false, now: T1, listTypeAt });
    expect((mapped.spec as Any).items).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(entry(mapped, 'bob')!.fieldsV1).toEqual({ 'f:spec': { 'f:items': { 'k:{"name":"b"}': { '.': {}, 'f:name': {} } } } });
  });

  it('finalizers are a set: each manager owns its values', () => {
    const cm = (finalizers: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers } });
    let live = stored(serverSideApply({ applied: cm(['a.example.com/x']), manager: 'alice', force: false, now: T0 }));
    live = serverSideApply({ live, applied: cm(['b.example.com/y']), manager: 'bob', force: false, now: T1 });
    expect(live.metadata.finalizers).toEqual(['a.example.com/x', 'b.example.com/y']);
    expect(entry(live, 'bob')!.fieldsV1).toEqual({ 'f:metadata': { 'f:finalizers': { 'v:"b.example.com/y"': {} } } });
    live = serverSideApply({ live, applied: cm([]), manager: 'alice', force: false, now: T2 });
    expect(live.metadata.finalizers).toEqual(['b.example.com/y']);
  });

  it('an Update that changes an applied field takes it over (the HPA example); the next apply without it keeps the value', () => {
    const applied = stored(serverSideApply({ applied: deployment(webSpec(3)), manager: 'kubectl', force: false, now: T0 }));
    const scaled = structuredClone(applied);
    (scaled.spec as Any).replicas = 7;
    scaled.metadata.managedFields = updateManagedFields({ before: applied, after: scaled, manager: 'hpa', operation: 'Update', now: T1 });
    expect(entry(scaled, 'kubectl')!.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(entry(scaled, 'hpa')!.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });

    const reapplied = serverSideApply({ live: scaled, applied: deployment(webSpec(undefined)), manager: 'kubectl', force: false, now: T2 });
    expect((reapplied.spec as Any).replicas).toBe(7);
  });

  it('a no-op re-apply changes nothing and keeps the entry’s time', () => {
    const live = stored(serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 }));
    const again = serverSideApply({ live, applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T2 });
    expect(again).toEqual(live);
  });

  it('a resourceVersion in the applied config reaches the result (the registry’s precondition); others stay the server’s', () => {
    const live = stored(serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 }));
    const applied = deployment(webSpec(2));
    applied.metadata = { ...applied.metadata, resourceVersion: 'stale', uid: 'other', generation: 42 };
    const out = serverSideApply({ live, applied, manager: 'alice', force: false, now: T1 });
    expect([out.metadata.resourceVersion, out.metadata.uid, out.metadata.generation]).toEqual(['stale', 'uid-1', 1]);
    expect(serverSideApply({ live, applied: deployment(webSpec(2)), manager: 'alice', force: false }).metadata.resourceVersion).toBe('1');
    expect(serverSideApply({ applied, manager: 'alice', force: false }).metadata).not.toHaveProperty('resourceVersion');
  });

  it('dropping the last owned label removes the emptied labels map too', () => {
    let live = stored(serverSideApply({ applied: deployment(webSpec(1), { tier: 'front' }), manager: 'alice', force: false, now: T0 }));
    live = serverSideApply({ live, applied: { ...deployment(webSpec(1)), metadata: { name: 'web', namespace: 'default' } }, manager: 'alice', force: false, now: T1 });
    expect(live.metadata).not.toHaveProperty('labels');
    expect(live.metadata.name).toBe('web');
  });

  it('an object without managedFields is first attributed to "before-first-apply"', () => {
    const untracked = stored(deployment(webSpec(2)));
    const err = conflict(() => serverSideApply({ live: untracked, applied: deployment(webSpec(3)), manager: 'alice', force: false }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
    const same = serverSideApply({ live: untracked, applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T1 });
    expect(same.metadata.managedFields!.map((m) => m.manager)).toEqual(['alice', 'before-first-apply']);
  });

  it('a subresource manager is named with its subresource in conflicts', () => {
    const live = stored(serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 }));
    const withStatus = { ...structuredClone(live), status: { replicas: 2 } } as KubeObject;
    withStatus.metadata.managedFields = [
      ...live.metadata.managedFields!,
      ...updateManagedFields({ before: live, after: withStatus, manager: 'controller', operation: 'Update', subresource: 'status', now: T1 }).filter((m) => m.subresource === 'status'),
    ];
    const err = conflict(() => serverSideApply({ live: withStatus, applied: { ...deployment(webSpec(2)), status: { replicas: 9 } } as KubeObject, manager: 'alice', force: false }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "controller" with subresource "status" using apps/v1: .status.replicas');
  });

  it('kubectl’s first server-side apply after client-side apply takes over fields that still hold their last-applied value', () => {
    const csa = deployment(webSpec(2));
    const lastApplied = JSON.stringify(csa);
    const created = stored({ ...csa, metadata: { ...csa.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } });
    created.metadata.managedFields = updateManagedFields({ after: created, manager: 'kubectl-client-side-apply', operation: 'Update', now: T0 });

    const upgraded = serverSideApply({ live: created, applied: deployment(webSpec(4)), manager: 'kubectl', force: false, now: T1 });
    expect((upgraded.spec as Any).replicas).toBe(4);
    const annotation = JSON.parse(upgraded.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']);
    expect(annotation.spec.replicas).toBe(4);
    // Another manager name gets the plain conflict.
    expect(conflict(() => serverSideApply({ live: created, applied: deployment(webSpec(4)), manager: 'helm', force: false })).code).toBe(409);

    // A field someone changed after the client-side apply is a real conflict, even for kubectl.
    const edited = structuredClone(created);
    (edited.spec as Any).replicas = 9;
    edited.metadata.managedFields = updateManagedFields({ before: created, after: edited, manager: 'kubectl-edit', operation: 'Update', now: T1 });
    const err = conflict(() => serverSideApply({ live: edited, applied: deployment(webSpec(4)), manager: 'kubectl', force: false }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
  });

  it('rejects managedFields in the applied configuration (400) and never mutates its inputs', () => {
    const bad = deployment(webSpec(1));
    bad.metadata.managedFields = [];
    const err = conflict(() => serverSideApply({ applied: bad, manager: 'alice', force: false }));
    expect([err.code, err.message]).toEqual([400, 'metadata.managedFields must be nil']);

    const live = stored(serverSideApply({ applied: deployment(webSpec(2)), manager: 'alice', force: false, now: T0 }));
    const applied = deployment(webSpec(4));
    const snapshots = [structuredClone(live), structuredClone(applied)];
    serverSideApply({ live, applied, manager: 'bob', force: true, now: T1 });
    expect([live, applied]).toEqual(snapshots);
  });
});
