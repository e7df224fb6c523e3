// The platform's images from a checkout (--build-images): which Dockerfile and build context make
// each image, the local tag it gets, and loading images into kind (with the archive fallback).
// Builds use the checkout's own Dockerfiles, never one of ours.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ImageKey } from '../config.ts';
import { ConfigError, InfraError, oneLine } from '../errors.ts';
import { IMAGE_REPOS } from '../platform/deploy.ts';
import { progress } from '../report/progress.ts';
import type { ProcessRunner } from './exec.ts';

/** Where each image's Dockerfile lives in the platform checkout (the Makefile's build-* targets). */
const COMPONENT_DIRS: Record<ImageKey, string> = {
  backend: 'components/backend',
  frontend: 'components/frontend',
  operator: 'components/operator',
  runner: 'components/runners/ambient-runner',
  stateSync: 'components/runners/state-sync',
  publicApi: 'components/public-api',
  apiServer: 'components/ambient-api-server',
};

/** Tag of a locally built image: never pulled (imagePullPolicy IfNotPresent), never pushed. */
export const LOCAL_TAG = 'harness';

export interface ImageBuild {
  key: ImageKey;
  image: string;
  /** Build context (absolute). */
  context: string;
  /** Dockerfile, relative to the context. */
  dockerfile: string;
}

export function localImageName(key: ImageKey): string {
  return `localhost/ambient-harness/${path.basename(IMAGE_REPOS[key])}:${LOCAL_TAG}`;
}

/**
 * Build context of a component. Usually its own directory; a Dockerfile that copies a path named
 * after its own directory which only exists one level up (`COPY ambient-runner /app/...`, the
 * runner at 6b21778) is built from the parent directory, as the platform's Makefile does there.
 */
function contextOf(componentDir: string): { context: string; dockerfile: string } {
  const text = readFileSync(path.join(componentDir, 'Dockerfile'), 'utf8');
  const own = path.basename(componentDir);
  const copiesOwnDir = text.split('\n').some((line) => {
    const m = /^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*(\S+)\s/i.exec(line);
    return !!m && (m[1] === own || m[1].startsWith(`${own}/`));
  });
  const fromParent = copiesOwnDir && !existsSync(path.join(componentDir, own));
  return fromParent ? { context: path.dirname(componentDir), dockerfile: path.join(own, 'Dockerfile') } : { context: componentDir, dockerfile: 'Dockerfile' };
}

/** What `--build-images` builds from `platformDir`; a missing Dockerfile is bad input (exit 2). */
export function imageBuilds(platformDir: string | undefined, keys: readonly ImageKey[]): ImageBuild[] {
  if (!keys.length) return [];
  if (!platformDir) throw new ConfigError('--build-images needs --platform-dir <platform checkout>');
  return keys.map((key) => {
    const dir = path.resolve(platformDir, COMPONENT_DIRS[key]);
    if (!existsSync(path.join(dir, 'Dockerfile'))) throw new ConfigError(`--build-images ${key}: no Dockerfile at ${path.join(dir, 'Dockerfile')}`);
    return { key, image: localImageName(key), ...contextOf(dir) };
  });
}

/** Images to deploy: the user's overrides, then what this run built (built wins). */
export function imagesWithBuilt(images: Partial<Record<ImageKey, string>>, builds: ImageBuild[]): Partial<Record<ImageKey, string>> {
  return { ...images, ...Object.fromEntries(builds.map((b) => [b.key, b.image])) };
}

const BUILD_TIMEOUT_MS = 30 * 60_000;

/** `docker build` with the platform's Dockerfile (BuildKit, the engine's default builder). */
export async function dockerBuild(runner: ProcessRunner, b: ImageBuild, signal?: AbortSignal): Promise<void> {
  progress(`building ${b.image} from ${b.dockerfile} in ${b.context}`);
  await runner.exec('docker', ['build', '--tag', b.image, '--file', path.join(b.context, b.dockerfile), b.context], {
    timeoutMs: BUILD_TIMEOUT_MS,
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
    signal,
  });
}

/**
 * `kind load docker-image`, and when it fails (kind cannot read images from a Docker engine that
 * uses the containerd image store: "content digest ... not found"), the same image through an
 * archive: `docker save IMAGE | kind load image-archive /dev/stdin`.
 */
export async function kindLoadImage(runner: ProcessRunner, cluster: string, image: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<'docker-image' | 'image-archive'> {
  progress(`loading ${image} into kind cluster ${cluster}`);
  const direct = await runner.exec('kind', ['load', 'docker-image', image, '--name', cluster], { ...opts, allowFailure: true });
  if (direct.code === 0) return 'docker-image';
  const why = direct.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${direct.code}`;
  progress(`kind load docker-image failed (${oneLine(why)}); loading through docker save | kind load image-archive`);
  try {
    await runner.pipe({ cmd: 'docker', args: ['save', image] }, { cmd: 'kind', args: ['load', 'image-archive', '/dev/stdin', '--name', cluster] }, opts);
  } catch (err) {
    throw err instanceof InfraError ? err : new InfraError(`loading ${image} into kind: ${oneLine(err)}`, { cause: err });
  }
  return 'image-archive';
}
