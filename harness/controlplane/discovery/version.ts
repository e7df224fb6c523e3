// GET /version. kubectl's dispatcher picks `kubectl.1.<minor>` from this answer, so `minor`
// must be the bare number ("33"), as kube-apiserver reports it.

import { createHash } from 'node:crypto';

/** Go toolchains kube-apiserver releases were built with, by minor (for a plausible goVersion). */
const GO_BY_MINOR: Record<number, string> = { 27: 'go1.20.3', 28: 'go1.20.5', 29: 'go1.21.5', 30: 'go1.22.2', 31: 'go1.22.5', 32: 'go1.23.3', 33: 'go1.24.2', 34: 'go1.24.6' };

export interface VersionInfo {
  major: string;
  minor: string;
  emulationMajor?: string;
  emulationMinor?: string;
  minCompatibilityMajor?: string;
  minCompatibilityMinor?: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** Accepts "1.33", "1.33.0" or "v1.33.0". */
export function versionInfo(kubernetesVersion: string): VersionInfo {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(kubernetesVersion.trim());
  if (!m) throw new Error(`invalid Kubernetes version ${JSON.stringify(kubernetesVersion)} (want e.g. "1.33" or "v1.33.0")`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const gitVersion = `v${major}.${minor}.${patch}`;
  const info = { major: String(major), minor: String(minor) } as VersionInfo;
  if (major === 1 && minor >= 33) {
    // 1.33 added compatibility versions to /version (kept in kube-apiserver's field order).
    Object.assign(info, { emulationMajor: String(major), emulationMinor: String(minor), minCompatibilityMajor: String(major), minCompatibilityMinor: String(minor - 1) });
  }
  return Object.assign(info, {
    gitVersion,
    // Stable per version, so clients that cache by it behave as against one real build.
    gitCommit: createHash('sha1').update(`ambient-harness ${gitVersion}`).digest('hex'),
    gitTreeState: 'clean',
    buildDate: '2025-04-22T16:03:17Z',
    goVersion: GO_BY_MINOR[minor] ?? 'go1.24.2',
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  });
}
