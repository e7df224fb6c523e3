// Endpoints and EndpointSlice controllers in one: the IPs of pods selected by a Service, ready
// ones as addresses and the rest as notReadyAddresses / ready=false endpoints.
import { peekObject, peekObjects, type InternalClient, type KubeObject, type StoreEvent } from '../types.ts';
import { LabeledObjects, Selectors } from './label-index.ts';
import { matchesMap } from './label-selector.ts';
import { GVR, clone, findType, jsonEqual, keyOf, nsName, ownerRefTo, splitNsName } from './resources.ts';
import { type Clock, QueuedController, logError } from './runtime.ts';
import { isPodReady, podPhase } from './workloads/pod-template.ts';

const NAME = 'endpoints';
const MANAGER = 'endpoint-controller';
const SLICE_MANAGER = 'endpointslice-controller.k8s.io';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  type?: string;
  publishNotReadyAddresses?: boolean;
}

interface Target {
  pod: KubeObject;
  ip: string;
  ready: boolean;
  terminating: boolean;
}

/** The pod's port number for a service port (named target ports look up the container ports). */
function resolvePort(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of ((pod.spec as { containers?: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> }).containers ?? [])) {
    const p = c.ports?.find((x) => x.name === target);
    if (p) return p.containerPort;
  }
  return undefined;
}

export class EndpointsController extends QueuedController {
  constructor(clock: Clock) {
    super(NAME, clock, GVR.services);
  }

  /** Selectors of the Services seen, so a pod event queues only the Services selecting it. */
  private readonly selectors = new Selectors();
  /** Pods by label, so a reconcile reads only the selected pods. */
  private readonly pods = new LabeledObjects();
  /** Names of the managed EndpointSlices per Service (`ns/service`). */
  private readonly slices = new Map<string, Set<string>>();

  override start(client: InternalClient): void {
    // Seeded before the first reconcile runs (the work queue flushes on a later tick).
    for (const svc of peekObjects(client, GVR.services)) this.rememberService(svc);
    for (const pod of peekObjects(client, GVR.pods)) this.pods.put(pod.metadata.namespace ?? '', pod.metadata.name ?? '', pod.metadata.labels ?? {});
    if (findType(client, keyOf(GVR.endpointSlices))) for (const slice of peekObjects(client, GVR.endpointSlices)) this.rememberSlice(slice, false);
    super.start(client);
  }

  private rememberService(svc: KubeObject, deleted = false): void {
    const ns = svc.metadata.namespace ?? '';
    const selector = (svc.spec as ServiceSpec | undefined)?.selector;
    if (deleted || !selector || Object.keys(selector).length === 0) this.selectors.remove(ns, svc.metadata.name ?? '');
    else this.selectors.put(ns, svc.metadata.name ?? '', selector);
  }

  private rememberSlice(slice: KubeObject, deleted: boolean): void {
    const labels = slice.metadata.labels ?? {};
    const service = labels['kubernetes.io/service-name'];
    if (!service || labels['endpointslice.kubernetes.io/managed-by'] !== SLICE_MANAGER) return;
    const key = `${slice.metadata.namespace ?? ''}/${service}`;
    let names = this.slices.get(key);
    if (deleted) {
      names?.delete(slice.metadata.name ?? '');
      if (names && names.size === 0) this.slices.delete(key);
      return;
    }
    if (!names) this.slices.set(key, (names = new Set()));
    names.add(slice.metadata.name ?? '');
  }

  protected onEvent(e: StoreEvent): void {
    if (e.key === keyOf(GVR.services)) {
      this.rememberService(e.object, e.type === 'DELETED');
      if (e.type !== 'DELETED') this.queue.add(nsName(e.object));
      else this.deleteEndpoints(e.object);
      return;
    }
    if (e.key === keyOf(GVR.endpointSlices)) {
      // A relabelled slice leaves its old Service's set lazily (writeSlice re-checks the labels).
      this.rememberSlice(e.object, e.type === 'DELETED');
      return;
    }
    if (e.key !== keyOf(GVR.pods)) return;
    const ns = e.object.metadata.namespace ?? '';
    const name = e.object.metadata.name ?? '';
    const labels = e.object.metadata.labels ?? {};
    const before = this.pods.labelsOf(ns, name);
    if (e.type === 'DELETED') this.pods.remove(ns, name);
    else this.pods.put(ns, name, labels);
    // Only Services whose selector matches the pod now or matched it before this write.
    for (const svc of this.selectors.selecting(ns, labels)) this.queue.add(`${ns}/${svc}`);
    if (before && before !== labels) for (const svc of this.selectors.selecting(ns, before)) this.queue.add(`${ns}/${svc}`);
  }

  /** Endpoints carry no owner reference, so they go with their Service here (slices go by GC). */
  private deleteEndpoints(svc: KubeObject): void {
    if (!findType(this.client, keyOf(GVR.endpoints))) return;
    const ns = svc.metadata.namespace;
    const existing = peekObject(this.client, GVR.endpoints, ns, svc.metadata.name ?? '');
    if (!existing) return;
    try {
      this.client.delete(GVR.endpoints, ns, svc.metadata.name ?? '');
    } catch (err) {
      logError(NAME, `delete endpoints ${ns}/${svc.metadata.name}`, err);
    }
  }

