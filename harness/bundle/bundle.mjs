// Bundled entry points. Loading the CLI, the reference backend or the reference operator through
// tsx transpiles and resolves ~700 modules per process (~2 s each); one esbuild bundle with code
// splitting (client-node parsed from one shared chunk) loads in well under a second, which is what
// `repro identity` needs to finish in seconds. Plain JavaScript, because the launcher runs it before
// any TypeScript loader exists.
//
// The bundle lives in node_modules/.cache/ambient-harness/<build>/, described by manifest.json: the
// size and mtime of every project source it contains, of package-lock.json and of this file. A
// stale or missing bundle is rebuilt (into a temporary directory, then renamed, so concurrent
// processes never see half a build); when it cannot be built the callers fall back to tsx.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Entry name → source path, relative to the project root. */
export const BUNDLE_ENTRIES = {
  cli: 'harness/cli.ts',
  'backend-main': 'harness/platform/reference/backend-main.ts',
  'operator-main': 'harness/platform/reference/operator-main.ts',
};

/** Set by the launcher when the CLI itself runs from the bundle. */
export const BUNDLE_DIR_ENV = 'AMBIENT_BUNDLE_DIR';
/** Set to 1 to always run through tsx (readable stack traces while developing). */
export const NO_BUNDLE_ENV = 'AMBIENT_NO_BUNDLE';

/* global __AMBIENT_PROJECT_ROOT__ */
/**
 * The project directory. From the sources it is two levels up; inside a bundle (which may live in
 * any cache directory) the build writes it in, and the manifest ties the build to it.
 */
export const PROJECT_ROOT =
  typeof __AMBIENT_PROJECT_ROOT__ === 'string' ? __AMBIENT_PROJECT_ROOT__ : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Set to a directory to keep builds elsewhere (tests use a temporary one). */
export const BUNDLE_CACHE_ENV = 'AMBIENT_BUNDLE_CACHE';
const CACHE_DIR = process.env[BUNDLE_CACHE_ENV] || path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ambient-harness');
const MANIFEST = path.join(CACHE_DIR, 'manifest.json');
const LOCK = path.join(CACHE_DIR, 'build.lock');
/** How long a process waits for another one's build before building itself. */
const LOCK_WAIT_MS = 120_000;
/** Builds older than this that are not current are removed (a running process may still use one). */
const STALE_BUILD_MS = 60 * 60 * 1000;

const CREATE_REQUIRE_BANNER = "import { createRequire as __ahCreateRequire } from 'node:module'; const require = __ahCreateRequire(import.meta.url);";

function stamp(rel) {
  try {
    const s = statSync(path.join(PROJECT_ROOT, rel));
    return `${s.size}:${Math.trunc(s.mtimeMs)}`;
  } catch {
    return 'missing';
  }
}

/** The always-checked files besides the sources: dependencies and this builder. */
const FIXED_INPUTS = ['package-lock.json', 'harness/bundle/bundle.mjs'];

/** The current build's directory when every input is unchanged, else undefined. Synchronous and cheap. */
export function freshBundleDir() {
  if (process.env[NO_BUNDLE_ENV] === '1') return undefined;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.node !== process.versions.node || manifest.root !== PROJECT_ROOT || typeof manifest.dir !== 'string' || !manifest.inputs) return undefined;
  for (const [rel, want] of Object.entries(manifest.inputs)) if (stamp(rel) !== want) return undefined;
  const dir = path.join(CACHE_DIR, manifest.dir);
  return Object.keys(BUNDLE_ENTRIES).every((e) => existsSync(path.join(dir, `${e}.mjs`))) ? dir : undefined;
}

/**
 * A fresh build's directory, building it when needed; undefined when bundling is turned off or
 * fails (the reason goes to `onNote`, the caller falls back to tsx). `onProgress` hears when a
 * build starts (it takes a few seconds).
 */
export async function ensureBundleDir(onNote = () => {}, onProgress = () => {}) {
  if (process.env[NO_BUNDLE_ENV] === '1') return undefined;
  const fresh = freshBundleDir() ?? (await waitForOtherBuild());
  if (fresh) return fresh;
  let locked = false;
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const fd = openSync(LOCK, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    locked = true;
  } catch {
    /* a lock left too long or an unwritable cache: build without it */
  }
  try {
    onProgress('building the bundle (first run, or a source changed)');
    return await build(onNote);
  } finally {
    if (locked) rmSync(LOCK, { force: true });
  }
}

/** Whether the process that wrote the lock still runs (a build cut short by Ctrl-C leaves its lock). */
function lockOwnerAlive() {
  const pid = Number.parseInt(readFileSync(LOCK, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0) return true; // being written: give it time
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err?.code === 'EPERM';
  }
}

/** When another live process holds the build lock, waits (bounded) for its build to appear. */
async function waitForOtherBuild() {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (Date.now() < deadline) {
    let age;
    try {
      age = Date.now() - statSync(LOCK).mtimeMs;
      if (!lockOwnerAlive()) {
        rmSync(LOCK, { force: true });
        return undefined;
      }
    } catch {
      return freshBundleDir();
    }
    if (age > LOCK_WAIT_MS) return undefined;
    await new Promise((r) => setTimeout(r, 200));
    const fresh = freshBundleDir();
    if (fresh) return fresh;
  }
  return undefined;
}

async function build(onNote) {
  const tmp = path.join(CACHE_DIR, `tmp-${process.pid}-${Date.now()}`);
  try {
    const esbuild = await import('esbuild');
    mkdirSync(tmp, { recursive: true });
    const result = await esbuild.build({
      absWorkingDir: PROJECT_ROOT,
      entryPoints: BUNDLE_ENTRIES,
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      minifyWhitespace: true,
      minifySyntax: true,
      banner: { js: CREATE_REQUIRE_BANNER },
      define: { __AMBIENT_PROJECT_ROOT__: JSON.stringify(PROJECT_ROOT) },
      metafile: true,
      // testcontainers (k3s only, loaded on demand) stays in node_modules: its ssh2 dependency has native addons.
      external: ['esbuild', 'testcontainers', '@testcontainers/k3s'],
      logLevel: 'silent',
    });
    const inputs = {};
    for (const rel of [...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')), ...FIXED_INPUTS]) inputs[rel] = stamp(rel);
    const name = `build-${process.pid}-${Date.now()}`;
    renameSync(tmp, path.join(CACHE_DIR, name));
    const manifestTmp = `${MANIFEST}.${process.pid}`;
    writeFileSync(manifestTmp, JSON.stringify({ dir: name, root: PROJECT_ROOT, node: process.versions.node, inputs }));
    renameSync(manifestTmp, MANIFEST);
    removeOldBuilds(name);
    return path.join(CACHE_DIR, name);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    onNote(`bundling failed, running through tsx: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return undefined;
  }
}

function removeOldBuilds(current) {
  for (const entry of readdirSync(CACHE_DIR)) {
    if (entry === current || !/^(build|tmp)-/.test(entry)) continue;
    const full = path.join(CACHE_DIR, entry);
    try {
      if (Date.now() - statSync(full).mtimeMs > STALE_BUILD_MS) rmSync(full, { recursive: true, force: true });
    } catch {
      /* another process removed it */
    }
  }
}
