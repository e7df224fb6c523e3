// Deployment controller: one ReplicaSet per pod template (`<name>-<template hash>`), rolling or
// recreate updates, revision annotations, and the status/conditions `kubectl rollout status` and
// `kubectl wait --for=condition=Available` read.
import type { KubeObject, StoreEvent } from '../../types.ts';
import { matchesSelector, type LabelSelectorObject } from '../label-selector.ts';
import { GVR, type Condition, clone, controllerRef, isTerminating, jsonEqual, keyOf, nsName, ownerRefTo, rfc3339, splitNsName } from '../resources.ts';
import { type Clock, QueuedController, logError } from '../runtime.ts';
import { type PodTemplate, intOrPercent, templateHash } from './pod-template.ts';

const NAME = 'deployment';
const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
const MANAGER = 'deployment-controller';

interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplate;
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
}

interface RsStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

function rsReplicas(rs: KubeObject): number {
  return (rs.spec as { replicas?: number }).replicas ?? 0;
}

function rsStatus(rs: KubeObject): Required<RsStatus> {
  const s = (rs.status ?? {}) as RsStatus;
  return { replicas: s.replicas ?? 0, readyReplicas: s.readyReplicas ?? 0, availableReplicas: s.availableReplicas ?? 0 };
}

/** The template without the hash label, for comparing a ReplicaSet's template to the Deployment's. */
function templateWithoutHash(template: PodTemplate | undefined): PodTemplate {
  const t = clone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH_LABEL];
  return withoutEmpty(t) as PodTemplate;
}

/**
 * Drops nulls and empty objects: a template copied back by `kubectl rollout undo` carries
 * `creationTimestamp: null` and `resources: {}`, which Go's omitempty would never show.
 */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const cleaned = withoutEmpty(v);
    if (cleaned === null || cleaned === undefined) continue;
    if (typeof cleaned === 'object' && !Array.isArray(cleaned) && Object.keys(cleaned).length === 0) continue;
    out[k] = cleaned;
  }
  return out;
}

