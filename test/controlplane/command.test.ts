// `ambient-harness controlplane`: writes a working admin kubeconfig once ready, prints one line,
// and stops cleanly when told to.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { runControlPlaneCommand } from '../../harness/commands/controlplane.ts';
import { until } from './helpers.ts';

describe('controlplane command', () => {
  it('serves until stopped, with a kubeconfig client-node can use', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'h1-cmd-')), 'nested', 'kubeconfig');
    const lines: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const run = runControlPlaneCommand({ kubeconfig, out: (l) => lines.push(l), until: stopped });
    await until('ready line', () => lines.length > 0, 20_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^control plane ready at https:\/\/127\.0\.0\.1:\d+ \(kubeconfig: .*\)$/);
    const text = readFileSync(kubeconfig, 'utf8');
    expect(text).toContain('certificate-authority-data');
    const kc = new k8s.KubeConfig();
    kc.loadFromString(text);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
    stop();
    expect(await run).toBe(0);
    await expect(core.listNamespace()).rejects.toThrow();
  });
});
