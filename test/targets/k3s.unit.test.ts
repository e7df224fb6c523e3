// The k3s target with the container engine faked (a K3sRuntime standing in for testcontainers) and
// kubectl answered by a FakeRunner: the container it asks testcontainers for (image, run label,
// image archives in k3s's import directory, reaped unless kept), the kubeconfig it uses, and that a
// failed set-up and SIGINT both remove the container.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { K3sContainer } from '@testcontainers/k3s';
import { parseConfig, type HarnessConfigInput } from '../../harness/config.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { which } from '../../harness/targets/exec.ts';
import { localImageName, type ImageBuild } from '../../harness/targets/images.ts';
import { K3S_IMAGE_DIR, KEPT_LABEL, k3sTargetWith, type K3sRuntime } from '../../harness/targets/k3s.ts';
import { RUN_LABEL } from '../../harness/targets/types.ts';
import { FakeRunner } from './fake-runner.ts';
import { fakeKwokFetch, writeMiniPlatform } from './mini-platform.ts';

/** What the container definition holds; GenericContainer keeps it in protected fields. */
type Definition = { createOpts: { Image: string; Labels?: Record<string, string> }; hostConfig: { Privileged?: boolean }; filesToCopy: Array<{ source: string; target: string }>; autoCleanup: boolean };
const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "https://localhost:32771"}\n  name: default\n';

describe.skipIf(!which('kubectl'))('k3s target, container engine faked', () => {
  let platformDir: string;
  let workDir: string;
  let runner: FakeRunner;
  let events: string[];
  let started: Definition | undefined;
  let savedFiles: Record<string, string>;
  let startHook: () => Promise<void>;
  beforeAll(() => {
    setProgressSink('quiet');
    platformDir = writeMiniPlatform(mkdtempSync(path.join(os.tmpdir(), 'k3s-unit-platform-')));
  });
  afterAll(() => {
    setProgressSink('stderr');
    rmSync(platformDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'k3s-unit-work-'));
    events = [];
    started = undefined;
    savedFiles = {};
    startHook = async () => {};
    runner = new FakeRunner().on((c) => (FakeRunner.line(c).includes('get nodes -l type!=kwok') ? { stdout: 'k3s-node' } : undefined));
  });

  const runtime: K3sRuntime = {
    async build(b: ImageBuild) {
      events.push(`build ${b.image}`);
    },
    async save(image, file) {
      writeFileSync(file, `archive of ${image}`);
      savedFiles[image] = file;
      events.push(`save ${image}`);
    },
    async start(container: K3sContainer) {
      started = container as unknown as Definition;
      events.push('start');
      await startHook();
      return { getId: () => 'c0ffee1234567890', getKubeConfig: () => KUBECONFIG, stop: async () => void events.push('stop') };
    },
  };
  const up = (over: HarnessConfigInput = {}, signal?: AbortSignal) =>
    k3sTargetWith({ runner, fetchText: fakeKwokFetch, portForward: async () => ({ localPort: 40124, stop: () => void events.push('port-forward stopped') }) }, runtime).up({
      config: parseConfig({ target: 'k3s', platformDir, kwokNodes: 2, ...over }),
      runId: 'run-k3s-unit',
      workDir,
      logDir: workDir,
      signal,
    });

  it('asks testcontainers for k3s with the run label and the images to import, uses its kubeconfig, deploys, and removes it on down', async () => {
    const cluster = await up({ buildImages: ['backend'], images: { frontend: 'localhost/frontend:pr' } });
    expect(events.slice(0, 4)).toEqual([`build ${localImageName('backend')}`, 'save localhost/frontend:pr', `save ${localImageName('backend')}`, 'start']);
    expect(started!.createOpts.Image).toBe('rancher/k3s:v1.33.1-k3s1');
    expect(started!.createOpts.Labels?.[RUN_LABEL]).toBe('run-k3s-unit');
    expect(started!.createOpts.Labels?.[KEPT_LABEL]).toBeUndefined();
    expect(started!.hostConfig.Privileged).toBe(true);
    expect(started!.autoCleanup).toBe(true); // testcontainers' reaper removes it should the harness die
    // Each saved archive is copied into the directory k3s imports images from when it starts.
    expect(started!.filesToCopy.map((f) => f.source).sort()).toEqual(Object.values(savedFiles).sort());
    for (const f of started!.filesToCopy) {
      expect(path.dirname(f.target)).toBe(K3S_IMAGE_DIR);
      expect(readFileSync(f.source, 'utf8')).toMatch(/^archive of /);
    }
    expect(readFileSync(cluster.kubeconfig.path, 'utf8')).toBe(KUBECONFIG);
    // The same KWOK + deploy path as kind: the fake nodes, then the platform with the built image.
    expect(runner.calls.some((c) => c.args.includes('apply') && /kind: Node\b/.test(c.input ?? ''))).toBe(true);
    const platform = runner.calls.find((c) => c.args.includes('apply') && (c.input ?? '').includes('name: backend-api'))!;
    expect(platform.input).toContain(`image: ${localImageName('backend')}`);
    expect(platform.input).toContain('image: localhost/frontend:pr');
    expect(runner.lines().every((l) => !l.startsWith('docker'))).toBe(true); // no docker CLI of our own
    await cluster.down();
    expect(events.slice(-2)).toEqual(['port-forward stopped', 'stop']);
  });

  it('a failed deploy removes the container', async () => {
    runner.on((c) => (c.args.includes('apply') && (c.input ?? '').includes('name: backend-api') ? { code: 1, stderr: 'Error from server: etcdserver: request timed out' } : undefined));
    await expect(up()).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('request timed out') });
    expect(events).toEqual(['start', 'stop']);
  });

  it('SIGINT while the container starts: it is removed as soon as the start returns, and nothing else runs', async () => {
    const abort = new AbortController();
    startHook = async () => abort.abort();
    await expect(up({}, abort.signal)).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(events).toEqual(['start', 'stop']);
    expect(runner.calls).toEqual([]);
  });

  it('--keep: no reaper for the container, and down leaves it', async () => {
    const cluster = await up({ keep: true });
    expect(started!.autoCleanup).toBe(false);
    expect(started!.createOpts.Labels?.[KEPT_LABEL]).toBe('true'); // what `down --target k3s` looks for
    await cluster.down();
    expect(events).toEqual(['start', 'port-forward stopped']);
    expect(cluster.kept).toEqual({ k3sContainerId: 'c0ffee1234567890' });
  });

  it('archives live in the run work dir (removed with it)', async () => {
    const cluster = await up({ images: { backend: 'localhost/b:1' } });
    expect(path.dirname(savedFiles['localhost/b:1']).startsWith(workDir)).toBe(true);
    await cluster.down();
    rmSync(workDir, { recursive: true, force: true });
    expect(existsSync(savedFiles['localhost/b:1'])).toBe(false);
  });
});