export class DeploymentController extends QueuedController {
  constructor(clock: Clock) {
    super(NAME, clock, GVR.deployments);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.deployments)) {
      if (e.type !== 'DELETED') this.queue.add(nsName(e.object));
      return;
    }
    if (e.key !== keyOf(GVR.replicaSets)) return;
    const ref = controllerRef(e.object);
    if (ref?.kind === 'Deployment') this.queue.add(`${e.object.metadata.namespace ?? ''}/${ref.name}`);
    else if (!ref && e.type !== 'DELETED') {
      for (const d of this.client.list(GVR.deployments, e.object.metadata.namespace)) {
        if (matchesSelector((d.spec as DeploymentSpec).selector, e.object.metadata.labels)) this.queue.add(nsName(d));
      }
    }
  }

  protected reconcile(key: string): { requeueAfterMs: number } | void {
    const [ns, name] = splitNsName(key);
    const d = this.client.get(GVR.deployments, ns, name);
    if (!d || isTerminating(d)) return;
    const spec = (d.spec ?? {}) as DeploymentSpec;
    const desired = spec.replicas ?? 1;
    let all = this.ownedReplicaSets(d, spec);
    const wanted = templateWithoutHash(spec.template);
    let newRS = all.find((rs) => jsonEqual(templateWithoutHash((rs.spec as { template?: PodTemplate }).template), wanted));
    let created = false;
    if (!newRS && !spec.paused) {
      newRS = this.createReplicaSet(d, spec, all);
      if (!newRS) return;
      created = true;
      all = [...all, newRS];
    }
    const olds = all.filter((rs) => rs !== newRS);
    if (newRS && !spec.paused) {
      this.ensureRevision(newRS, olds);
      this.scale(d, spec, desired, newRS, olds);
      this.cleanupHistory(spec, olds);
      all = this.ownedReplicaSets(d, spec);
      newRS = all.find((rs) => rs.metadata.uid === newRS?.metadata.uid);
    }
    return this.writeStatus(d, spec, desired, newRS, all, created);
  }

  /** ReplicaSets controlled by the Deployment, adopting matching orphans first. */
  private ownedReplicaSets(d: KubeObject, spec: DeploymentSpec): KubeObject[] {
    const out: KubeObject[] = [];
    for (const rs of this.client.list(GVR.replicaSets, d.metadata.namespace)) {
      const ref = controllerRef(rs);
      if (ref?.uid === d.metadata.uid) out.push(rs);
      else if (!ref && !isTerminating(rs) && spec.selector && matchesSelector(spec.selector, rs.metadata.labels)) {
        try {
          const next = clone(rs);
          next.metadata.ownerReferences = [...(rs.metadata.ownerReferences ?? []), ownerRefTo(d)];
          out.push(this.client.update(GVR.replicaSets, rs.metadata.namespace, next, { fieldManager: MANAGER }));
        } catch (err) {
          logError(NAME, `adopt replicaset ${rs.metadata.name}`, err);
        }
      }
    }
    return out.filter((rs) => !isTerminating(rs));
  }

  private createReplicaSet(d: KubeObject, spec: DeploymentSpec, olds: KubeObject[]): KubeObject | undefined {
    const hash = templateHash(templateWithoutHash(spec.template));
    const template = clone(spec.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = clone(spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const desired = spec.replicas ?? 1;
    const recreate = spec.strategy?.type === 'Recreate';
    const oldActive = olds.some((rs) => rsReplicas(rs) > 0 || rsStatus(rs).replicas > 0);
    const revision = Math.max(0, ...olds.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0))) + 1;
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...(spec.template?.metadata?.labels ?? {}), [HASH_LABEL]: hash },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(desired),
          'deployment.kubernetes.io/max-replicas': String(desired + this.maxSurge(spec, desired)),
          [REVISION]: String(revision),
        },
        ownerReferences: [ownerRefTo(d)],
      },
      spec: { replicas: recreate && oldActive ? 0 : desired, selector, template, ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}) },
    };
    try {
      return this.client.create(GVR.replicaSets, d.metadata.namespace, rs, { fieldManager: MANAGER });
    } catch (err) {
      logError(NAME, `create replicaset for ${nsName(d)}`, err);
      return undefined;
    }
  }

  private maxSurge(spec: DeploymentSpec, desired: number): number {
    if (spec.strategy?.type === 'Recreate') return 0;
    return intOrPercent(spec.strategy?.rollingUpdate?.maxSurge, desired, true, Math.ceil(desired * 0.25));
  }

  private maxUnavailable(spec: DeploymentSpec, desired: number): number {
    if (spec.strategy?.type === 'Recreate') return 0;
    const v = intOrPercent(spec.strategy?.rollingUpdate?.maxUnavailable, desired, false, Math.floor(desired * 0.25));
    return Math.min(v, desired);
  }

  /** A rolled-back-to ReplicaSet becomes the newest revision again, as in the real controller. */
  private ensureRevision(newRS: KubeObject, olds: KubeObject[]): void {
    const maxOld = Math.max(0, ...olds.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    const current = Number(newRS.metadata.annotations?.[REVISION] ?? 0);
    if (current > maxOld) return;
    this.patchReplicaSet(newRS, (rs) => {
      rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), [REVISION]: String(maxOld + 1) };
    });
  }

  private patchReplicaSet(rs: KubeObject, mutate: (rs: KubeObject) => void): void {
    const latest = this.client.get(GVR.replicaSets, rs.metadata.namespace, rs.metadata.name ?? '');
    if (!latest) return;
    const next = clone(latest);
    mutate(next);
    if (jsonEqual(next, latest)) return;
    try {
      this.client.update(GVR.replicaSets, rs.metadata.namespace, next, { fieldManager: MANAGER });
    } catch (err) {
      logError(NAME, `update replicaset ${rs.metadata.name}`, err);
    }
  }

  private setReplicas(rs: KubeObject, replicas: number, desired: number, surge: number): void {
    this.patchReplicaSet(rs, (next) => {
      (next.spec as { replicas?: number }).replicas = replicas;
      next.metadata.annotations = {
        ...(next.metadata.annotations ?? {}),
        'deployment.kubernetes.io/desired-replicas': String(desired),
        'deployment.kubernetes.io/max-replicas': String(desired + surge),
      };
    });
  }

  /**
   * Rolling: the new ReplicaSet goes to full size at once (surge), old ones drop to zero when the
   * new one has enough ready pods to honour maxUnavailable. Recreate: old pods first, then new.
   */
  private scale(d: KubeObject, spec: DeploymentSpec, desired: number, newRS: KubeObject, olds: KubeObject[]): void {
    const surge = this.maxSurge(spec, desired);
    if (spec.strategy?.type === 'Recreate') {
      for (const rs of olds) if (rsReplicas(rs) > 0) this.setReplicas(rs, 0, desired, 0);
      const oldPodsLeft = olds.some((rs) => rsStatus(rs).replicas > 0) || this.client.list(GVR.pods, d.metadata.namespace).some((p) => olds.some((rs) => controllerRef(p)?.uid === rs.metadata.uid));
      if (!oldPodsLeft && rsReplicas(newRS) !== desired) this.setReplicas(newRS, desired, desired, 0);
      return;
    }
    if (rsReplicas(newRS) !== desired) this.setReplicas(newRS, desired, desired, surge);
    const newAvailable = rsStatus(newRS).availableReplicas;
    const enough = newAvailable >= desired - this.maxUnavailable(spec, desired);
    for (const rs of olds) if (rsReplicas(rs) > 0 && (enough || desired === 0)) this.setReplicas(rs, 0, desired, surge);
  }

  private cleanupHistory(spec: DeploymentSpec, olds: KubeObject[]): void {
    const limit = spec.revisionHistoryLimit ?? 10;
    const idle = olds.filter((rs) => rsReplicas(rs) === 0 && rsStatus(rs).replicas === 0).sort((a, b) => Number(a.metadata.annotations?.[REVISION] ?? 0) - Number(b.metadata.annotations?.[REVISION] ?? 0));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      try {
        this.client.delete(GVR.replicaSets, rs.metadata.namespace, rs.metadata.name ?? '', { propagationPolicy: 'Background' });
      } catch (err) {
        logError(NAME, `delete old replicaset ${rs.metadata.name}`, err);
      }
    }
  }

  private writeStatus(d: KubeObject, spec: DeploymentSpec, desired: number, newRS: KubeObject | undefined, all: KubeObject[], created: boolean): { requeueAfterMs: number } | void {
    const latest = this.client.get(GVR.deployments, d.metadata.namespace, d.metadata.name ?? '');
    if (!latest || latest.metadata.uid !== d.metadata.uid) return;
    const nowMs = this.clock.now();
    const now = rfc3339(nowMs);
    const sum = (f: (s: Required<RsStatus>) => number) => all.reduce((n, rs) => n + f(rsStatus(rs)), 0);
    const replicas = sum((s) => s.replicas);
    const updated = newRS ? rsStatus(newRS).replicas : 0;
    const ready = sum((s) => s.readyReplicas);
    const available = sum((s) => s.availableReplicas);
    const total = all.reduce((n, rs) => n + rsReplicas(rs), 0);
    const old = (latest.status ?? {}) as { conditions?: Condition[]; [k: string]: unknown };
    const conditions: Condition[] = [];
    const oldCond = (type: string) => old.conditions?.find((c) => c.type === type);
    const cond = (c: Condition, bumpUpdate: boolean): Condition => {
      const prev = oldCond(c.type);
      const same = prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message;
      return {
        ...c,
        lastUpdateTime: same && !bumpUpdate && prev.lastUpdateTime ? prev.lastUpdateTime : now,
        lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
      };
    };
    const minAvailable = desired - this.maxUnavailable(spec, desired);
    conditions.push(cond(available >= minAvailable
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, false));
    const rsName = newRS?.metadata.name ?? '';
    const complete = newRS !== undefined && updated === desired && replicas === desired && available === desired && rsReplicas(newRS) === desired;
    const deadlineMs = (spec.progressDeadlineSeconds ?? 600) * 1000;
    let requeue: number | undefined;
    if (spec.paused) {
      conditions.push(cond({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, false));
    } else if (complete) {
      conditions.push(cond({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, false));
    } else {
      const prevStatus = { replicas: old.replicas ?? 0, updatedReplicas: old.updatedReplicas ?? 0, readyReplicas: old.readyReplicas ?? 0, availableReplicas: old.availableReplicas ?? 0 };
      const progressed = created || !jsonEqual(prevStatus, { replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available });
      const prev = oldCond('Progressing');
      const since = prev?.lastUpdateTime ? Date.parse(prev.lastUpdateTime) : nowMs;
      if (!progressed && prev?.reason === 'ProgressDeadlineExceeded') conditions.push(prev);
      else if (!progressed && prev && prev.reason !== 'NewReplicaSetAvailable' && nowMs - since >= deadlineMs) {
        conditions.push(cond({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, true));
      } else {
        const reason = created ? 'NewReplicaSetCreated' : 'ReplicaSetUpdated';
        const message = created ? `Created new replica set "${rsName}"` : `ReplicaSet "${rsName}" is progressing.`;
        const keepPrev = !progressed && prev && prev.status === 'True' && prev.reason !== 'NewReplicaSetAvailable';
        conditions.push(keepPrev ? prev : cond({ type: 'Progressing', status: 'True', reason, message }, progressed));
        requeue = Math.max(1000, deadlineMs - (nowMs - (keepPrev ? since : nowMs)) + 1000);
      }
    }
    const status: Record<string, unknown> = {
      observedGeneration: latest.metadata.generation ?? 1,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions,
    };
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (status[k] === 0) delete status[k];
    if (old.collisionCount !== undefined) status.collisionCount = old.collisionCount;
    this.syncRevisionAnnotation(latest, newRS);
    const fresh = this.client.get(GVR.deployments, d.metadata.namespace, d.metadata.name ?? '') ?? latest;
    if (!jsonEqual(fresh.status, status)) {
      const next = clone(fresh);
      next.status = status;
      this.client.update(GVR.deployments, d.metadata.namespace, next, { subresource: 'status', fieldManager: MANAGER });
    }
    return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
  }

  private syncRevisionAnnotation(d: KubeObject, newRS: KubeObject | undefined): void {
    const revision = newRS && this.client.get(GVR.replicaSets, newRS.metadata.namespace, newRS.metadata.name ?? '')?.metadata.annotations?.[REVISION];
    if (!revision || d.metadata.annotations?.[REVISION] === revision) return;
    const next = clone(d);
    next.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION]: revision };
    try {
      this.client.update(GVR.deployments, d.metadata.namespace, next, { fieldManager: MANAGER });
    } catch (err) {
      logError(NAME, `revision annotation of ${nsName(d)}`, err);
    }
  }
}
