// The fake platform checkout in test/fake-platform (Go programs and kustomize manifests this
// project wrote), built by the harness's own --build path. Tests that need Go skip without it.
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { which } from '../../harness/targets/exec.ts';
import { repoRoot } from '../cli/helpers.ts';

export const FAKE_PLATFORM = path.join(repoRoot, 'test', 'fake-platform');
export const goMissing = which('go') ? undefined : 'go is not on PATH (the fake platform is built with the local Go toolchain)';

/** A private copy of the fake checkout, for tests that change its sources. */
export function fakePlatformCopy(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ah-fake-platform-')), 'platform');
  cpSync(FAKE_PLATFORM, dir, { recursive: true });
  return dir;
}
