// The kubectl conformance suite, run per served /version minor (the dispatcher then runs
// kubectl.1.<minor>; 1.33 sends protobuf bodies for typed commands, 1.31 JSON).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { api, hasKubectl, kubectlFor, kubectlOk, until, type Kubectl } from './helpers.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const platformRoot = resolve(repoRoot, '../shared/platform');

function crdDirs(): string[] {
  if (!existsSync(platformRoot)) return [];
  return readdirSync(platformRoot)
    .map((commit) => join(platformRoot, commit, 'components/manifests/base/crds'))
    .filter((d) => existsSync(d))
    .sort();
}

/** A control plane at /version `minor` (no controllers) and a kubectl bound to it, for one describe block. */
function kubectlAgainst(minor: '1.31' | '1.33') {
  const env = {} as { cp: ControlPlane; k: Kubectl; ok: (args: string[], stdin?: string) => Promise<string> };
  beforeAll(async () => {
    env.cp = await startControlPlane({ kubernetesVersion: minor, controllers: [] });
    env.k = kubectlFor(env.cp);
  });
  afterAll(async () => env.cp?.stop());
  env.ok = (args, stdin) => kubectlOk(env.k, args, stdin);
  return env;
}

export function kubectlSuite(minor: '1.31' | '1.33'): void {
  describe.skipIf(!hasKubectl)(`kubectl against /version ${minor}`, () => {
    const env = kubectlAgainst(minor);
    const ok = env.ok;

    it('picks the kubectl binary from /version and creates namespaces and configmaps', async () => {
      expect(await ok(['version', '-o', 'json'])).toContain(`"minor": "${minor.split('.')[1]}"`);
      expect(await ok(['create', 'namespace', 'kt'])).toContain('namespace/kt created');
      expect(await ok(['create', 'configmap', 'c1', '-n', 'kt', '--from-literal=a=b'])).toContain('configmap/c1 created');
      // kubectl >= 1.32 sends typed bodies as protobuf (decoded by the protobuf module), older ones JSON.
      const post = env.cp.requestLog.find((r) => r.method === 'POST' && r.path.startsWith('/api/v1/namespaces/kt/configmaps'));
      expect(post?.contentType).toBe(minor === '1.33' ? 'application/vnd.kubernetes.protobuf' : 'application/json');
      const cm = JSON.parse(await ok(['get', 'configmap', 'c1', '-n', 'kt', '-o', 'json']));
      expect(cm.data).toEqual({ a: 'b' });
      expect(cm.metadata.managedFields?.[0]?.manager ?? 'kubectl-create').toBe('kubectl-create');
      const table = await ok(['get', 'ns']);
      expect(table).toMatch(/^NAME\s+STATUS\s+AGE/);
      expect(table).toContain('kt ');
    });

    it('reports NotFound and AlreadyExists with the real messages', async () => {
      const missing = await env.k.run(['get', 'configmap', 'nope', '-n', 'kt']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('Error from server (NotFound): configmaps "nope" not found');
      const dup = await env.k.run(['create', 'configmap', 'c1', '-n', 'kt']);
      expect(dup.code).not.toBe(0);
      expect(dup.stderr).toContain('configmaps "c1" already exists');
    });

    it('gets and lists with label and field selectors', async () => {
      const docs = [['s1', 'front'], ['s2', 'back'], ['s3', 'front']].map(([name, tier]) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: kt\n  labels: {tier: ${tier}}\n`);
      await ok(['apply', '-f', '-'], docs.join('---\n'));
      await ok(['label', 'configmap', 's2', '-n', 'kt', 'extra=yes']);
      expect(await ok(['get', 'cm', '-n', 'kt', '-l', 'tier=front', '-o', 'name'])).toBe('configmap/s1\nconfigmap/s3\n');
      expect(await ok(['get', 'cm', '-n', 'kt', '-l', 'tier!=front,tier,extra in (yes)', '-o', 'name'])).toBe('configmap/s2\n');
      expect(await ok(['get', 'cm', '-n', 'kt', '--field-selector', 'metadata.name=s3', '-o', 'name'])).toBe('configmap/s3\n');
      const bad = await env.k.run(['get', 'cm', '-n', 'kt', '--field-selector', 'data.a=b']);
      expect(bad.stderr).toContain('field label not supported: data.a');
    });

    it('patches with json, merge and strategic types and applies server-side', async () => {
      await ok(['patch', 'cm', 'c1', '-n', 'kt', '--type=json', '-p', '[{"op":"add","path":"/data/j","value":"1"}]']);
      await ok(['patch', 'cm', 'c1', '-n', 'kt', '--type=merge', '-p', '{"data":{"m":"2"}}']);
      await ok(['patch', 'cm', 'c1', '-n', 'kt', '--type=strategic', '-p', '{"data":{"s":"3"}}']);
      const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\n  namespace: kt\ndata:\n  ssa: "4"\n';
      expect(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest)).toContain('serverside-applied');
      const cm = JSON.parse(await ok(['get', 'cm', 'c1', '-n', 'kt', '-o', 'json', '--show-managed-fields']));
      expect(cm.data).toMatchObject({ j: '1', m: '2', s: '3', ssa: '4' });
      expect(cm.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply')).toBe(true);
      const badJson = await env.k.run(['patch', 'cm', 'c1', '-n', 'kt', '--type=json', '-p', '[{"op":"remove","path":"/data/absent"}]']);
      expect(badJson.code).not.toBe(0);
    });

    it('watches with get -w', async () => {
      const child = env.k.spawn(['get', 'cm', '-n', 'kt', '-w', '--output-watch-events']);
      let out = '';
      child.stdout!.on('data', (c) => (out += c));
      try {
        await until('initial list', () => /ADDED\s+c1\s/.test(out), 15_000);
        await api(env.cp, 'POST', '/api/v1/namespaces/kt/configmaps', { body: { metadata: { name: 'watched' } } });
        await until('watch event', () => /ADDED\s+watched\s/.test(out), 15_000);
        await api(env.cp, 'DELETE', '/api/v1/namespaces/kt/configmaps/watched');
        await until('delete event', () => /DELETED\s+watched\s/.test(out), 15_000);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('keeps an object with finalizers after delete until they are removed', async () => {
      await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: kt\n  finalizers: ["example.com/hold"]\n');
      expect(await ok(['delete', 'cm', 'held', '-n', 'kt', '--wait=false'])).toContain('deleted');
      const held = JSON.parse(await ok(['get', 'cm', 'held', '-n', 'kt', '-o', 'json']));
      expect(held.metadata.deletionTimestamp).toBeTruthy();
      await ok(['patch', 'cm', 'held', '-n', 'kt', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      const gone = await env.k.run(['get', 'cm', 'held', '-n', 'kt']);
      expect(gone.stderr).toContain('NotFound');
    });
  });
}

/** CRDs and custom resources through kubectl: apply (server- and client-side), selectors, status, wait. */
export function kubectlCrdSuite(minor: '1.31' | '1.33'): void {
  describe.skipIf(!hasKubectl)(`kubectl CRDs against /version ${minor}`, () => {
    const env = kubectlAgainst(minor);
    const ok = env.ok;

    it('creates the namespace', async () => {
      expect(await ok(['create', 'namespace', 'kt'])).toContain('namespace/kt created');
    });

    const dirs = crdDirs();
    it.skipIf(dirs.length === 0)('applies the platform CRDs server-side and client-side, then serves their CRs', async () => {
      const [first, ...rest] = dirs;
      for (const f of readdirSync(first).filter((n) => n.endsWith('-crd.yaml'))) {
        expect(await ok(['apply', '--server-side', '-f', join(first, f)])).toContain('serverside-applied');
      }
      for (const dir of rest.length ? rest : [first]) {
        for (const f of readdirSync(dir).filter((n) => n.endsWith('-crd.yaml'))) await ok(['apply', '-f', join(dir, f)]);
      }
      await ok(['wait', '--for=condition=Established', 'crd/agenticsessions.vteam.ambient-code', '--timeout=20s']);
      const session = [
        'apiVersion: vteam.ambient-code/v1alpha1', 'kind: AgenticSession', 'metadata:', '  name: s1', '  namespace: kt', '  labels: {team: a}',
        'spec:', '  initialPrompt: hello',
      ].join('\n');
      await ok(['apply', '-f', '-'], session);
      await ok(['apply', '--server-side', '-f', '-'], session.replace('name: s1', 'name: s2').replace('team: a', 'team: b'));
      expect(await ok(['get', 'agenticsessions', '-n', 'kt', '-l', 'team=b', '-o', 'name'])).toBe('agenticsession.vteam.ambient-code/s2\n');
      expect(await ok(['get', 'as', '-n', 'kt', '--field-selector', 'metadata.name=s1', '-o', 'name'])).toBe('agenticsession.vteam.ambient-code/s1\n');
      const smp = await env.k.run(['patch', 'agenticsession', 's1', '-n', 'kt', '--type=strategic', '-p', '{"spec":{"initialPrompt":"x"}}']);
      expect(smp.code).not.toBe(0);
      expect(smp.stderr).toContain('the body of the request was in an unknown format');
      await ok(['patch', 'agenticsession', 's1', '-n', 'kt', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","reason":"Up","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}']);
      await ok(['wait', '--for=condition=Ready', 'agenticsession/s1', '-n', 'kt', '--timeout=20s']);
      expect(await ok(['get', 'agenticsession', 's1', '-n', 'kt', '-o', 'jsonpath={.status.phase}'])).toBe('Running');
    });
  });
}
