// `--platform-dir DIR --build`: compiles components/backend and components/operator of a platform
// checkout with the local Go toolchain (each has its own go.mod; built inside the component,
// CGO_ENABLED=0, GOTOOLCHAIN=local so a too-old Go is an error, not a download) into a cache keyed
// by a hash of the sources and the toolchain. Same sources, same binary: a second run starts at once.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, InfraError, PrerequisiteError } from '../../errors.ts';
import { isAlive } from '../../process/proc.ts';
import { progress } from '../../report/progress.ts';
import { exec, which } from '../../targets/exec.ts';

export const PLATFORM_COMPONENTS = ['backend', 'operator'] as const;
export type PlatformComponent = (typeof PLATFORM_COMPONENTS)[number];

/** Set to a directory to keep built binaries elsewhere (tests use a temporary one). */
export const BUILD_CACHE_ENV = 'AMBIENT_BUILD_CACHE';
/** Part of every cache key: bump when the way binaries are built changes. */
const RECIPE = 'go-build-trimpath-cgo0-v1';
/** Builds kept per component; older ones are removed after a build. */
const KEEP_BUILDS = 3;
/** Files this large are not sources (a binary left in the tree); they do not change the key. */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

export interface BuiltProgram {
  component: PlatformComponent;
  /** Absolute path of the executable. */
  binary: string;
  /** Cache key: hash of the component's sources, the Go version and the recipe. */
  key: string;
  cached: boolean;
}

export interface BuildOptions {
  platformDir: string;
  components?: readonly PlatformComponent[];
  timeoutMs?: number;
  /** Where each component's full build output is written (the report dir). */
  logDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function buildCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env[BUILD_CACHE_ENV]) return path.resolve(env[BUILD_CACHE_ENV]);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'ambient-harness', 'platform-builds');
}

export function componentDir(platformDir: string, component: PlatformComponent): string {
  return path.join(path.resolve(platformDir), 'components', component);
}

/** Files that can change the binary: everything but tests, docs, hidden entries and large files. */
function sourceFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'testdata' || entry.name === 'node_modules') continue;
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...sourceFiles(dir, r));
    else if (entry.isFile() && !entry.name.endsWith('_test.go') && !entry.name.endsWith('.md') && statSync(path.join(dir, r)).size <= MAX_SOURCE_BYTES) out.push(r);
  }
  return out.sort();
}

/** Directories go.mod's `replace ... => ./x` / `=> ../x` lines pull in: their sources count too. */
export function localReplacements(dir: string): string[] {
  const gomod = readFileSync(path.join(dir, 'go.mod'), 'utf8');
  const out = new Set<string>();
  for (const m of gomod.matchAll(/=>\s*(\.{1,2}\/[^\s)]*)/g)) out.add(m[1]);
  return [...out].sort();
}

/** The cache key of one component: its sources (and local replacements'), the Go version and platform, the recipe. */
export function sourceKey(dir: string, goVersion: string): string {
  const h = createHash('sha256').update(`${RECIPE}\0${goVersion}\0`);
  for (const root of ['.', ...localReplacements(dir)]) {
    const base = path.resolve(dir, root);
    if (!existsSync(base)) continue;
    for (const f of sourceFiles(base)) h.update(`${root}/${f}`).update('\0').update(readFileSync(path.join(base, f))).update('\0');
  }
  return h.digest('hex').slice(0, 20);
}

/** `go version` of the toolchain on PATH, e.g. "go1.26.8 linux/amd64"; exit 3 when there is none. */
export async function localGoVersion(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!which('go', env.PATH)) throw new PrerequisiteError('--build needs the Go toolchain: go is not on PATH (install Go 1.24 or newer, or give --backend-cmd/--operator-cmd)');
  const r = await exec('go', ['env', 'GOVERSION', 'GOOS', 'GOARCH'], { env: { ...env, GOTOOLCHAIN: 'local' }, timeoutMs: 60_000 });
  const [version, goos, goarch] = r.stdout.trim().split('\n');
  return `${version} ${goos}/${goarch}`;
}

