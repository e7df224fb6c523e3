// The reference operator: informers on AgenticSessions, runner Pods and managed Namespaces; a
// keyed work queue (10 workers, like --max-concurrent-reconciles); the phase machine of contract
// §5.2. Talks to the API server with its own SA kubeconfig: informers (list+watch) from
// @kubernetes/client-node, reads and writes over the reference platform's thin client (clients.ts).
import { randomUUID } from 'node:crypto';
import { KubeConfig, makeInformer, type KubernetesObject, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import {
  ANN_DESIRED_PHASE,
  ANN_RUNNER_SA,
  ANN_RUNNER_TOKEN_SECRET,
  ANN_STOP_REASON,
  ANN_STOP_REQUESTED_AT,
  APP_RUNNER_POD,
  CRD_GROUP,
  CRD_VERSION,
  LABEL_APP,
  LABEL_MANAGED,
  LABEL_SESSION,
  PROJECT_SETTINGS_KIND,
  PROJECT_SETTINGS_NAME,
  PROJECT_SETTINGS_PLURAL,
  RUNNER_CONTAINER,
  RUNNER_SECRETS,
  SESSION_API_VERSION,
  SESSION_PLURAL,
  TERMINAL_PHASES,
  sessionObjectNames,
  type SessionPhase,
} from '../contract.ts';
import { apiCode, describeError } from '../kube.ts';
import { Clients } from './clients.ts';
import { MERGE_PATCH, type CoreApi, type CustomObjectsApi, type RbacApi } from './kube-apis.ts';
import * as objs from './operator-objects.ts';
import type { BehaviourProfile } from './profiles.ts';
import { WorkQueue } from './work-queue.ts';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  profile: BehaviourProfile;
  backendNamespace: string;
  maxConcurrentReconciles?: number;
  runnerImage?: string;
  stateSyncImage?: string;
  log?: (msg: string) => void;
  /** Log every reconcile (OPERATOR_DEBUG=1). */
  debug?: boolean;
}

const crd = (namespace: string) => ({ group: CRD_GROUP, version: CRD_VERSION, namespace, plural: SESSION_PLURAL });
const FAILING_WAIT_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'CreateContainerConfigError']);
const ignore409 = (err: unknown) => {
  if (apiCode(err) !== 409) throw err;
};

export class ReferenceOperator {
  readonly metrics = { reconcileTotal: 0, reconcileErrors: 0 };
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreApi;
  private readonly rbac: RbacApi;
  private readonly queue: WorkQueue;
  private readonly log: (m: string) => void;
  private readonly podSettings: objs.PodSettings;
  private sessions;
  private pods;
  private namespaces;
  private runnerSecretsSeen = new Map<string, number>();
  /** resourceVersion of our own last write per session: a cache entry older than it is stale. */
  private lastWrittenRv = new Map<string, number>();
  private synced = false;
  private stopped = false;

  constructor(private readonly opts: OperatorOptions) {
    const kc = opts.kubeConfig;
    const clients = new Clients(kc);
    this.custom = clients.custom;
    this.core = clients.core;
    this.rbac = clients.rbac;
    this.log = opts.log ?? ((m) => process.stdout.write(`${new Date().toISOString()} ${m}\n`));
    this.podSettings = {
      backendNamespace: opts.backendNamespace,
      runnerImage: opts.runnerImage ?? 'quay.io/ambient_code/vteam_claude_runner:latest',
      stateSyncImage: opts.stateSyncImage ?? 'quay.io/ambient_code/vteam_state_sync:latest',
    };
    this.queue = new WorkQueue(opts.maxConcurrentReconciles ?? 10, (k) => this.reconcile(k), (k, err) => {
      this.metrics.reconcileErrors++;
      this.log(`reconcile ${k} failed: ${describeError(err)}`);
    });
    const sessionPath = `/apis/${CRD_GROUP}/${CRD_VERSION}/${SESSION_PLURAL}`;
    this.sessions = makeInformer<objs.SessionObject & KubernetesObject>(kc, sessionPath, async () =>
      (await this.custom.listClusterCustomObject({ group: CRD_GROUP, version: CRD_VERSION, plural: SESSION_PLURAL })) as never,
    );
    const podSelector = `${LABEL_APP}=${APP_RUNNER_POD}`;
    this.pods = makeInformer<V1Pod>(kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces({ labelSelector: podSelector }), podSelector);
    const nsSelector = `${LABEL_MANAGED}=true`;
    this.namespaces = makeInformer<V1Namespace>(kc, '/api/v1/namespaces', () => this.core.listNamespace({ labelSelector: nsSelector }), nsSelector);
  }

