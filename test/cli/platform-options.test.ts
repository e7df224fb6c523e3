// Where the backend and operator run (--platform-processes and its defaults per target), the
// combinations that are bad input, and rerun lines that start the same programs again.
import { describe, expect, it } from 'vitest';
import { parseConfig, platformProcessesOf, rerunTargetFlags } from '../../harness/config.ts';
import { ConfigError } from '../../harness/errors.ts';
import { reproCommand } from '../../harness/index.ts';

describe('--platform-processes', () => {
  it('defaults: local on embedded; on existing local only when programs are given; cluster on kind and k3s', () => {
    expect(platformProcessesOf(parseConfig({}))).toBe('local');
    expect(platformProcessesOf(parseConfig({ target: 'existing' }))).toBe('cluster');
    expect(platformProcessesOf(parseConfig({ target: 'existing', backendCmd: './backend' }))).toBe('local');
    expect(platformProcessesOf(parseConfig({ target: 'existing', platformDir: '../p', build: true }))).toBe('local');
    expect(platformProcessesOf(parseConfig({ target: 'existing', platformProcesses: 'local' }))).toBe('local');
    expect(platformProcessesOf(parseConfig({ target: 'kind', platformDir: '../p' }))).toBe('cluster');
  });

  it('contradictions are bad input, each with one clear reason', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ build: true }, /--build needs --platform-dir/],
      [{ platformProcesses: 'cluster' }, /embedded control plane runs no containers/],
      [{ target: 'existing', platformProcesses: 'cluster', backendCmd: './b' }, /--backend-cmd starts local processes, which --platform-processes cluster excludes/],
      [{ target: 'kind', platformDir: '../p', build: true }, /target kind deploys the platform in the cluster; for local processes \(--build\) use --target embedded or existing/],
      [{ target: 'k3s', platformProcesses: 'local' }, /target k3s deploys the platform/],
    ];
    for (const [input, why] of bad) expect(() => parseConfig(input), JSON.stringify(input)).toThrow(why);
    expect(() => parseConfig({ build: true })).toThrow(ConfigError);
  });
});

describe('rerun lines', () => {
  it('a run of built programs reruns with --platform-dir and --build, not a profile', () => {
    const line = reproCommand(parseConfig({ platformDir: '../platform', build: true, seed: 7, depth: 6 }), 'identity-inheritance');
    expect(line).toBe('ambient-harness run identity-inheritance --target embedded --platform-dir ../platform --build --seed 7 --depth 6 --fanout 2 --concurrency 4');
  });

  it('given commands are carried, quoted for a shell; a reference operator keeps the profile', () => {
    const flags = rerunTargetFlags(parseConfig({ target: 'existing', kubeconfig: '/tmp/kc', backendCmd: "sh -c './backend --x'", profile: 'm-6b21778' }));
    expect(flags.join(' ')).toBe(`--target existing --kubeconfig /tmp/kc --backend-cmd 'sh -c '\\''./backend --x'\\''' --profile m-6b21778`);
  });

  it('the reference platform reruns with its profile', () => {
    expect(rerunTargetFlags(parseConfig({ profile: 'h-0b59fe7' }))).toEqual(['--target', 'embedded', '--profile', 'h-0b59fe7']);
  });
});
