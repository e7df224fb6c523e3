// A minimal platform checkout written for the target tests (not the platform's files): the three
// Deployments deploy.sh waits for, the backend Service, the operator's memory limit, a CRD, and a
// Dockerfile per built component — the runner's copying from its own directory name, as the
// platform's runner at 6b21778 does, so its build context is the parent directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const deployment = (name: string, image: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
${extra}`;

export const OPERATOR_MEMORY_LIMIT = '384Mi';

export function writeMiniPlatform(dir: string): string {
  const files: Record<string, string> = {
    'components/backend/Dockerfile': 'FROM scratch\nCOPY . /src\n',
    // A subdirectory named like the component is inside the context: no parent context.
    'components/operator/Dockerfile': 'FROM scratch\nCOPY operator /src/operator\n',
    'components/operator/operator/main.go': 'package main\n',
    'components/runners/ambient-runner/Dockerfile': 'FROM scratch\nCOPY ambient-runner /app/ambient-runner\n',
    'components/manifests/overlays/kind/kustomization.yaml': 'namespace: ambient-code\nresources:\n  - namespace.yaml\n  - crd.yaml\n  - workloads.yaml\n',
    'components/manifests/overlays/kind/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ambient-code\n',
    'components/manifests/overlays/kind/crd.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.mini.example.com
spec:
  group: mini.example.com
  scope: Namespaced
  names: { plural: gadgets, singular: gadget, kind: Gadget }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
`,
    'components/manifests/overlays/kind/workloads.yaml': [
      deployment('backend-api', 'quay.io/ambient_code/vteam_backend:latest'),
      deployment(
        'agentic-operator',
        'quay.io/ambient_code/vteam_operator:latest',
        `          env:\n            - { name: AMBIENT_CODE_RUNNER_IMAGE, value: "quay.io/ambient_code/vteam_claude_runner:latest" }\n          resources:\n            limits: { memory: ${OPERATOR_MEMORY_LIMIT} }\n`,
      ),
      deployment('frontend', 'quay.io/ambient_code/vteam_frontend:latest'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: backend-service\nspec:\n  selector: { app: backend-api }\n  ports:\n    - { port: 8080, targetPort: 8080 }\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: operator-config\ndata:\n  MODE: test\n',
    ].join('---\n'),
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Release manifests standing in for KWOK's (the controller's Deployment and one Stage). */
export const FAKE_KWOK_RELEASE: Record<string, string> = {
  'kwok.yaml': `apiVersion: v1
kind: ServiceAccount
metadata:
  name: kwok-controller
  namespace: kube-system
---
${deployment('kwok-controller', 'registry.k8s.io/kwok/kwok:v0.8.0').replace('metadata:\n  name: kwok-controller\n', 'metadata:\n  name: kwok-controller\n  namespace: kube-system\n')}`,
  'stage-fast.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kwok-stage-stand-in\n  namespace: kube-system\ndata:\n  stage: pod-ready\n',
};

export const fakeKwokFetch = async (url: string): Promise<string> => {
  const text = FAKE_KWOK_RELEASE[path.basename(url)];
  if (!text) throw new Error(`no such release file: ${url}`);
  return text;
};
