// Unknown fields in built-in objects, through kubectl as users hit them: a typo in a manifest is a
// 400 naming the field under kubectl's default --validate=strict; a warning with --validate=warn
// and for kubectl patch (it sends no directive, so the server's Warn default applies); nothing
// with --validate=false. Well-formed manifests of several kinds pass without warnings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { hasKubectl, kubectlFor, type Kubectl } from './helpers.ts';

const deployment = (replicasKey: string, imageKey: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  ${replicasKey}: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        ${imageKey}: nginx:1.27
        resources: {limits: {memory: 128Mi, cpu: 500m}}
        ports: [{containerPort: 80}]
        livenessProbe: {httpGet: {path: /healthz, port: 80}, periodSeconds: 5}
      volumes: [{name: data, emptyDir: {}}, {name: cfg, configMap: {name: web}}]
      imagePullSecrets: [{name: pull}]
`;

const others = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: default}
stringData: {token: fake-value}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: default}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec: {rules: [{host: web.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
`;

describe.skipIf(!hasKubectl)('unknown fields in built-in kinds (kubectl)', () => {
  let cp: ControlPlane;
  let k: Kubectl;
  beforeAll(async () => {
    cp = await startControlPlane();
    k = kubectlFor(cp);
  }, 60_000);
  afterAll(async () => cp?.stop());

  it('well-formed manifests of several kinds apply cleanly, with no warnings', async () => {
    const r = await k.run(['apply', '-f', '-'], deployment('replicas', 'image') + '---\n' + others);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/unknown field/);
    const again = await k.run(['apply', '--server-side', '-f', '-'], others);
    expect(again.code, again.stderr).toBe(0);
  });

  it('strict (kubectl default): 400 naming each unknown field, nothing stored; patch gets the Warn default', async () => {
    await k.run(['delete', 'deployment', 'web', '--ignore-not-found']);
    const r = await k.run(['create', '-f', '-'], deployment('replicass', 'imagee'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error:');
    expect(r.stderr).toContain('unknown field "spec.replicass"');
    expect(r.stderr).toContain('unknown field "spec.template.spec.containers[0].imagee"');
    expect((await k.run(['get', 'deployment', 'web'])).code).not.toBe(0);
    // kubectl patch sends no fieldValidation: the server's default (Warn) applies.
    const patch = await k.run(['patch', 'service', 'web', '--type=merge', '-p', '{"spec":{"sessionAffinityy":"ClientIP"}}']);
    expect(patch.code, patch.stderr).toBe(0);
    expect(patch.stderr).toContain('Warning: unknown field "spec.sessionAffinityy"');
  });

  it('--validate=warn: created, with one warning per unknown field; --validate=false: silent', async () => {
    const warn = await k.run(['create', '--validate=warn', '-f', '-'], deployment('replicass', 'image'));
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stderr).toContain('Warning: unknown field "spec.replicass"');
    await k.run(['delete', 'deployment', 'web']);
    const off = await k.run(['create', '--validate=false', '-f', '-'], deployment('replicass', 'image'));
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).not.toMatch(/unknown field/);
  });
});
