// The one configuration schema: file (--config harness.yaml|json) + env (AMBIENT_HARNESS_*) + flags.
// Precedence: defaults < file < env < flags. Unknown keys are rejected everywhere. Defaults live here only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { RUNNER_COMMITS, type RunnerCommit } from './platform/contract.ts';

export const TARGETS = ['embedded', 'kind', 'k3s', 'existing'] as const;
export const PROFILES = ['reference', 'm-6b21778', 'h-0b59fe7'] as const;
/** Both spellings of the parent key (contract §0): what the runner sends, what the backend reads. */
export const PARENT_KEYS = ['parentSessionId', 'parent_session_id'] as const;
/** Service-account token algorithms of the embedded control plane (ES256 is cheaper to sign). */
export const SA_SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type TargetName = (typeof TARGETS)[number];
export const PLATFORM_PROCESSES = ['local', 'cluster'] as const;
export type PlatformProcesses = (typeof PLATFORM_PROCESSES)[number];
export type ProfileName = (typeof PROFILES)[number];
/** Keys of the platform's images (deploy.sh's IMAGE_* variables), for --images and --build-images. */
export const IMAGE_KEYS = ['backend', 'frontend', 'operator', 'runner', 'stateSync', 'publicApi', 'apiServer'] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];
/** What `--build-images` builds when given no list: the two programs the scenarios exercise. */
export const DEFAULT_BUILD_IMAGES: ImageKey[] = ['backend', 'operator'];

const positiveInt = (max: number) => z.number().int().min(1).max(max);

/** Bring-up of a real cluster includes image builds and pulls: minutes, not seconds. */
const REAL_CLUSTER_UP_MS = 30 * 60_000;

const TimeoutsSchema = z.strictObject({
  /** Bringing the target up (cluster + platform); kind and k3s default to REAL_CLUSTER_UP_MS. */
  upMs: z.number().int().positive().default(180_000),
  /** Waiting for Deployments to become Available after apply. */
  deployMs: z.number().int().positive().default(300_000),
  /** One scenario, start to end. */
  scenarioMs: z.number().int().positive().default(600_000),
  /** Tearing the target down. */
  downMs: z.number().int().positive().default(120_000),
  /** `--build`: compiling the platform's backend and operator (cold caches on a busy 2-core machine: over 15 min). */
  buildMs: z.number().int().positive().default(1_800_000),
});

export const ConfigSchema = z.strictObject({
  target: z.enum(TARGETS).default('embedded'),
  profile: z.enum(PROFILES).default('reference'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Spawn-tree depth: levels below the root. */
  depth: positiveInt(20).default(6),
  /** Children per session on the wide levels. */
  fanout: positiveInt(20).default(2),
  /** Levels (from the root) that fan out; deeper levels are one spine, so `depth` grows the tree deep, not wide. */
  wideLevels: positiveInt(20).default(3),
  /** Concurrent requests / virtual users. */
  concurrency: positiveInt(256).default(4),
  /** Scenario names to run; empty = all registered. */
  scenarios: z.array(z.string().min(1)).default([]),
  /** Default: reports/<runId>. */
  reportDir: z.string().min(1).optional(),
  backendCmd: z.string().min(1).optional(),
  operatorCmd: z.string().min(1).optional(),
  /** A checkout of the platform (has components/manifests/). */
  platformDir: z.string().min(1).optional(),
  /** Build components/backend and components/operator of platformDir with the local Go toolchain and run them. */
  build: z.boolean().default(false),
  /**
   * Where the backend and operator run: `local` processes on this machine against the target's API
   * server, or `cluster` (deployed in it). Default per target: see platformProcessesOf.
   */
  platformProcesses: z.enum(PLATFORM_PROCESSES).optional(),
  /** Which userContext fields must survive inheritance: the whole identity (default), or only userId. */
  strictIdentity: z.enum(['userId', 'all']).default('all'),
  /** After a scenario's last create, how long to wait before re-reading every session (late writers show by then). */
  settleMs: z.number().int().min(0).max(60_000).default(2_000),
  /** Whose runner requests the simulation sends: a platform commit's, or `auto` (from the profile; the newest otherwise). */
  runner: z.enum(['auto', ...RUNNER_COMMITS]).default('auto'),
  /** The create-request keys identity trees name the parent with: the runner's and the backend's. */
  parentKeys: z.array(z.enum(PARENT_KEYS)).min(1).default([...PARENT_KEYS]),
  /** Embedded target: how the API server signs service-account tokens. */
  saSigningAlg: z.enum(SA_SIGNING_ALGS).default('ES256'),
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  kindConfig: z.string().min(1).default('kind-config.yaml'),
  kindClusterName: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/).default('ambient-harness'),
  k3sImage: z.string().min(1).default('rancher/k3s:v1.33.1-k3s1'),
  /** kustomize overlay under <platformDir>/components/manifests/overlays/. */
  overlay: z.string().regex(/^[A-Za-z0-9._-]+$/).default('kind'),
  /** Image overrides for deploy, like the platform's deploy.sh IMAGE_* swaps: { backend: "repo:tag", ... }. */
  images: z.partialRecord(z.enum(IMAGE_KEYS), z.string().min(1)).default({}),
  /** kind/k3s: build these images from --platform-dir with the platform's own Dockerfiles, then load them. */
  buildImages: z.array(z.enum(IMAGE_KEYS)).default([]),
  /** kind/k3s: fake KWOK nodes the runner pods are scheduled onto (0: no KWOK, runner pods run on the real node). */
  kwokNodes: z.number().int().min(0).max(100).default(5),
  /** KWOK release whose kwok.yaml and stage-fast.yaml are applied. */
  kwokVersion: z.string().regex(/^v\d+\.\d+\.\d+$/).default('v0.8.0'),
  /** Deploy the platform from --platform-dir (false: --no-deploy, use what the cluster already runs). */
  deploy: z.boolean().default(true),
  /** Leave the cluster (kind, k3s) and what was deployed in place after the run. */
  keep: z.boolean().default(false),
  /** Where `up` records what it created, so `down` removes exactly that. Default: the user's state dir. */
  stateDir: z.string().min(1).optional(),
  timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
  /** k6-style thresholds per metric: { http_req_duration: ["p(95)<500"] }. */
  thresholds: z.record(z.string().regex(/^[a-z_]+(\{[^}]*\})?$/), z.array(z.string().min(1))).default({}),
  debug: z.boolean().default(false),
});

