// kind and k3s end to end, on a machine with a Docker engine (and kind for kind): the cluster comes
// up, KWOK's fake nodes take pods that tolerate nothing while the platform runs on the real node,
// the backend answers through the port-forward, scenarios run, and teardown leaves no cluster or
// container. Without Docker each test reports skipped with the prerequisite's reason.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { parseConfig, type HarnessConfig } from '../../harness/config.ts';
import { kubectl } from '../../harness/platform/deploy.ts';
import { exec } from '../../harness/targets/exec.ts';
import { targetFor } from '../../harness/targets/index.ts';
import { FAKE_NODE_LABEL, FAKE_NODE_LABEL_VALUE } from '../../harness/targets/kwok.ts';
import type { Cluster } from '../../harness/targets/types.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const platformDir = path.resolve(repoRoot, '../shared/platform/6b21778');

/** Brings the target up (or skips with the reason), runs `check`, and always tears down. */
async function withCluster(ctx: TestContext, config: HarnessConfig, check: (c: Cluster) => Promise<void>): Promise<void> {
  const target = targetFor(config.target);
  const p = await target.prerequisites(config);
  if (!p.ok) return ctx.skip(p.reason);
  const workDir = mkdtempSync(path.join(os.tmpdir(), `e2e-${config.target}-`));
  const cluster = await target.up({ config, runId: `e2e-${config.target}`, workDir, logDir: workDir });
  try {
    await check(cluster);
  } finally {
    await cluster.down();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function checkPlacement(cluster: Cluster): Promise<void> {
  const k = { kubeconfig: cluster.kubeconfig.path };
  expect((await fetch(cluster.backendUrl.replace(/\/api$/, '/health'))).status).toBe(200);
  expect(cluster.probes.operatorMemoryLimitBytes).toBeGreaterThan(0);
  const fake = (await kubectl(k, ['get', 'nodes', '-l', `${FAKE_NODE_LABEL}=${FAKE_NODE_LABEL_VALUE}`, '-o', 'name'])).stdout.trim().split('\n');
  expect(fake).toHaveLength(2);
  // The operator runs on the real node; a pod that tolerates nothing (as runner pods) goes to a fake one.
  const operatorNode = (await kubectl(k, ['get', 'pods', '-n', 'ambient-code', '-l', 'app=agentic-operator', '-o', 'jsonpath={.items[0].spec.nodeName}'])).stdout;
  expect(fake).not.toContain(`node/${operatorNode}`);
  await kubectl(k, ['run', 'runner-like', '-n', 'default', '--image=registry.invalid/never-pulled:1', '--restart=Never']);
  await kubectl(k, ['wait', '--for=condition=Ready', 'pod/runner-like', '-n', 'default', '--timeout=120s'], { timeoutMs: 130_000 });
  const node = (await kubectl(k, ['get', 'pod', 'runner-like', '-n', 'default', '-o', 'jsonpath={.spec.nodeName}'])).stdout;
  expect(fake).toContain(`node/${node}`);
}

describe('kind end to end (needs docker and kind)', () => {
  it('KWOK placement, the backend through the port-forward; the cluster is gone afterwards', async (ctx) => {
    const config = parseConfig({ target: 'kind', platformDir, kindConfig: path.join(repoRoot, 'kind-config.yaml'), kindClusterName: 'ambient-harness-e2e', kwokNodes: 2 });
    await withCluster(ctx, config, checkPlacement); // skips (throws) without docker or kind
    expect((await exec('kind', ['get', 'clusters'])).stdout.split('\n')).not.toContain('ambient-harness-e2e');
  }, 1_800_000);
});

describe('k3s end to end (needs docker)', () => {
  it('KWOK placement, the backend through the port-forward; the container is removed afterwards', async (ctx) => {
    const config = parseConfig({ target: 'k3s', platformDir, kwokNodes: 2 });
    await withCluster(ctx, config, checkPlacement); // skips (throws) without docker
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    expect((await client.container.list()).filter((c) => c.Labels?.['harness.ambient-code.io/run'] === 'e2e-k3s')).toEqual([]);
  }, 1_800_000);
});
