// k3s target through testcontainers (@testcontainers/k3s): images built with the platform's own
// Dockerfiles when asked, saved from the engine and handed to k3s's image-import directory before
// it starts; the container's kubeconfig; then the same KWOK + deploy path as kind. The container
// is removed on teardown and, should the harness die, by testcontainers' reaper. No docker CLI.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { K3sContainer } from '@testcontainers/k3s';
import type { HarnessConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { BringUp } from './bring-up.ts';
import { freshKubeCacheDir } from './exec.ts';
import { imageBuilds, imagesWithBuilt, type ImageBuild } from './images.ts';
import { dockerEngine, firstMissing, onPath, type Prerequisite } from './prerequisites.ts';
import { connectFreshCluster, realClusterDeps, type RealClusterDeps } from './real-cluster.ts';
import { RUN_LABEL, type Cluster, type Target, type TargetUpOptions } from './types.ts';

/** k3s imports every image archive in this directory when its containerd starts (air-gap install). */
export const K3S_IMAGE_DIR = '/var/lib/rancher/k3s/agent/images';

export function k3sPrerequisites(_config: HarnessConfig): Promise<Prerequisite> {
  return firstMissing([onPath('kubectl', 'install kubectl'), dockerEngine]);
}

export interface StartedK3s {
  getId(): string;
  getKubeConfig(): string;
  stop(): Promise<unknown>;
}

/** The container engine as k3s needs it; tests stand in for it. */
export interface K3sRuntime {
  build(b: ImageBuild): Promise<void>;
  /** The image as a `docker save` archive at `file`. */
  save(image: string, file: string): Promise<void>;
  start(container: K3sContainer): Promise<StartedK3s>;
}

/** On a k3s container --keep (or `up`) left: what `down --target k3s` removes, and nothing else. */
export const KEPT_LABEL = 'harness.ambient-code.io/kept';

/** The k3s container: labelled with the run, the images to import copied in, reaped unless kept. */
export async function k3sContainer(config: HarnessConfig, runId: string, archives: string[]): Promise<K3sContainer> {
  const { K3sContainer } = await import('@testcontainers/k3s');
  return new K3sContainer(config.k3sImage)
    .withLabels({ [RUN_LABEL]: runId, ...(config.keep ? { [KEPT_LABEL]: 'true' } : {}) })
    .withCopyFilesToContainer(archives.map((source) => ({ source, target: `${K3S_IMAGE_DIR}/${path.basename(source)}` })))
    .withAutoCleanup(!config.keep) as K3sContainer;
}

export const testcontainersRuntime: K3sRuntime = {
  async build(b) {
    const { GenericContainer } = await import('testcontainers');
    await GenericContainer.fromDockerfile(b.context, b.dockerfile).withBuildkit().build(b.image, { deleteOnExit: false });
  },
  async save(image, file) {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    const stream = await client.container.dockerode.getImage(image).get();
    await pipeline(stream, createWriteStream(file));
  },
  async start(container) {
    return container.start();
  },
};

export function k3sTargetWith(deps: RealClusterDeps, runtime: K3sRuntime = testcontainersRuntime): Target {
  return {
    name: 'k3s',
    prerequisites: k3sPrerequisites,
    async up({ config, runId, workDir, signal }: TargetUpOptions): Promise<Cluster> {
      const bring = new BringUp('k3s', signal, config.keep);
      return bring.run(async () => {
        if (!config.platformDir) throw new ConfigError('target k3s deploys the platform from its manifests: pass --platform-dir <platform checkout>');
        if (!config.deploy) throw new ConfigError('target k3s starts an empty cluster: --no-deploy is for --target existing');
        const builds = imageBuilds(config.platformDir, config.buildImages);
        for (const b of builds) await bring.step(`building image ${b.key} (testcontainers)`, () => runtime.build(b));
        const images = imagesWithBuilt(config.images, builds);
        const archiveDir = path.join(workDir, 'images');
        mkdirSync(archiveDir, { recursive: true });
        const archives: string[] = [];
        for (const [i, image] of Object.values(images).entries()) {
          const file = path.join(archiveDir, `image-${i}.tar`);
          await bring.step(`saving ${image} for k3s to import`, () => runtime.save(image, file));
          archives.push(file);
        }
        const container = await k3sContainer(config, runId, archives);
        const started = await bring.step(`starting ${config.k3sImage}`, () => runtime.start(container));
        bring.onTeardown(`removing k3s container ${started.getId().slice(0, 12)}`, () => started.stop(), {
          durable: true,
          keptHint: `k3s container ${started.getId().slice(0, 12)} (remove: \`ambient-harness down --target k3s\`)`,
        });
        const kubeconfig = path.join(workDir, 'kubeconfig-k3s.yaml');
        writeFileSync(kubeconfig, started.getKubeConfig(), { mode: 0o600 });
        const k = { kubeconfig, cacheDir: freshKubeCacheDir(workDir), runner: deps.runner, signal };
        const cluster = await connectFreshCluster({ target: 'k3s', config, runId, k, bring, images, portForward: deps.portForward, fetchText: deps.fetchText });
        return config.keep ? { ...cluster, kept: { k3sContainerId: started.getId() } } : cluster;
      });
    },
  };
}

export const k3sTarget: Target = k3sTargetWith(realClusterDeps);