/** The last lines of a compiler's output, for the one-line error. */
function lastLines(text: string, n = 12): string {
  return text.trim().split('\n').filter((l) => l.trim()).slice(-n).join('\n');
}

/** `<key>.tmp-<pid>-<ms>`: a build in progress, or left by a harness that was killed mid-build. */
const TMP_DIR = /\.tmp-(\d+)-\d+$/;

function pruneOld(cache: string, component: PlatformComponent, keep: string): void {
  for (const e of readdirSync(cache, { withFileTypes: true })) {
    const m = TMP_DIR.exec(e.name);
    if (m && e.name.startsWith(`${component}-`) && !isAlive(Number(m[1]))) rmSync(path.join(cache, e.name), { recursive: true, force: true });
  }
  const mine = readdirSync(cache, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith(`${component}-`) && !e.name.includes('.tmp-'))
    .map((e) => ({ name: e.name, mtime: statSync(path.join(cache, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  // A binary a running harness uses can be unlinked safely: the process keeps its inode.
  for (const old of mine.slice(KEEP_BUILDS)) if (old.name !== keep) rmSync(path.join(cache, old.name), { recursive: true, force: true });
}

async function buildOne(platformDir: string, component: PlatformComponent, goVersion: string, opts: BuildOptions): Promise<BuiltProgram> {
  const dir = componentDir(platformDir, component);
  if (!existsSync(path.join(dir, 'go.mod'))) throw new ConfigError(`--platform-dir ${platformDir} has no components/${component}/go.mod (not a platform checkout?)`);
  const key = `${component}-${sourceKey(dir, goVersion)}`;
  const cache = buildCacheDir(opts.env);
  const binary = path.join(cache, key, component);
  if (existsSync(binary)) {
    progress(`components/${component}: built binary from cache (${key})`);
    return { component, binary, key, cached: true };
  }
  mkdirSync(cache, { recursive: true });
  const tmp = path.join(cache, `${key}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  progress(`building components/${component} of ${platformDir} with ${goVersion} (CGO_ENABLED=0; a cold module cache takes minutes)`);
  const started = Date.now();
  const ticker = setInterval(() => progress(`still building components/${component} (${Math.round((Date.now() - started) / 1000)} s)`), 15_000);
  try {
    const r = await exec('go', ['build', '-trimpath', '-o', path.join(tmp, component), '.'], {
      cwd: dir,
      env: { ...(opts.env ?? process.env), CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
      timeoutMs: opts.timeoutMs ?? 900_000,
      allowFailure: true,
    });
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      writeFileSync(path.join(opts.logDir, `build-${component}.log`), `$ CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath (in components/${component})\n${r.stdout}${r.stderr}exit ${r.code}\n`);
    }
    if (r.code !== 0) {
      throw new InfraError(`go build of components/${component} failed (exit ${r.code}):\n${lastLines(r.stderr || r.stdout)}`, { code: 'BUILD_FAILED' });
    }
    try {
      renameSync(tmp, path.join(cache, key));
    } catch {
      // Another run built the same key meanwhile: its binary is the same.
    }
    pruneOld(cache, component, key);
    progress(`components/${component} built in ${Math.round((Date.now() - started) / 1000)} s (${key})`);
    return { component, binary, key, cached: false };
  } finally {
    clearInterval(ticker);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds (or finds in the cache) the given components, one after the other (2-core friendly). */
export async function buildPlatform(opts: BuildOptions): Promise<Partial<Record<PlatformComponent, BuiltProgram>>> {
  const goVersion = await localGoVersion(opts.env);
  const out: Partial<Record<PlatformComponent, BuiltProgram>> = {};
  for (const c of opts.components ?? PLATFORM_COMPONENTS) out[c] = await buildOne(opts.platformDir, c, goVersion, opts);
  return out;
}
