// kubectl 1.33 (protobuf request bodies) against the embedded control plane, for the endpoints
// that need the protobuf decoder: create token, auth can-i (also --list), auth whoami.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubectlAvailable, kubectlFor, type KubectlResult } from './kubectl-helper.ts';

// TokenRequest, SelfSubjectAccessReview and SelfSubjectReview are served by the auth module, so this
// part runs with the control plane's default authentication and authorization.
describe.skipIf(!kubectlAvailable)('kubectl protobuf bodies for the auth endpoints', () => {
  let cp: ControlPlane;
  let kubectl: (...args: string[]) => Promise<KubectlResult>;

  beforeAll(async () => {
    cp = await startControlPlane({ kubernetesVersion: '1.33' });
    ({ kubectl } = await kubectlFor(cp));
    expect((await kubectl('create', 'namespace', 'pb-a')).ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await cp?.stop();
  });

  it('create token, auth can-i, auth whoami go through', async () => {
    expect((await kubectl('-n', 'pb-a', 'create', 'serviceaccount', 'runner')).ok).toBe(true);
    const token = await kubectl('-n', 'pb-a', 'create', 'token', 'runner', '--duration', '10m');
    expect(token.ok).toBe(true);
    expect(token.stdout.trim().split('.')).toHaveLength(3); // a JWT; never printed
    const canI = await kubectl('auth', 'can-i', 'create', 'pods', '-n', 'pb-a');
    expect(canI.stdout.trim()).toBe('yes');
    const rules = await kubectl('auth', 'can-i', '--list', '-n', 'pb-a');
    expect(rules.ok).toBe(true);
    const whoami = await kubectl('auth', 'whoami', '-o', 'json');
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBeTruthy();
  }, 60_000);
});
