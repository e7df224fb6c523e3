// Every served built-in kind as protobuf through a real client-go program: runs
// TestProtobufEveryServedKind (test/go) against the embedded control plane. The Go side drives
// create/get/list/update/delete and a watch of each resource it finds in discovery (status, scale,
// token, finalize, log subresources, reviews and metrics included) with client-go's default content
// type, checks every body went and came back as protobuf, and fails on a served resource it has no
// case for. This side checks that the resources it covered are all the catalog serves. Skipped
// when no Go toolchain is installed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinResourceTypes } from '../../harness/controlplane/catalog/index.ts';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';

const goModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../go');
const hasGo = spawnSync('go', ['version']).status === 0;
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

function goTest(kubeconfig: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // Async spawn: the API server lives in this process and must keep serving meanwhile.
    const child = spawn('go', ['test', '-count=1', '-v', '-run', '^TestProtobufEveryServedKind$', '.'], {
      cwd: goModule,
      env: { ...process.env, KUBECONFIG: kubeconfig, PROTOBUF_KINDS: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 12 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** "<group>/<version>/<resource>[/<sub>]" of every built-in resource and subresource the catalog serves. */
function catalogResources(): string[] {
  return builtinResourceTypes().flatMap((rt) => {
    const base = `${rt.group || 'core'}/${rt.version}/${rt.resource}`;
    return [base, ...rt.subresources.map((s) => `${base}/${s}`)];
  }).sort();
}

describe.skipIf(!hasGo)(`client-go drives every served built-in kind as protobuf${hasGo ? '' : ' (skipped: no Go toolchain on PATH)'}`, () => {
  let cp: ControlPlane;
  let dir: string;
  beforeAll(async () => {
    cp = await startControlPlane();
    dir = mkdtempSync(path.join(tmpdir(), 'pb-kinds-'));
    await cp.writeKubeconfig(path.join(dir, 'kubeconfig'));
  }, 60_000);
  afterAll(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates, reads, lists, updates, deletes and watches each kind with protobuf bodies both ways', async () => {
    const { code, output } = await goTest(path.join(dir, 'kubeconfig'));
    const summary = output.split('\n').filter((l) => /^\s*(--- FAIL|FAIL|ok |\s+\w+_test\.go:)/.test(l)).join('\n');
    expect(code, summary || output.slice(-4000)).toBe(0);
    expect(output).toContain('--- PASS: TestProtobufEveryServedKind ');

    // The Go side found in discovery exactly what the catalog serves, and covered it all.
    const covered = /PROTOBUF-KINDS-COVERED (\d+) (\S+)/.exec(output);
    expect(covered, 'coverage line missing').not.toBeNull();
    expect(covered![2].split(',')).toEqual(catalogResources());

    // What the server saw: protobuf request bodies, including the kinds that used to fail.
    const writes = cp.requestLog.filter((e) => e.method === 'POST' || e.method === 'PUT');
    expect(writes.length).toBeGreaterThan(100);
    expect(writes.filter((e) => e.contentType !== PROTOBUF)).toEqual([]);
    expect(writes.filter((e) => e.status >= 400)).toEqual([]);
    for (const p of ['/limitranges', '/customresourcedefinitions', '/nodes', '/endpointslices', '/storageclasses', '/priorityclasses', '/ingressclasses']) {
      expect(writes.some((e) => e.method === 'POST' && e.path.includes(p) && e.status === 201), `POST ${p}`).toBe(true);
    }
  }, 15 * 60_000);
});
