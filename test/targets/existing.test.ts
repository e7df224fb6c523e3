// The existing target against a cluster that is already there (the embedded control plane, through
// its kubeconfig and real kubectl; only kubectl port-forward is stood in for, as nothing runs pods):
// --no-deploy leaves the platform alone, a deploy's teardown deletes only what it created — what was
// there before, even when the deploy updated it, stays — and `up`/`down` do the same across processes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downCommand, readUpState, upCommand } from '../../harness/commands/up-down.ts';
import { parseConfig, type HarnessConfigInput } from '../../harness/config.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { processRunner, which } from '../../harness/targets/exec.ts';
import { existingTargetWith } from '../../harness/targets/existing.ts';
import { type Env, startEnv } from '../controllers/helpers.ts';
import { writeMiniPlatform } from './mini-platform.ts';

const exists = async (env: Env, ...what: string[]) => (await env.kubectl(['get', ...what, '--ignore-not-found', '-o', 'name'])).trim() !== '';

describe.skipIf(!which('kubectl'))('existing target on a cluster that already runs things', () => {
  let env: Env;
  let platformDir: string;
  let workDir: string;
  let stateDir: string;
  let forwards: string[];
  const target = () =>
    existingTargetWith({
      runner: processRunner,
      portForward: async (_k, ns, resource) => {
        forwards.push(`${ns}/${resource}`);
        return { localPort: 40125, stop: () => void forwards.push('stopped') };
      },
    });
  const config = (over: HarnessConfigInput = {}) => parseConfig({ target: 'existing', kubeconfig: env.kubeconfigPath, platformDir, stateDir, ...over });

  beforeAll(async () => {
    setProgressSink('quiet');
    env = await startEnv();
    platformDir = writeMiniPlatform(mkdtempSync(path.join(os.tmpdir(), 'existing-platform-')));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'existing-state-'));
  }, 60_000);
  afterAll(async () => {
    setProgressSink('stderr');
    await env?.stop();
    for (const d of [platformDir, stateDir]) rmSync(d, { recursive: true, force: true });
  });
  beforeEach(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'existing-work-'));
    forwards = [];
    // What "the platform already there" is: its namespace, a ConfigMap the deploy will update, and the frontend.
    await env.kubectl(['apply', '-f', '-'], {
      input: [
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ambient-code\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: operator-config\n  namespace: ambient-code\ndata:\n  MODE: before\n',
      ].join('---\n'),
    });
  });

  it('--no-deploy: applies nothing even with --platform-dir, and teardown deletes only the run-labelled objects', async () => {
    const cluster = await target().up({ config: config({ deploy: false }), runId: 'run-nodeploy', workDir, logDir: workDir });
    expect(forwards).toEqual(['ambient-code/svc/backend-service']);
    expect(await exists(env, 'deployment', 'backend-api', '-n', 'ambient-code')).toBe(false);
    await env.kubectl(['create', 'secret', 'generic', 'scenario-secret', '-n', 'ambient-code']);
    await env.kubectl(['label', 'secret', 'scenario-secret', '-n', 'ambient-code', 'harness.ambient-code.io/run=run-nodeploy']);
    await cluster.down();
    expect(forwards.at(-1)).toBe('stopped');
    expect(await exists(env, 'secret', 'scenario-secret', '-n', 'ambient-code')).toBe(false);
    expect(await exists(env, 'configmap', 'operator-config', '-n', 'ambient-code')).toBe(true);
    expect(await exists(env, 'namespace', 'ambient-code')).toBe(true);
  }, 60_000);

  it('a deploy is undone object by object: what it created goes, what was there (even updated) stays', async () => {
    const cluster = await target().up({ config: config(), runId: 'run-deploy', workDir, logDir: workDir });
    expect(await exists(env, 'deployment', 'backend-api', '-n', 'ambient-code')).toBe(true);
    expect((await env.kubectl(['get', 'configmap', 'operator-config', '-n', 'ambient-code', '-o', 'jsonpath={.data.MODE}']))).toBe('test'); // updated by the deploy
    expect(cluster.probes.operatorMemoryLimitBytes).toBe(384 * 1024 * 1024); // read from the Deployment as deployed
    await cluster.down();
    for (const gone of [['deployment', 'backend-api'], ['deployment', 'agentic-operator'], ['deployment', 'frontend'], ['service', 'backend-service'], ['secret', 'ambient-runner-secrets']]) {
      expect(await exists(env, ...gone, '-n', 'ambient-code'), gone.join('/')).toBe(false);
    }
    expect(await exists(env, 'crd', 'gadgets.mini.example.com')).toBe(false);
    expect(await exists(env, 'configmap', 'operator-config', '-n', 'ambient-code')).toBe(true);
    expect(await exists(env, 'namespace', 'ambient-code')).toBe(true);
  }, 90_000);

  it('up keeps the deploy and records it; down (another process would do the same) deletes exactly that', async () => {
    const out: string[] = [];
    expect(await upCommand(config(), { out: (l) => out.push(l), target: target() })).toBe(0);
    expect(out.join('\n')).toMatch(/run scenarios on it: ambient-harness run --target existing --kubeconfig \S+ --no-deploy/);
    expect(forwards.at(-1)).toBe('stopped'); // the port-forward lived in this process only
    expect(await exists(env, 'deployment', 'backend-api', '-n', 'ambient-code')).toBe(true);
    const state = readUpState(config(), 'existing')!;
    expect(state.kubeconfig).toBe(env.kubeconfigPath); // the user's own file, not a copy
    expect(state.kept.createdObjects?.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['Deployment/backend-api', 'CustomResourceDefinition/gadgets.mini.example.com']));
    expect(state.kept.createdObjects?.map((o) => o.metadata.name)).not.toContain('operator-config');

    expect(await downCommand(config(), { out: (l) => out.push(l) })).toBe(0);
    expect(out.at(-1)).toMatch(/^deleted \d+ object\(s\) that up created/);
    expect(await exists(env, 'deployment', 'backend-api', '-n', 'ambient-code')).toBe(false);
    expect(await exists(env, 'configmap', 'operator-config', '-n', 'ambient-code')).toBe(true);
    expect(readUpState(config(), 'existing')).toBeUndefined();
    expect(await downCommand(config(), { out: (l) => out.push(l) })).toBe(0);
    expect(out.at(-1)).toMatch(/^nothing recorded/);
  }, 90_000);
});
