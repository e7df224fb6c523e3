// The platform's programs as local processes (harness/platform/local) with the fake platform built
// by --build, on the embedded control plane: the environment a pod would give them, seen from
// inside the programs (GET /env), readiness on their own health endpoints, loopback doubles for
// the OTLP collector and outbound calls, and teardown of a backend that ignores SIGTERM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../harness/config.ts';
import { startControlPlane } from '../../harness/controlplane/index.ts';
import { BUILD_CACHE_ENV } from '../../harness/platform/local/build.ts';
import { startLocalPlatform, type LocalPlatform } from '../../harness/platform/local/index.ts';
import { isAlive } from '../../harness/process/proc.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { FAKE_PLATFORM, goMissing } from './fake-platform.ts';

describe.skipIf(!!goMissing)(`local platform processes built from a checkout${goMissing ? ` (skipped: ${goMissing})` : ''}`, () => {
  let cp: Awaited<ReturnType<typeof startControlPlane>>;
  let platform: LocalPlatform;
  let workDir: string;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    setProgressSink('quiet');
    workDir = mkdtempSync(path.join(os.tmpdir(), 'ah-local-platform-'));
    // As in a CI job that runs in a pod: in-cluster variables present in the harness's own env.
    for (const [k, v] of Object.entries({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', [BUILD_CACHE_ENV]: path.join(workDir, 'cache') })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    cp = await startControlPlane();
    const adminKubeconfig = path.join(workDir, 'admin.kubeconfig');
    await cp.writeKubeconfig(adminKubeconfig);
    const config = parseConfig({ platformDir: FAKE_PLATFORM, build: true });
    platform = await startLocalPlatform({ adminKubeconfig, config, runId: 'local-platform-test', workDir, logDir: path.join(workDir, 'logs') });
  }, 240_000);
  afterAll(async () => {
    await platform?.stop();
    await cp?.stop();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    setProgressSink('stderr');
    rmSync(workDir, { recursive: true, force: true });
  });

  it('each program runs as its own ServiceAccount through KUBECONFIG, in-cluster variables removed', async () => {
    expect(platform.kinds).toEqual({ backend: 'built', operator: 'built' });
    const env = (await (await fetch(`${platform.backendUrl}/env`)).json()) as Record<string, string>;
    expect(env.user).toBe('system:serviceaccount:ambient-code:backend-api');
    expect(env.inClusterHost).toBe('');
    expect(env.kubeconfig.startsWith(workDir)).toBe(true);
    expect(env.namespace).toBe('ambient-code');
    expect(readFileSync(path.join(workDir, 'logs', 'operator.log'), 'utf8')).toContain('as system:serviceaccount:ambient-code:agentic-operator');
  });

  it('the Deployment\'s env, mounted files and state dirs are given from the checkout, under the run\'s work dir', async () => {
    const env = (await (await fetch(`${platform.backendUrl}/env`)).json()) as Record<string, string>;
    expect(env.fromDeployment).toBe('from-the-deployment');
    expect(env.models).toBe(readFileSync(path.join(FAKE_PLATFORM, 'components/manifests/base/core/models.json'), 'utf8'));
    expect(env.stateBaseDir).toBe(path.join(workDir, 'backend', 'mounts', 'workspace'));
    expect(env.workingDir).toBe(path.join(workDir, 'backend'));
  });

  it('OTLP goes to a loopback collector; outbound calls are refused and noted, never sent', async () => {
    const env = (await (await fetch(`${platform.backendUrl}/env`)).json()) as Record<string, string>;
    expect(env.otlpEndpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    // The operator is only ready after its Export was answered with grpc-status 0.
    expect(readFileSync(path.join(workDir, 'logs', 'operator.log'), 'utf8')).toMatch(/OTLP export to 127\.0\.0\.1:\d+: grpc-status 0/);
    expect(env.egress).toMatch(/Forbidden|403/);
    expect(platform.refusedHosts()).toContain('egress-check.invalid:443');
  });

  it('ready by health endpoints on 127.0.0.1; the operator pid is the program; teardown escalates past an ignored SIGTERM', async () => {
    expect(platform.operator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${platform.operator.url}/readyz`)).status).toBe(200);
    expect(readFileSync(`/proc/${platform.operator.pid}/cmdline`, 'utf8')).toContain(path.join(workDir, 'cache'));
    const pids = [platform.backend.pid, platform.operator.pid];
    const t0 = Date.now();
    await platform.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4500); // the backend ignored SIGTERM: SIGKILL after the grace
    expect(readFileSync(path.join(workDir, 'logs', 'backend.log'), 'utf8')).toContain('SIGTERM received and ignored');
  }, 30_000);
});
