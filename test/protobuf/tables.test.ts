// tables.generated.ts is what generate-tables.ts produces from the public API definitions: the
// generator runs offline (GOPROXY=off) against the Go module cache, which `go mod download` in
// test/go fills. Skipped without Go or without those modules in the cache.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../harness/controlplane/protobuf');
const version = /k8s\.io\/metrics (v[\d.]+)\)/.exec(readFileSync(path.join(dir, 'tables.generated.ts'), 'utf8'))?.[1];
const offline = { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod' };
const hasGo = spawnSync('go', ['version']).status === 0;
const modules = ['k8s.io/api', 'k8s.io/apimachinery', 'k8s.io/apiextensions-apiserver', 'k8s.io/metrics'];
const cached = hasGo && !!version && modules.every((m) => spawnSync('go', ['mod', 'download', `${m}@${version}`], { env: offline }).status === 0);
const reason = !hasGo ? 'no Go toolchain on PATH' : `the API modules ${version} are not in the Go module cache (run go mod download in test/go)`;

describe.skipIf(!cached)(`generated protobuf tables${cached ? '' : ` (skipped: ${reason})`}`, () => {
  it('are exactly what generate-tables.ts produces from the API definitions', () => {
    expect(version).toBeDefined();
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, 'generate-tables.ts'), '--check'], { env: offline, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/is up to date \(\d+ messages, \d+ kinds\)/);
  }, 150_000);
});
