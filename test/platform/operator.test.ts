// The reference operator through the API only (profile h-0b59fe7: UUID names, owner-annotated
// runner SA, BOT_TOKEN as a mounted file; M's env/secretKeyRef form is covered by the sim tests):
// per-session objects and ownerReferences (A10), runner env (A11), phases and the missing
// runner-secret condition (A12), stop/start, unmanaged namespaces, parent deletion (A16).
import { CoreV1Api, RbacAuthorizationV1Api, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN_CREATED_BY_USER, ANN_RUNNER_SA, ANN_RUNNER_TOKEN_SECRET, CRD_GROUP, CRD_VERSION, ROUTES, SESSION_PLURAL, sessionObjectNames } from '../../harness/platform/contract.ts';
import { apiCode } from '../../harness/platform/kube.ts';
import { call, getSessionCR, makeProject, runnerToken, startStack, waitSession, type Stack } from './stack.ts';

const P = 'ops';

describe('reference operator (h-0b59fe7)', () => {
  let st: Stack;
  let token: string;
  const create = (body: unknown, ns = P) => call(st.backendUrl, 'POST', ROUTES.sessions(ns), { token, body, headers: { 'X-Forwarded-User': 'alice' } });

  beforeAll(async () => {
    st = await startStack('h-0b59fe7');
    token = st.platform.testUserToken;
    await makeProject(st.core, P);
  }, 150_000);
  afterAll(async () => st?.stop());

  it('A10/A11/A12: provisions owned objects, runner env, Pending → Creating → Running', async () => {
    // Record every phase the API server reports for the project's sessions, through a watch.
    const phases = new Map<string, string[]>();
    const req = await new Watch(st.adminKc).watch(`/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${P}/${SESSION_PLURAL}`, {}, (_t, obj) => {
      const list = phases.get(obj.metadata.name) ?? [];
      const ph = obj.status?.phase ?? '';
      if (list[list.length - 1] !== ph) list.push(ph);
      phases.set(obj.metadata.name, list);
    }, () => undefined);
    const r = await create({ initialPrompt: 'hello', environmentVariables: { EXTRA: '1' } });
    expect(r.status).toBe(201);
    const name: string = r.body.name;
    const s = await waitSession(st.custom, P, name, (x) => x.status?.phase === 'Running', 30_000);
    await new Promise((res) => setTimeout(res, 300));
    req.abort();
    expect(phases.get(name)).toEqual(['', 'Pending', 'Creating', 'Running']);
    expect(s.status?.conditions?.map((c: { type: string }) => c.type)).toEqual(expect.arrayContaining(['PodCreated', 'RunnerStarted', 'Ready']));
    const n = sessionObjectNames(name);
    expect(s.metadata.annotations?.[ANN_RUNNER_SA]).toBe(n.serviceAccount);
    expect(s.metadata.annotations?.[ANN_RUNNER_TOKEN_SECRET]).toBe(n.tokenSecret);
    const rbac = st.adminKc.makeApiClient(RbacAuthorizationV1Api);
    const core = st.core;
    const owned = [
      await core.readNamespacedServiceAccount({ namespace: P, name: n.serviceAccount }),
      await rbac.readNamespacedRole({ namespace: P, name: n.role }),
      await rbac.readNamespacedRoleBinding({ namespace: P, name: n.roleBinding }),
      await core.readNamespacedSecret({ namespace: P, name: n.tokenSecret }),
      await core.readNamespacedPod({ namespace: P, name: n.pod }),
      await core.readNamespacedService({ namespace: P, name: n.service }),
    ];
    for (const o of owned) expect(o.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'AgenticSession', name, uid: s.metadata.uid, controller: true });
    expect(owned[0].metadata?.annotations?.[ANN_CREATED_BY_USER]).toBe('alice'); // H: owner annotation (#989)
    const pod = owned[4] as Awaited<ReturnType<CoreV1Api['readNamespacedPod']>>;
    expect(pod.metadata?.labels).toMatchObject({ 'agentic-session': name, app: 'ambient-code-runner' });
    const env = Object.fromEntries((pod.spec?.containers[0].env ?? []).map((e) => [e.name, e]));
    expect(env.AGENTIC_SESSION_NAME.value).toBe(name);
    expect(env.BACKEND_API_URL.value).toBe('http://backend-service.ambient-code.svc.cluster.local:8080/api');
    expect(env.BOT_TOKEN).toBeUndefined(); // H: file mount, not env
    const mount = pod.spec?.containers[0].volumeMounts?.find((m) => m.mountPath === '/var/run/secrets/ambient');
    expect(pod.spec?.volumes?.find((v) => v.name === mount?.name)?.secret).toEqual({ secretName: n.tokenSecret, items: [{ key: 'k8s-token', path: 'bot-token' }] });
    expect(Object.keys((owned[3] as { data?: Record<string, string> }).data ?? {}).sort()).toEqual(['agui-token', 'k8s-token']);
    expect(env.EXTRA.value).toBe('1');
    expect(env.PARENT_SESSION_ID).toBeUndefined();
  }, 60_000);

  it('serves /healthz and /metrics with RSS and reconcile counters', async () => {
    const base = st.platform.operator.url!;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(Number(/process_resident_memory_bytes (\d+)/.exec(text)?.[1])).toBeGreaterThan(10 * 1024 * 1024);
    expect(Number(/controller_runtime_reconcile_total\{controller="agenticsession-controller",result="success"\} (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('A12: desired-phase=Stopped at create goes straight to Stopped with no pod or SA', async () => {
    const r = await create({ annotations: { 'ambient-code.io/desired-phase': 'Stopped' } });
    const s = await waitSession(st.custom, P, r.body.name, (x) => x.status?.phase === 'Stopped');
    expect(s.status?.phase).toBe('Stopped');
    const n = sessionObjectNames(r.body.name);
    await expect(st.core.readNamespacedPod({ namespace: P, name: n.pod })).rejects.toMatchObject({ code: 404 });
    await expect(st.core.readNamespacedServiceAccount({ namespace: P, name: n.serviceAccount })).rejects.toMatchObject({ code: 404 });
  });

  it('A12: without ambient-runner-secrets the session stays Pending with SecretsReady=False/RunnerSecretMissing', async () => {
    await makeProject(st.core, 'nosecret', { runnerSecrets: false });
    // The backend refuses (400), so create through the API server, as kubectl would.
    await st.custom.createNamespacedCustomObject({ group: CRD_GROUP, version: CRD_VERSION, namespace: 'nosecret', plural: SESSION_PLURAL, body: { apiVersion: `${CRD_GROUP}/${CRD_VERSION}`, kind: 'AgenticSession', metadata: { name: 'session-direct' }, spec: { userContext: { userId: 'alice', displayName: '', groups: [] } } } });
    const s = await waitSession(st.custom, 'nosecret', 'session-direct', (x) => x.status?.conditions?.some((c: { type: string }) => c.type === 'SecretsReady'));
    expect(s.status?.phase).toBe('Pending');
    expect(s.status?.conditions?.find((c: { type: string }) => c.type === 'SecretsReady')).toMatchObject({ status: 'False', reason: 'RunnerSecretMissing' });
    expect((await call(st.backendUrl, 'POST', ROUTES.sessions('nosecret'), { token, body: {} })).status).toBe(400);
  });

  it('skips namespaces without ambient-code.io/managed=true', async () => {
    await makeProject(st.core, 'unmanaged', { managed: false });
    const r = await create({}, 'unmanaged');
    expect(r.status).toBe(201);
    await new Promise((res) => setTimeout(res, 1500));
    const s = await getSessionCR(st.custom, 'unmanaged', r.body.name);
    expect(s.status?.phase).toBeUndefined();
  });

  it('stop → Stopping → Stopped (pod gone, annotations cleared); start → Running again', async () => {
    const r = await create({});
    const name = r.body.name;
    await waitSession(st.custom, P, name, (x) => x.status?.phase === 'Running', 30_000);
    expect((await call(st.backendUrl, 'POST', ROUTES.sessionStop(P, name), { token })).status).toBe(202);
    const stopped = await waitSession(st.custom, P, name, (x) => x.status?.phase === 'Stopped', 30_000);
    expect(stopped.status?.stoppedReason).toBe('user');
    expect(stopped.metadata.annotations?.['ambient-code.io/desired-phase']).toBeUndefined();
    await expect(st.core.readNamespacedPod({ namespace: P, name: sessionObjectNames(name).pod })).rejects.toMatchObject({ code: 404 });
    expect((await call(st.backendUrl, 'POST', ROUTES.sessionStart(P, name), { token })).status).toBe(202);
    await waitSession(st.custom, P, name, (x) => x.status?.phase === 'Running', 30_000);
  }, 90_000);

  it('A16: deleting the parent keeps children, collects its SA and token Secret, revokes its token', async () => {
    const parent = (await create({})).body.name as string;
    const ptoken = await runnerToken(st.core, P, parent);
    const child = await call(st.backendUrl, 'POST', ROUTES.sessions(P), { token: ptoken, body: { parent_session_id: parent } });
    expect(child.status).toBe(201);
    const before = await getSessionCR(st.custom, P, child.body.name);
    expect((await call(st.backendUrl, 'DELETE', ROUTES.session(P, parent), { token })).status).toBe(204);
    const n = sessionObjectNames(parent);
    const deadline = Date.now() + 20_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      gone = await st.core.readNamespacedServiceAccount({ namespace: P, name: n.serviceAccount }).then(() => false, (e) => apiCode(e) === 404);
      if (!gone) await new Promise((res) => setTimeout(res, 200));
    }
    expect(gone).toBe(true);
    await expect(st.core.readNamespacedSecret({ namespace: P, name: n.tokenSecret })).rejects.toMatchObject({ code: 404 });
    expect((await getSessionCR(st.custom, P, child.body.name)).spec.userContext).toEqual(before.spec.userContext);
    const again = await call(st.backendUrl, 'POST', ROUTES.sessions(P), { token: ptoken, body: { parent_session_id: parent } });
    // The revoked token is refused. At H the 30 s SSAR cache still admits it to the project, so
    // the failure surfaces later, as 500 (secret read rejected); without the cache it is 401/403.
    expect(again.status).toBe(500);
    expect(again.body).toEqual({ error: 'Failed to validate API key configuration' });
    const list = await call(st.backendUrl, 'GET', ROUTES.sessions('other-project'), { token: ptoken });
    expect([401, 403]).toContain(list.status); // uncached namespace: the SSAR itself is refused
  }, 60_000);
});
