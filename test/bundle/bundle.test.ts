// The bundle cache through the same entry points users run: the launcher (bin/ambient-harness.mjs)
// builds the CLI, backend and operator bundles on first use into the cache directory, reuses a
// fresh build, rebuilds a stale one, and runs through tsx when bundling is off. Each test uses its
// own temporary cache (AMBIENT_BUNDLE_CACHE), never the project's.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../cli/helpers.ts';

const caches: string[] = [];
const tempCache = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ah-bundle-'));
  caches.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of caches) rmSync(d, { recursive: true, force: true });
});

const manifestOf = (cache: string) => JSON.parse(readFileSync(path.join(cache, 'manifest.json'), 'utf8')) as { dir: string; inputs: Record<string, string> };
const builds = (cache: string) => readdirSync(cache).filter((e) => e.startsWith('build-'));

/** Runs the exported library functions in a fresh node process with the given cache. */
function bundleApi(cache: string, call: 'freshBundleDir' | 'ensureBundleDir'): Promise<string> {
  const script = `import('./harness/bundle/bundle.mjs').then(async (m) => process.stdout.write(String(await m.${call}())))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: repoRoot, env: { ...process.env, AMBIENT_BUNDLE_CACHE: cache, AMBIENT_NO_BUNDLE: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

describe('bundle cache', () => {
  it('the launcher builds the three entries on first use and the same validate-config output comes out as through tsx', async () => {
    const cache = tempCache();
    const bundled = await runCli(['validate-config', '--seed', '7', '--profile', 'h-0b59fe7'], { env: { AMBIENT_BUNDLE_CACHE: cache }, timeoutMs: 120_000 });
    expect(bundled.code).toBe(0);
    const m = manifestOf(cache);
    for (const entry of ['cli', 'backend-main', 'operator-main']) expect(existsSync(path.join(cache, m.dir, `${entry}.mjs`))).toBe(true);
    // Project sources and the lockfile are tracked; dependencies are covered by the lockfile.
    expect(Object.keys(m.inputs)).toEqual(expect.arrayContaining(['harness/cli.ts', 'harness/platform/reference/backend-main.ts', 'package-lock.json']));
    expect(Object.keys(m.inputs).some((f) => f.startsWith('node_modules/'))).toBe(false);

    const viaTsx = await runCli(['validate-config', '--seed', '7', '--profile', 'h-0b59fe7'], { env: { AMBIENT_BUNDLE_CACHE: tempCache(), AMBIENT_NO_BUNDLE: '1' }, timeoutMs: 60_000 });
    expect(viaTsx.code).toBe(0);
    expect(bundled.stdout).toBe(viaTsx.stdout);
    expect(JSON.parse(bundled.stdout)).toMatchObject({ seed: 7, profile: 'h-0b59fe7' });
  }, 180_000);

  it('AMBIENT_NO_BUNDLE=1 builds nothing', async () => {
    const cache = tempCache();
    const r = await runCli(['validate-config'], { env: { AMBIENT_BUNDLE_CACHE: cache, AMBIENT_NO_BUNDLE: '1' }, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
  }, 90_000);

  it('a build lock left by a process that died (Ctrl-C during a build) does not hold the next run up', async () => {
    const cache = tempCache();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(path.join(cache, 'build.lock'), String(dead));
    const t0 = Date.now();
    const dir = await bundleApi(cache, 'ensureBundleDir');
    // Waiting for a live owner would take up to 120 s; a dead owner's lock is taken over at once.
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(statSync(path.join(dir, 'cli.mjs')).isFile()).toBe(true);
    expect(existsSync(path.join(cache, 'build.lock'))).toBe(false);
  }, 90_000);

  it('a fresh build is reused; a changed input makes it stale and the next use rebuilds', async () => {
    const cache = tempCache();
    const first = await bundleApi(cache, 'ensureBundleDir');
    expect(path.dirname(first)).toBe(cache);
    expect(await bundleApi(cache, 'freshBundleDir')).toBe(first);
    expect(await bundleApi(cache, 'ensureBundleDir')).toBe(first);
    expect(builds(cache)).toHaveLength(1);

    // What a source edit looks like to the check: a recorded size/mtime no longer matches.
    const m = manifestOf(cache);
    writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify({ ...m, inputs: { ...m.inputs, 'harness/cli.ts': '0:0' } }));
    expect(await bundleApi(cache, 'freshBundleDir')).toBe('undefined');
    const second = await bundleApi(cache, 'ensureBundleDir');
    expect(second).not.toBe(first);
    expect(await bundleApi(cache, 'freshBundleDir')).toBe(second);
  }, 180_000);
});