export type HarnessConfig = z.output<typeof ConfigSchema>;
export type HarnessConfigInput = z.input<typeof ConfigSchema>;

/** Keys whose env/flag string values are numbers / booleans / lists / JSON objects. */
const NUMERIC_KEYS = new Set(['seed', 'depth', 'fanout', 'wideLevels', 'concurrency', 'kwokNodes', 'settleMs']);
const BOOLEAN_KEYS = new Set(['debug', 'deploy', 'keep', 'build']);
const LIST_KEYS = new Set(['scenarios', 'parentKeys', 'buildImages']);
const OBJECT_KEYS = new Set(['timeouts', 'thresholds', 'images']);
export const ENV_PREFIX = 'AMBIENT_HARNESS_';

/** camelCase key -> AMBIENT_HARNESS_UPPER_SNAKE. */
export function envNameOf(key: string): string {
  return ENV_PREFIX + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

function keyOfEnvName(name: string): string {
  return name
    .slice(ENV_PREFIX.length)
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Turns one string value (env or flag) into the type its key expects; the schema then validates it. */
function coerce(key: string, raw: string, source: string): unknown {
  if (NUMERIC_KEYS.has(key)) {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${source}: expected an integer, got "${raw}"`);
    return Number(raw);
  }
  if (BOOLEAN_KEYS.has(key)) {
    if (!/^(true|false|1|0)$/i.test(raw)) throw new ConfigError(`${source}: expected true or false, got "${raw}"`);
    return /^(true|1)$/i.test(raw);
  }
  if (LIST_KEYS.has(key)) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (OBJECT_KEYS.has(key)) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new ConfigError(`${source}: expected a JSON object`);
    }
  }
  return raw;
}

/** Reads AMBIENT_HARNESS_* variables; an unknown one is a ConfigError (typos must not pass silently). */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const known = new Set(Object.keys(ConfigSchema.shape));
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    if (name === ENV_PREFIX + 'CONFIG') continue; // the file path itself, read by loadConfig
    const key = keyOfEnvName(name);
    if (!known.has(key)) throw new ConfigError(`unknown environment variable ${name}`);
    out[key] = coerce(key, value, name);
  }
  return out;
}

/** Flags arrive as strings (commander) or already typed; strings are coerced like env values. */
export function configFromFlags(flags: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'string' ? coerce(key, value, `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`) : value;
  }
  return out;
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`config file ${file}: top level must be a mapping`);
  return data as Record<string, unknown>;
}

/** Objects (timeouts, thresholds, images) merge key by key; everything else is replaced. */
function mergeLayers(layers: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const prev = out[key];
      if (OBJECT_KEYS.has(key) && isPlainObject(prev) && isPlainObject(value)) out[key] = { ...prev, ...value };
      else out[key] = value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates one merged object; every problem is listed on one line. */
export function parseConfig(input: unknown): HarnessConfig {
  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const where = i.path.length ? i.path.join('.') : '(top level)';
      if (i.code === 'unrecognized_keys') return `${where}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${where}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const upGiven = isPlainObject(input) && isPlainObject(input.timeouts) && input.timeouts.upMs !== undefined;
  if (!upGiven && (result.data.target === 'kind' || result.data.target === 'k3s')) result.data.timeouts = { ...result.data.timeouts, upMs: REAL_CLUSTER_UP_MS };
  checkPlatformOptions(result.data);
  return result.data;
}

/** Targets whose platform is deployed in the cluster unless local programs are asked for. */
const DEPLOYING_TARGETS: readonly string[] = ['kind', 'k3s', 'existing'];

/**
 * Where the backend and operator run for this configuration. Explicit `platformProcesses` wins;
 * otherwise local on a target without a kubelet (embedded, envtest), and on existing when
 * programs to run were given (--backend-cmd, --operator-cmd, --build); deployed on kind and k3s.
 */
export function platformProcessesOf(config: HarnessConfig): PlatformProcesses {
  if (config.platformProcesses) return config.platformProcesses;
  if (!DEPLOYING_TARGETS.includes(config.target)) return 'local';
  const programsGiven = !!(config.backendCmd || config.operatorCmd || config.build);
  return config.target === 'existing' && programsGiven ? 'local' : 'cluster';
}

/** Combinations that cannot mean anything: one clear line each, before anything starts. */
function checkPlatformOptions(config: HarnessConfig): void {
  if (config.build && !config.platformDir) throw new ConfigError('--build needs --platform-dir <platform checkout> (it builds components/backend and components/operator there)');
  const programs = [config.backendCmd && '--backend-cmd', config.operatorCmd && '--operator-cmd', config.build && '--build'].filter(Boolean).join(', ');
  const where = platformProcessesOf(config);
  if (where === 'cluster' && config.target === 'embedded') throw new ConfigError('--platform-processes cluster: the embedded control plane runs no containers; the platform runs as local processes there');
  if ((config.target === 'kind' || config.target === 'k3s') && (programs || where === 'local')) {
    throw new ConfigError(`target ${config.target} deploys the platform in the cluster; for local processes (${programs || '--platform-processes local'}) use --target embedded or existing`);
  }
  if (where === 'cluster' && programs) throw new ConfigError(`${programs} start${programs.includes(',') ? '' : 's'} local processes, which --platform-processes cluster excludes`);
}

export interface LoadConfigOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Record<string, unknown>;
  /** Base for relative paths in the config (default: cwd). */
  cwd?: string;
}

/** defaults < file < env < flags, then validated once. */
export function loadConfig(opts: LoadConfigOptions = {}): HarnessConfig {
  const env = opts.env ?? process.env;
  const file = opts.configFile ?? env[ENV_PREFIX + 'CONFIG'];
  const fileLayer = file ? readConfigFile(path.resolve(opts.cwd ?? process.cwd(), file)) : {};
  return parseConfig(mergeLayers([fileLayer, configFromEnv(env), configFromFlags(opts.flags ?? {})]));
}

/** Time-stamped run id, e.g. 20261128T063500Z-s42: unique per run, and it names the report folder and cluster labels. */
export function makeRunId(seed: number, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-s${seed}`;
}

/** The runner commit a run simulates: `--runner`, else the profile's commit, else the newest modelled runner. */
export function runnerCommitOf(config: Pick<HarnessConfig, 'runner' | 'profile'>): RunnerCommit {
  if (config.runner !== 'auto') return config.runner;
  return config.profile === 'm-6b21778' ? '6b21778' : '0b59fe7de';
}

export function reportDirOf(config: HarnessConfig, runId: string, cwd = process.cwd()): string {
  return path.resolve(cwd, config.reportDir ?? path.join('reports', runId));
}

/** A value as one shell word: bare when it is plain, else single-quoted. */
export function shellWord(v: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * The flags that make a rerun start the same target and programs: the checkout and --build, the
 * given commands, the cluster, and --profile only where a reference program runs (it is the only
 * one the profile changes). Used by repro lines and rerun commands.
 */
export function rerunTargetFlags(config: HarnessConfig): string[] {
  const out = ['--target', config.target];
  if (config.kubeconfig) out.push('--kubeconfig', shellWord(config.kubeconfig));
  if (config.context) out.push('--context', shellWord(config.context));
  if (config.platformDir) out.push('--platform-dir', shellWord(config.platformDir));
  if (config.overlay !== 'kind') out.push('--overlay', config.overlay);
  if (config.build) out.push('--build');
  if (config.backendCmd) out.push('--backend-cmd', shellWord(config.backendCmd));
  if (config.operatorCmd) out.push('--operator-cmd', shellWord(config.operatorCmd));
  if (config.platformProcesses) out.push('--platform-processes', config.platformProcesses);
  const local = platformProcessesOf(config) === 'local';
  const referenceRuns = local && (!(config.backendCmd || config.build) || !(config.operatorCmd || config.build));
  if (referenceRuns) out.push('--profile', config.profile);
  return out;
}