  protected reconcile(key: string): void {
    const [ns, name] = splitNsName(key);
    const svc = peekObject(this.client, GVR.services, ns, name);
    if (!svc || svc.metadata.deletionTimestamp) return;
    this.rememberService(svc);
    const spec = (svc.spec ?? {}) as ServiceSpec;
    if (!spec.selector || Object.keys(spec.selector).length === 0 || spec.type === 'ExternalName') return;
    const targets: Target[] = this.pods
      .matching(ns ?? '', spec.selector)
      .map((podName) => peekObject(this.client, GVR.pods, ns, podName))
      .filter((p): p is KubeObject => p !== undefined)
      .filter((p) => matchesMap(spec.selector, p.metadata.labels))
      .filter((p) => (p.status as { podIP?: string } | undefined)?.podIP && !['Succeeded', 'Failed'].includes(podPhase(p) ?? ''))
      .map((p) => ({
        pod: p,
        ip: (p.status as { podIP: string }).podIP,
        ready: (isPodReady(p) || Boolean(spec.publishNotReadyAddresses)) && !p.metadata.deletionTimestamp,
        terminating: Boolean(p.metadata.deletionTimestamp),
      }))
      .sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true }));
    if (findType(this.client, keyOf(GVR.endpoints))) this.writeEndpoints(svc, spec, targets);
    if (findType(this.client, keyOf(GVR.endpointSlices))) this.writeSlice(svc, spec, targets);
  }

  private writeEndpoints(svc: KubeObject, spec: ServiceSpec, targets: Target[]): void {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name ?? '';
    const address = (t: Target) => ({ ip: t.ip, nodeName: (t.pod.spec as { nodeName?: string }).nodeName, targetRef: { kind: 'Pod', namespace: ns, name: t.pod.metadata.name, uid: t.pod.metadata.uid } });
    const live = targets.filter((t) => !t.terminating);
    const ports = (spec.ports ?? []).map((sp) => ({
      ...(sp.name ? { name: sp.name } : {}),
      port: (live[0] && resolvePort(live[0].pod, sp)) ?? (typeof sp.targetPort === 'number' ? sp.targetPort : sp.port),
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    }));
    const ready = live.filter((t) => t.ready).map(address);
    const notReady = live.filter((t) => !t.ready).map(address);
    const subsets = live.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }] : undefined;
    const existing = peekObject(this.client, GVR.endpoints, ns, name);
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: ns, labels: { ...(svc.metadata.labels ?? {}) } },
      ...(subsets ? { subsets } : {}),
    };
    try {
      if (!existing) {
        this.client.create(GVR.endpoints, ns, body, { fieldManager: MANAGER });
      } else if (!jsonEqual(existing.subsets, body.subsets) || !jsonEqual(existing.metadata.labels ?? {}, body.metadata.labels)) {
        const next = clone(existing);
        next.metadata.labels = body.metadata.labels;
        if (subsets) next.subsets = subsets;
        else delete next.subsets;
        this.client.update(GVR.endpoints, ns, next, { fieldManager: MANAGER });
      }
    } catch (err) {
      logError(NAME, `endpoints ${ns}/${name}`, err);
    }
  }

  private writeSlice(svc: KubeObject, spec: ServiceSpec, targets: Target[]): void {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name ?? '';
    const first = targets[0]?.pod;
    const ports = (spec.ports ?? []).map((sp) => ({
      name: sp.name ?? '',
      port: (first && resolvePort(first, sp)) ?? (typeof sp.targetPort === 'number' ? sp.targetPort : sp.port),
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    }));
    const endpoints = targets.map((t) => ({
      addresses: [t.ip],
      conditions: { ready: t.ready, serving: t.ready || (t.terminating && isPodReady(t.pod)), terminating: t.terminating },
      nodeName: (t.pod.spec as { nodeName?: string }).nodeName,
      targetRef: { kind: 'Pod', namespace: ns, name: t.pod.metadata.name, uid: t.pod.metadata.uid },
    }));
    const labels = { ...(svc.metadata.labels ?? {}), 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': SLICE_MANAGER };
    const existing = [...(this.slices.get(`${ns ?? ''}/${name}`) ?? [])]
      .sort()
      .map((sliceName) => peekObject(this.client, GVR.endpointSlices, ns, sliceName))
      .filter((s): s is KubeObject => s !== undefined)
      .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name && s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === SLICE_MANAGER);
    try {
      if (existing.length === 0) {
        this.client.create(GVR.endpointSlices, ns, {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: `${name}-`, namespace: ns, labels, ownerReferences: [ownerRefTo(svc)] },
          addressType: 'IPv4',
          endpoints,
          ports,
        }, { fieldManager: MANAGER });
        return;
      }
      const [slice, ...extra] = existing;
      if (!jsonEqual(slice.endpoints, endpoints) || !jsonEqual(slice.ports, ports) || !jsonEqual(slice.metadata.labels, labels)) {
        const next = clone(slice);
        next.endpoints = endpoints;
        next.ports = ports;
        next.metadata.labels = labels;
        this.client.update(GVR.endpointSlices, ns, next, { fieldManager: MANAGER });
      }
      for (const s of extra) this.client.delete(GVR.endpointSlices, ns, s.metadata.name ?? '');
    } catch (err) {
      logError(NAME, `endpointslice for ${ns}/${name}`, err);
    }
  }
}
