// Real-cluster targets check their prerequisites first and fail with a reason a human can act on
// (their end-to-end tests, in clusters-e2e.test.ts, skip with exactly that reason).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../harness/config.ts';
import { dockerEngine } from '../../harness/targets/prerequisites.ts';
import { existingPrerequisites, kubeconfigPathOf } from '../../harness/targets/existing.ts';
import { k3sPrerequisites } from '../../harness/targets/k3s.ts';
import { kindPrerequisites } from '../../harness/targets/kind.ts';
import { which } from '../../harness/targets/exec.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

describe('prerequisites', () => {
  it('docker engine: ok, or a reason that says the engine (not the client) is missing', async () => {
    const p = await dockerEngine();
    if (!p.ok) expect(p.reason).toMatch(which('docker') ? /Docker engine not reachable/ : /docker is not on PATH/);
  }, 30_000);

  it('kind: names the first missing tool or file', async () => {
    const p = await kindPrerequisites(parseConfig({ target: 'kind', kindConfig: path.join(repoRoot, 'kind-config.yaml') }));
    if (!p.ok) expect(p.reason).toMatch(/kind is not on PATH|kubectl is not on PATH|Docker engine not reachable|docker is not on PATH/);
    const missingConfig = await kindPrerequisites(parseConfig({ kindConfig: '/nonexistent/kind.yaml' }));
    expect(missingConfig.ok).toBe(false);
  }, 30_000);

  it('existing: a missing kubeconfig is named', async () => {
    const cfg = parseConfig({ target: 'existing', kubeconfig: '/nonexistent/kubeconfig' });
    expect(kubeconfigPathOf(cfg)).toBe('/nonexistent/kubeconfig');
    expect(await existingPrerequisites(cfg)).toEqual({ ok: false, reason: 'kubeconfig /nonexistent/kubeconfig not found (set --kubeconfig or KUBECONFIG)' });
    expect(kubeconfigPathOf(parseConfig({}), { KUBECONFIG: `/a/one${path.delimiter}/b/two` })).toBe('/a/one');
  });
});

describe('k3s target without docker', () => {
  it('without docker, up() is refused by runHarness with exit 3 and the reason', async (ctx) => {
    const p = await k3sPrerequisites(parseConfig({}));
    if (p.ok) return ctx.skip('docker is available here');
    const { runHarness, ScenarioRegistry } = await import('../../harness/index.ts');
    const { setProgressSink } = await import('../../harness/report/progress.ts');
    setProgressSink('quiet');
    const out = await runHarness(parseConfig({ target: 'k3s', reportDir: mkdtempSync(path.join(os.tmpdir(), 'h8-k3s-')) }), { registry: new ScenarioRegistry(), env: {} });
    setProgressSink('stderr');
    expect(out.exitCode).toBe(3);
    expect(out.result.error).toEqual({ code: 'PREREQUISITE_MISSING', message: `target k3s: ${p.reason}` });
  }, 30_000);
});
