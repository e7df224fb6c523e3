// --build: the fake platform's backend and operator compiled with the local Go toolchain into a
// cache keyed by their sources (a local `replace` included), a compile error or a missing
// toolchain as exit 3 with what the compiler said, and the checkout's manifests read as a pod
// would see them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, InfraError, PrerequisiteError } from '../../harness/errors.ts';
import { BUILD_CACHE_ENV, buildPlatform } from '../../harness/platform/local/build.ts';
import { readPlatformManifests } from '../../harness/platform/local/checkout.ts';
import { setProgressSink } from '../../harness/report/progress.ts';
import { FAKE_PLATFORM, fakePlatformCopy, goMissing } from './fake-platform.ts';

describe.skipIf(!!goMissing)(`--build of a platform checkout${goMissing ? ` (skipped: ${goMissing})` : ''}`, () => {
  let cache: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    setProgressSink('quiet');
    cache = mkdtempSync(path.join(os.tmpdir(), 'ah-build-cache-'));
    env = { ...process.env, [BUILD_CACHE_ENV]: cache };
  });
  afterAll(() => {
    setProgressSink('stderr');
    rmSync(cache, { recursive: true, force: true });
  });

  it('builds both components, then finds them in the cache; a changed source (or local replacement) is a new key', async () => {
    const copy = fakePlatformCopy();
    const first = await buildPlatform({ platformDir: copy, env, logDir: path.join(cache, 'logs') });
    expect(first.backend?.cached).toBe(false);
    expect(first.operator?.cached).toBe(false);
    expect(readFileSync(first.backend!.binary).subarray(1, 4).toString()).toBe('ELF');
    expect(readFileSync(path.join(cache, 'logs', 'build-backend.log'), 'utf8')).toMatch(/CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath[\s\S]*exit 0/);
    const again = await buildPlatform({ platformDir: copy, env });
    expect(again.backend).toMatchObject({ cached: true, key: first.backend!.key, binary: first.backend!.binary });
    // A README edit changes nothing; a Go source in the shared module pulled in by `replace` does.
    writeFileSync(path.join(copy, 'components', 'backend', 'NOTES.md'), 'docs only\n');
    expect((await buildPlatform({ platformDir: copy, env, components: ['backend'] })).backend?.cached).toBe(true);
    const kube = path.join(copy, 'components', 'kube', 'kube.go');
    writeFileSync(kube, readFileSync(kube, 'utf8') + '\n// changed\n');
    const rebuilt = await buildPlatform({ platformDir: copy, env, components: ['backend'] });
    expect(rebuilt.backend?.cached).toBe(false);
    expect(rebuilt.backend?.key).not.toBe(first.backend!.key);
  }, 240_000);

  it('a compile error is an infrastructure error (exit 3) carrying the compiler\'s last lines', async () => {
    const copy = fakePlatformCopy();
    const main = path.join(copy, 'components', 'operator', 'main.go');
    writeFileSync(main, readFileSync(main, 'utf8').replace('flag.Parse()', 'flag.Parse()\n\tundefinedOnPurpose()'));
    const err = await buildPlatform({ platformDir: copy, env, components: ['operator'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).exitCode).toBe(ExitCode.Infra);
    expect((err as Error).message).toMatch(/go build of components\/operator failed \(exit 1\):[\s\S]*main\.go:\d+:\d+: undefined: undefinedOnPurpose/);
  }, 120_000);

  it('no Go on PATH: exit 3 saying what to install', async () => {
    const err = await buildPlatform({ platformDir: FAKE_PLATFORM, env: { ...env, PATH: '/nonexistent' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrerequisiteError);
    expect((err as Error).message).toMatch(/--build needs the Go toolchain: go is not on PATH \(install Go 1\.24 or newer/);
  });

  it('reads what the checkout\'s Deployments give each program, and the RBAC of their ServiceAccounts only', async () => {
    const m = await readPlatformManifests(FAKE_PLATFORM, 'kind');
    expect(m.namespace).toBe('ambient-code');
    expect(m.crds.map((c) => c.metadata.name)).toEqual(['gadgets.fake-platform.ambient-harness.io']);
    const names = m.rbac.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names).toEqual(
      ['ClusterRole/fake-backend', 'ClusterRole/fake-operator', 'ClusterRoleBinding/fake-backend', 'ClusterRoleBinding/fake-operator', 'ServiceAccount/agentic-operator', 'ServiceAccount/backend-api'].sort(),
    );
    const be = m.programs.backend;
    expect(be.env).toMatchObject({ NAMESPACE: 'ambient-code', PORT: '8080', STATE_BASE_DIR: '/workspace', FAKE_SETTING: 'from-the-deployment' });
    expect(be.unsetEnv).toEqual(['GITHUB_APP_ID']);
    expect(be.files).toEqual([{ podPath: '/config/models/models.json', content: readFileSync(path.join(FAKE_PLATFORM, 'components/manifests/base/core/models.json'), 'utf8') }]);
    expect(m.programs.operator).toMatchObject({ args: ['--health-probe-bind-address=:8081', '--leader-elect=false'], memoryLimit: '300Mi', serviceAccount: 'agentic-operator' });
  });
});
