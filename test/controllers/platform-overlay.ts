// Shared body of the platform-overlay tests: the platform's kind overlay, rendered with kubectl
// kustomize and applied server-side, must come up Available on the embedded control plane.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { type Env, expectStatus, startEnv, waitFor } from './helpers.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export function overlayPath(commit: string): string {
  return resolve(repoRoot, '../shared/platform', commit, 'components/manifests/overlays/kind');
}

export function describePlatformOverlay(commit: string): void {
  describe.skipIf(!existsSync(overlayPath(commit)))(`platform kind overlay at ${commit}`, () => {
    let env: Env;
    beforeAll(async () => {
      env = await startEnv();
    });
    afterAll(async () => env?.stop());

    it('applies server-side and every deployment becomes Available; deleting the namespace cleans up', async () => {
      const rendered = await env.kubectl(['kustomize', overlayPath(commit)]);
      expect(rendered).toContain('kind: Deployment');
      await env.kubectl(['apply', '--server-side', '-f', '-'], { input: rendered, timeoutMs: 60_000 });
      await env.kubectl(['wait', '--for=condition=Available', 'deployment', '--all', '-n', 'ambient-code', '--timeout=60s'], { timeoutMs: 70_000 });
      const deployments: V1Deployment[] = (await env.apps.listNamespacedDeployment({ namespace: 'ambient-code' })).items;
      expect(deployments.length).toBeGreaterThan(0);
      for (const d of deployments) expect(d.status?.availableReplicas, d.metadata?.name).toBe(d.spec?.replicas ?? 1);
      const pvcs = (await env.core.listNamespacedPersistentVolumeClaim({ namespace: 'ambient-code' })).items;
      expect(pvcs.every((p) => p.status?.phase === 'Bound')).toBe(true);
      // Tearing down exercises namespace termination over every kind the overlay created.
      await env.kubectl(['delete', 'namespace', 'ambient-code', '--wait=false']);
      await waitFor('namespace ambient-code gone', async () => (await expectStatus(env.core.readNamespace({ name: 'ambient-code' }))) === 404, 30_000, 200);
    }, 120_000);
  });
}
