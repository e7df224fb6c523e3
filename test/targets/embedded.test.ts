// The embedded target end to end: control plane + bootstrap (with real kubectl) + backend and
// operator processes holding their own ServiceAccount tokens; then teardown leaves nothing running.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../harness/config.ts';
import { kubectl } from '../../harness/platform/deploy.ts';
import { MemoryProbe } from '../../harness/probes/memory.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { redact } from '../../harness/report/redact.ts';
import { embeddedTarget } from '../../harness/targets/embedded.ts';
import type { Cluster } from '../../harness/targets/types.ts';
import { alive } from './processes.ts';

describe('embedded target', () => {
  let cluster: Cluster;
  let logDir: string;
  let workDir: string;
  beforeAll(async () => {
    setProgressSink('quiet');
    logDir = mkdtempSync(path.join(os.tmpdir(), 'h8-embedded-logs-'));
    workDir = mkdtempSync(path.join(os.tmpdir(), 'h8-embedded-work-'));
    // The backend goes through the --backend-cmd path (a shell command), the operator through the
    // default reference command: both launch paths are exercised.
    const config = parseConfig({ profile: 'm-6b21778', backendCmd: `${process.execPath} --import tsx harness/platform/reference/backend-main.ts` });
    cluster = await embeddedTarget.up({ config, runId: 'embedded-test-1', workDir, logDir });
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
    setProgressSink('stderr');
    for (const d of [logDir, workDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('serves the backend over HTTP and the API over kubeconfig (kubectl sees the bootstrap)', async () => {
    expect(cluster.backendUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect((await fetch(cluster.backendUrl.replace(/\/api$/, '/health'))).status).toBe(200);
    const k = { kubeconfig: cluster.kubeconfig.path }; // a fresh discovery cache per call, removed after it
    const crd = JSON.parse((await kubectl(k, ['get', 'crd', 'agenticsessions.vteam.ambient-code', '-o', 'json'])).stdout);
    expect(crd.spec.names.shortNames).toContain('as');
    const ns = JSON.parse((await kubectl(k, ['get', 'namespace', 'ambient-code', '-o', 'json'])).stdout);
    expect(ns.metadata.labels).toMatchObject({ 'ambient-code.io/managed': 'true' });
    expect(cluster.testUserToken).toMatch(/^eyJ/);
    // The test user is a real API identity with cluster-wide rights.
    const asTestUser = await kubectl(k, ['get', 'namespaces', '-o', 'name', '--token', cluster.testUserToken!]);
    expect(asTestUser.stdout).toContain('namespace/ambient-code');
    // The backend's own SA identity is what the kubeconfig it was given authenticates as.
    const can = await kubectl(k, ['auth', 'can-i', 'create', 'agenticsessions.vteam.ambient-code', '-n', 'p1', '--as', 'system:serviceaccount:ambient-code:backend-api'], { allowFailure: true });
    expect(can.stdout.trim()).toBe('yes');
  }, 60_000);

  it('declares capabilities with reasons, and its operator pid is measurable', async () => {
    expect(cluster.capabilities.podMemory).toMatchObject({ available: false, reason: expect.stringContaining('no pods') });
    expect(cluster.capabilities.profiles.available).toBe(false); // a --backend-cmd was given
    expect(cluster.capabilities.processMemory.available).toBe(true);
    expect(alive(cluster.probes.operatorPid)).toBe(true);
    const probe = new MemoryProbe({ source: { kind: 'pid', pid: cluster.probes.operatorPid! }, limitBytes: cluster.probes.operatorMemoryLimitBytes!, intervalMs: 50 });
    await probe.start();
    await new Promise((r) => setTimeout(r, 120));
    await probe.stop();
    const r = probe.collect();
    expect(r.status).toBe('passed');
    expect(r.values.limitBytes).toBe(512 * 1024 * 1024); // the operator's limit at 6b21778
    expect(r.values.peakBytes as number).toBeGreaterThan(30 * 1024 * 1024); // the node operator, not its `sh -c` wrapper
  });

  it('down() stops the processes and the API server, and is idempotent', async () => {
    const pids = [cluster.probes.operatorPid, cluster.probes.backendPid];
    const url = cluster.backendUrl;
    await cluster.down();
    await cluster.down();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    await expect(fetch(url.replace(/\/api$/, '/health'), { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    // Process logs were copied to the log dir, redacted (the service-account tokens never appear).
    const files = readdirSync(logDir);
    expect(files).toEqual(expect.arrayContaining(['backend.log', 'operator.log']));
    for (const f of files) {
      const text = readFileSync(path.join(logDir, f), 'utf8');
      expect(redact(text)).toBe(text);
      expect(text).not.toContain(cluster.testUserToken!);
    }
  }, 30_000);
});
