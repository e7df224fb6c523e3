// Identity and access through real kubectl: whoami, create token (durations, bound objects),
// using SA tokens, can-i (plain, --as, --list), impersonation denial and auth reconcile of the
// platform's ClusterRoles. Shared by kubectl-1.33.test.ts (protobuf bodies) and kubectl-1.31.test.ts (JSON).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubectlAvailable, kubectlRunner, TEST_USERS } from './helpers.ts';
import { platformRbacDir } from './rbac-cases.ts';

const NS = 'kauth';

/** The dispatcher runs kubectl.1.<minor> for the version the server reports. */
export function kubectlAuthSuite(kubernetesVersion: string): void {
  let cp: ControlPlane;
  let admin: ReturnType<typeof kubectlRunner>;
  let alice: ReturnType<typeof kubectlRunner>;

  describe.skipIf(!kubectlAvailable())(`kubectl ${kubernetesVersion} identity and access`, () => {
    beforeAll(async () => {
      cp = await startControlPlane({ users: TEST_USERS, kubernetesVersion });
      admin = kubectlRunner(cp, 'admin');
      alice = kubectlRunner(cp, 'alice');
      expect((await admin(['create', 'namespace', NS])).code).toBe(0);
      expect((await admin(['create', 'serviceaccount', 'robot', '-n', NS])).code).toBe(0);
    }, 60_000);
    afterAll(async () => cp?.stop());

    it('auth whoami shows the admin and a named user', async () => {
      const a = await admin(['auth', 'whoami', '-o', 'json']);
      expect(a.code, a.stderr).toBe(0);
      expect(JSON.parse(a.stdout).status.userInfo).toMatchObject({ username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
      const b = await alice(['auth', 'whoami', '-o', 'json']);
      expect(JSON.parse(b.stdout).status.userInfo).toMatchObject({ username: 'alice', groups: ['devs', 'system:authenticated'] });
    });

    it('create token: default, --duration 10m, too short', async () => {
      const t = await admin(['create', 'token', 'robot', '-n', NS]);
      expect(t.code, t.stderr).toBe(0);
      const claims = JSON.parse(Buffer.from(t.stdout.trim().split('.')[1], 'base64url').toString());
      expect(claims.sub).toBe(`system:serviceaccount:${NS}:robot`);
      expect(claims.exp - claims.iat).toBe(3600);
      const ten = await admin(['create', 'token', 'robot', '-n', NS, '--duration', '10m']);
      const c10 = JSON.parse(Buffer.from(ten.stdout.trim().split('.')[1], 'base64url').toString());
      expect(c10.exp - c10.iat).toBe(600);
      const short = await admin(['create', 'token', 'robot', '-n', NS, '--duration', '5m']);
      expect(short.code).not.toBe(0);
      expect(short.stderr).toContain('may not specify a duration less than 10 minutes');
      const missing = await admin(['create', 'token', 'ghost', '-n', NS]);
      expect(missing.stderr).toContain('serviceaccounts "ghost" not found');
    });

    it('an SA token is denied, then allowed by a RoleBinding, and dies with its bound Secret', async () => {
      expect((await admin(['create', 'secret', 'generic', 'anchor', '-n', NS, '--from-literal=k=fake'])).code).toBe(0);
      const t = await admin(['create', 'token', 'robot', '-n', NS, '--bound-object-kind', 'Secret', '--bound-object-name', 'anchor']);
      expect(t.code, t.stderr).toBe(0);
      const token = t.stdout.trim();
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expect(claims['kubernetes.io'].secret.name).toBe('anchor');
      const asRobot = (args: string[]) => admin([...args, '--token', token]);

      const denied = await asRobot(['get', 'pods', '-n', NS]);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain(`pods is forbidden: User "system:serviceaccount:${NS}:robot" cannot list resource "pods" in API group "" in the namespace "${NS}"`);
      expect((await admin(['create', 'rolebinding', 'robot-view', '-n', NS, '--clusterrole', 'view', `--serviceaccount=${NS}:robot`])).code).toBe(0);
      const allowed = await asRobot(['get', 'pods', '-n', NS]);
      expect(allowed.code, allowed.stderr).toBe(0);
      const secrets = await asRobot(['get', 'secrets', '-n', NS]);
      expect(secrets.stderr).toContain('forbidden');

      expect((await admin(['delete', 'secret', 'anchor', '-n', NS])).code).toBe(0);
      const after = await asRobot(['get', 'pods', '-n', NS]);
      expect(after.code).not.toBe(0);
      expect(after.stderr).toMatch(/Unauthorized|must be logged in/);
    });

    it('auth can-i: denied, granted by binding, --as and --list', async () => {
      const before = await alice(['auth', 'can-i', 'create', 'deployments', '-n', NS]);
      expect(before.stdout.trim()).toBe('no');
      expect(before.code).toBe(1);
      expect((await admin(['create', 'rolebinding', 'alice-edit', '-n', NS, '--clusterrole', 'edit', '--user', 'alice'])).code).toBe(0);
      const after = await alice(['auth', 'can-i', 'create', 'deployments', '-n', NS]);
      expect(after.stdout.trim()).toBe('yes');
      expect((await alice(['auth', 'can-i', 'create', 'rolebindings', '-n', NS])).stdout.trim()).toBe('no');
      expect((await admin(['auth', 'can-i', 'get', 'secrets', '-n', NS, '--as', 'alice'])).stdout.trim()).toBe('yes');
      expect((await admin(['auth', 'can-i', 'get', 'secrets', '-n', 'default', '--as', 'alice'])).stdout.trim()).toBe('no');
      expect((await admin(['auth', 'can-i', 'list', 'pods', '-n', NS, `--as=system:serviceaccount:${NS}:robot`])).stdout.trim()).toBe('yes');
      const list = await alice(['auth', 'can-i', '--list', '-n', NS]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^deployments\.apps\s+\[\]\s+\[\]\s+\[create delete deletecollection patch update get list watch\]/m);
      expect(list.stdout).toContain('selfsubjectaccessreviews.authorization.k8s.io');
    });

    it('impersonation needs the impersonate verb', async () => {
      const r = await alice(['get', 'pods', '-n', NS, '--as', 'bob']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
      // several Impersonate-Group headers arrive joined by node; each group survives
      const who = await admin(['auth', 'whoami', '-o', 'json', '--as', 'carol', '--as-group', 'g1', '--as-group', 'g2']);
      expect(who.code, who.stderr).toBe(0);
      expect(JSON.parse(who.stdout).status.userInfo).toEqual({ username: 'carol', groups: ['g1', 'g2', 'system:authenticated'] });
      // edit grants impersonate on serviceaccounts of the namespace
      const sa = await alice(['get', 'pods', '-n', NS, `--as=system:serviceaccount:${NS}:robot`]);
      expect(sa.code, sa.stderr).toBe(0);
    });

    const dir = platformRbacDir();
    it.skipIf(!dir)('auth reconcile -f the platform ClusterRoles', async () => {
      const files = readdirSync(dir!).filter((f) => /clusterrole\.yaml$/.test(f) || f.startsWith('aggregate-'));
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) {
        const r = await admin(['auth', 'reconcile', '-f', path.join(dir!, f)]);
        expect(r.code, `${f}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(/clusterrole\.rbac\.authorization\.k8s\.io\/\S+ reconciled/);
      }
      const again = await admin(['auth', 'reconcile', '-f', path.join(dir!, 'ambient-project-edit-clusterrole.yaml')]);
      expect(again.code, again.stderr).toBe(0);
      // the aggregated rule shows up in admin
      expect((await admin(['create', 'rolebinding', 'bob-admin', '-n', NS, '--clusterrole', 'admin', '--user', 'bob'])).code).toBe(0);
      // agenticsessions is not served here, so ask with a SubjectAccessReview (kubectl create -f -;
      // --validate=false because the OpenAPI document for authorization.k8s.io is not served).
      const sar = JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: 'bob', resourceAttributes: { namespace: NS, verb: 'delete', group: 'vteam.ambient-code', resource: 'agenticsessions' } },
      });
      let allowed = '';
      for (let i = 0; i < 40 && allowed !== 'true'; i++) {
        const r = await admin(['create', '--validate=false', '-f', '-', '-o', 'jsonpath={.status.allowed}'], sar);
        expect(r.code, r.stderr).toBe(0);
        allowed = r.stdout.trim();
        if (allowed !== 'true') await new Promise((res) => setTimeout(res, 100));
      }
      expect(allowed).toBe('true');
    });
  });
}
