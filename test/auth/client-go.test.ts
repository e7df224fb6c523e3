// client-go conformance: runs the Go module in test/go (typed clientset over protobuf and JSON,
// dynamic client on a CRD, controller-runtime manager with leader election, token expiry and
// SA-recreation invalidation seen through TokenReview) against the embedded
// control plane. Skipped when no Go toolchain is installed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';

const goModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../go');
const hasGo = spawnSync('go', ['version']).status === 0;

function runGoTest(kubeconfig: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // Async spawn: the API server lives in this process and must keep serving meanwhile.
    const child = spawn('go', ['test', '-count=1', '-v', './...'], { cwd: goModule, env: { ...process.env, KUBECONFIG: kubeconfig, CONFORMANCE_CLOCK_CONTROL: 'stdout' } });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      // TestTokenExpiry asks to move the server clock: offset Date.now, which the auth module reads.
      const m = /CONFORMANCE-ADVANCE-CLOCK-SECONDS (\d+)/.exec(String(d));
      if (m) {
        const realNow = Date.now.bind(Date);
        const offset = Number(m[1]) * 1000;
        vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
      }
    });
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 14 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

describe.skipIf(!hasGo)('client-go conformance (go test in test/go)', () => {
  let cp: ControlPlane;
  let kubeconfig: string;
  beforeAll(async () => {
    cp = await startControlPlane();
    kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'auth-go-')), 'kubeconfig');
    await cp.writeKubeconfig(kubeconfig);
  }, 60_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    await cp?.stop();
  });

  it('passes the typed, dynamic and controller-runtime suites', async () => {
    const { code, output } = await runGoTest(kubeconfig);
    const summary = output.split('\n').filter((l) => /^\s*(--- |ok |FAIL|PASS|\s+\w+_test\.go:)/.test(l)).join('\n');
    expect(code, summary || output.slice(-4000)).toBe(0);
    for (const name of ['TestTypedClientset/application_vnd.kubernetes.protobuf', 'TestTypedClientset/application_json', 'TestDynamicClient', 'TestControllerRuntimeManager', 'TestTokenExpiry']) {
      expect(output).toContain(`--- PASS: ${name} `);
    }
    // The suite reached the server (TokenRequests were served).
    expect(cp.requestLog.some((e) => e.method === 'POST' && e.path.includes('/token'))).toBe(true);
  }, 15 * 60_000);
});