  get ready(): boolean {
    return this.synced;
  }
  get queueDepth(): number {
    return this.queue.depth;
  }
  get cachedSessions(): number {
    return this.sessions.list().length;
  }

  async start(): Promise<void> {
    const key = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
    this.sessions.on('add', (o) => this.queue.add(key(o)));
    this.sessions.on('update', (o) => this.queue.add(key(o)));
    this.sessions.on('delete', (o) => this.lastWrittenRv.delete(key(o)));
    const podEvent = (p: V1Pod) => {
      const s = p.metadata?.labels?.[LABEL_SESSION];
      if (s) this.queue.add(`${p.metadata?.namespace}/${s}`);
    };
    this.pods.on('add', podEvent);
    this.pods.on('update', podEvent);
    this.pods.on('delete', podEvent);
    this.namespaces.on('add', (ns) => void this.ensureProjectSettings(ns.metadata?.name ?? ''));
    for (const inf of [this.namespaces, this.pods, this.sessions]) {
      // client-node informers stop on a watch error; restart after a pause, as a reflector would.
      inf.on('error', () => {
        if (!this.stopped) setTimeout(() => void inf.start().catch(() => undefined), 1000).unref();
      });
    }
    await this.namespaces.start();
    await this.pods.start();
    await this.sessions.start();
    this.synced = true;
    // Namespaces labelled later make their sessions reconcilable.
    this.namespaces.on('update', (ns) => {
      for (const s of this.sessions.list(ns.metadata?.name)) this.queue.add(key(s));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.stop();
    await Promise.allSettled([this.sessions.stop(), this.pods.stop(), this.namespaces.stop()]);
  }

  private async ensureProjectSettings(ns: string): Promise<void> {
    if (!ns) return;
    try {
      await this.custom.createNamespacedCustomObject({
        group: CRD_GROUP,
        version: CRD_VERSION,
        namespace: ns,
        plural: PROJECT_SETTINGS_PLURAL,
        body: { apiVersion: SESSION_API_VERSION, kind: PROJECT_SETTINGS_KIND, metadata: { name: PROJECT_SETTINGS_NAME, namespace: ns }, spec: { groupAccess: [] } },
      });
    } catch (err) {
      if (apiCode(err) !== 409) this.log(`projectsettings ${ns}: ${describeError(err)}`);
    }
  }

  private async reconcile(key: string): Promise<{ requeueAfterMs?: number } | void> {
    this.metrics.reconcileTotal++;
    const [ns, name] = key.split('/');
    const s = this.sessions.get(name, ns) as objs.SessionObject | undefined;
    if (!s) return; // deleted: ownerReferences garbage-collect the rest
    if (!this.namespaces.get(ns)) return; // not ambient-code.io/managed=true
    // Our own write has not reached the informer yet; its watch event will enqueue the key again.
    if (Number(s.metadata.resourceVersion) < (this.lastWrittenRv.get(key) ?? 0)) return;
    const phase = (s.status?.phase ?? '') as SessionPhase | '';
    if (this.opts.debug) this.log(`reconcile ${key} phase=${phase || '-'} rv=${s.metadata.resourceVersion}`);
    const desired = s.metadata.annotations?.[ANN_DESIRED_PHASE];
    if (phase === '' || phase === 'Pending') return this.reconcilePending(s, desired);
    if (phase === 'Creating') return this.reconcileCreating(s, desired);
    if (phase === 'Running') return this.reconcileRunning(s, desired);
    if (phase === 'Stopping') return this.reconcileStopping(s);
    if (TERMINAL_PHASES.includes(phase) && desired === 'Running') {
      if (objs.recordedParent(s)) await this.core.deleteNamespacedSecret({ namespace: ns, name: sessionObjectNames(name).tokenSecret }).catch(() => undefined);
      const fresh = await this.patchAnnotations(s, { [ANN_DESIRED_PHASE]: null });
      await this.writeStatus(fresh, { phase: 'Pending', startTime: new Date().toISOString(), completionTime: null, stoppedReason: null });
    }
  }

  private async reconcilePending(s: objs.SessionObject, desired: string | undefined): Promise<{ requeueAfterMs?: number } | void> {
    if (desired === 'Stopped') {
      await this.writeStatus(s, { phase: 'Stopped', stoppedReason: 'user', completionTime: new Date().toISOString() });
      return;
    }
    if (!s.status?.phase) s = await this.writeStatus(s, { phase: 'Pending', startTime: new Date().toISOString() });
    const { namespace: ns, name } = s.metadata;
    const names = sessionObjectNames(name);
    if (!(await this.tokenSecretExists(s))) s = await this.provisionRunnerIdentity(s);
    if (!(await this.runnerSecretsExist(ns))) {
      const missing = objs.setCondition(s.status?.conditions, { type: 'SecretsReady', status: 'False', reason: 'RunnerSecretMissing', message: `Secret ${RUNNER_SECRETS} not found in ${ns}` });
      await this.writeStatus(s, { conditions: missing });
      return { requeueAfterMs: 10_000 };
    }
    await Promise.all([
      this.core.createNamespacedPod({ namespace: ns, body: objs.runnerPod(s, this.opts.profile, this.podSettings) }).catch(ignore409),
      this.core.createNamespacedService({ namespace: ns, body: objs.runnerService(s) }).catch(ignore409),
    ]);
    let conds = objs.setCondition(s.status?.conditions, { type: 'SecretsReady', status: 'True', reason: 'SecretsFound' });
    conds = objs.setCondition(conds, { type: 'PodCreated', status: 'True', reason: 'PodCreated', message: `Pod ${names.pod} created` });
    await this.writeStatus(s, { phase: 'Creating', observedGeneration: s.metadata.generation ?? 1, conditions: conds });
  }

  private async reconcileCreating(s: objs.SessionObject, desired: string | undefined): Promise<{ requeueAfterMs?: number } | void> {
    if (desired === 'Stopped') return this.beginStop(s);
    const pod = await this.currentPod(s);
    if (!pod) {
      await this.writeStatus(s, { phase: 'Pending' });
      return;
    }
    const phase = pod.status?.phase;
    const runner = pod.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER);
    if (phase === 'Succeeded') {
      await this.core.deleteNamespacedPod({ namespace: s.metadata.namespace, name: pod.metadata?.name ?? '' }).catch(() => undefined);
      await this.writeStatus(s, { phase: 'Completed', completionTime: new Date().toISOString() });
    } else if (phase === 'Failed' || FAILING_WAIT_REASONS.has(runner?.state?.waiting?.reason ?? '')) {
      await this.writeStatus(s, { phase: 'Failed', completionTime: new Date().toISOString() });
    } else if (runner?.state?.running || (phase === 'Running' && !pod.status?.containerStatuses)) {
      let conds = objs.setCondition(s.status?.conditions, { type: 'RunnerStarted', status: 'True', reason: 'ContainerRunning' });
      conds = objs.setCondition(conds, { type: 'Ready', status: 'True', reason: 'Running' });
      await this.writeStatus(s, { phase: 'Running', conditions: conds });
    }
  }

  private async reconcileRunning(s: objs.SessionObject, desired: string | undefined): Promise<{ requeueAfterMs?: number } | void> {
    if (desired === 'Stopped') return this.beginStop(s);
    if (!(await this.currentPod(s))) await this.writeStatus(s, { phase: 'Pending' });
  }

  private async beginStop(s: objs.SessionObject): Promise<{ requeueAfterMs?: number }> {
    const { namespace, name } = s.metadata;
    const n = sessionObjectNames(name);
    await this.core.deleteNamespacedPod({ namespace, name: n.pod }).catch(() => undefined);
    await this.core.deleteNamespacedService({ namespace, name: n.service }).catch(() => undefined);
    await this.writeStatus(s, { phase: 'Stopping' });
    return { requeueAfterMs: 1000 };
  }

  private async reconcileStopping(s: objs.SessionObject): Promise<{ requeueAfterMs?: number } | void> {
    if (await this.currentPod(s)) return { requeueAfterMs: 1000 };
    const reason = s.metadata.annotations?.[ANN_STOP_REASON] === 'inactivity' ? 'inactivity' : 'user';
    const fresh = await this.patchAnnotations(s, { [ANN_DESIRED_PHASE]: null, [ANN_STOP_REQUESTED_AT]: null, [ANN_STOP_REASON]: null });
    await this.writeStatus(fresh, { phase: 'Stopped', stoppedReason: reason, completionTime: new Date().toISOString() });
  }

  /** The runner pod from the informer, confirmed with a GET when the cache has none (cache lag). */
  private async currentPod(s: objs.SessionObject): Promise<V1Pod | undefined> {
    const name = sessionObjectNames(s.metadata.name).pod;
    const cached = this.pods.get(name, s.metadata.namespace);
    if (cached) return cached;
    try {
      return await this.core.readNamespacedPod({ namespace: s.metadata.namespace, name });
    } catch (err) {
      if (apiCode(err) === 404) return undefined;
      throw err;
    }
  }

  private async tokenSecretExists(s: objs.SessionObject): Promise<boolean> {
    // A session never annotated by us has no token Secret yet: skip the GET (lean at scale).
    if (!s.metadata.annotations?.[ANN_RUNNER_TOKEN_SECRET]) return false;
    try {
      await this.core.readNamespacedSecret({ namespace: s.metadata.namespace, name: sessionObjectNames(s.metadata.name).tokenSecret });
      return true;
    } catch (err) {
      if (apiCode(err) === 404) return false;
      throw err;
    }
  }

  /** SA, Role, RoleBinding, TokenRequest, token Secret, session annotations (regenerateRunnerToken). */
  private async provisionRunnerIdentity(s: objs.SessionObject): Promise<objs.SessionObject> {
    const { namespace, name } = s.metadata;
    const n = sessionObjectNames(name);
    const p = this.opts.profile;
    // Independent objects go out together (latency per session, not extra load).
    await Promise.all([
      this.core.createNamespacedServiceAccount({ namespace, body: objs.serviceAccount(s, p) }).catch(ignore409),
      // The RoleBinding follows its Role: the escalation check resolves the Role's rules.
      this.rbac
        .createNamespacedRole({ namespace, body: objs.runnerRole(s) })
        .catch(ignore409)
        .then(() => this.rbac.createNamespacedRoleBinding({ namespace, body: objs.runnerRoleBinding(s) }).catch(ignore409)),
    ]);
    const tr = await this.core.createNamespacedServiceAccountToken({ namespace, name: n.serviceAccount, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [] } } });
    const token = tr.status?.token;
    if (!token) throw new Error(`TokenRequest for ${namespace}/${n.serviceAccount} returned no token`);
    const secret = objs.tokenSecret(s, token, p, randomUUID());
    try {
      await this.core.createNamespacedSecret({ namespace, body: secret });
    } catch (err) {
      if (apiCode(err) !== 409) throw err;
      const cur = await this.core.readNamespacedSecret({ namespace, name: n.tokenSecret });
      await this.core.replaceNamespacedSecret({ namespace, name: n.tokenSecret, body: { ...cur, data: secret.data, metadata: { ...cur.metadata, annotations: secret.metadata?.annotations } } });
    }
    return this.patchAnnotations(s, { [ANN_RUNNER_TOKEN_SECRET]: n.tokenSecret, [ANN_RUNNER_SA]: n.serviceAccount });
  }

  private async runnerSecretsExist(ns: string): Promise<boolean> {
    const seen = this.runnerSecretsSeen.get(ns);
    if (seen && Date.now() - seen < 5000) return true; // short positive cache: one GET per namespace per 5 s
    try {
      await this.core.readNamespacedSecret({ namespace: ns, name: RUNNER_SECRETS });
      this.runnerSecretsSeen.set(ns, Date.now());
      return true;
    } catch (err) {
      if (apiCode(err) === 404) return false;
      throw err;
    }
  }

  private noteWrite(obj: objs.SessionObject): objs.SessionObject {
    const rv = Number(obj.metadata?.resourceVersion);
    if (Number.isFinite(rv)) this.lastWrittenRv.set(`${obj.metadata.namespace}/${obj.metadata.name}`, rv);
    return obj;
  }

  private async patchAnnotations(s: objs.SessionObject, annotations: Record<string, string | null>): Promise<objs.SessionObject> {
    const updated = await this.custom.patchNamespacedCustomObject({ ...crd(s.metadata.namespace), name: s.metadata.name, body: { metadata: { annotations } } }, MERGE_PATCH);
    return this.noteWrite(updated as objs.SessionObject);
  }

  /** PUT /status with the object's resourceVersion; on conflict re-reads once and retries. */
  private async writeStatus(s: objs.SessionObject, changes: Record<string, unknown>): Promise<objs.SessionObject> {
    const apply = (obj: objs.SessionObject) => {
      const status: Record<string, unknown> = { ...(obj.status ?? {}) };
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete status[k];
        else status[k] = v;
      }
      return { ...obj, status };
    };
    const put = async (obj: objs.SessionObject) =>
      this.noteWrite((await this.custom.replaceNamespacedCustomObjectStatus({ ...crd(obj.metadata.namespace), name: obj.metadata.name, body: apply(obj) })) as objs.SessionObject);
    try {
      return await put(s);
    } catch (err) {
      if (apiCode(err) !== 409) throw err;
      const fresh = (await this.custom.getNamespacedCustomObject({ ...crd(s.metadata.namespace), name: s.metadata.name })) as objs.SessionObject;
      return await put(fresh);
    }
  }
}
