// The platform's own CRDs (read from ../shared/platform when present): they must be accepted, and
// AgenticSession objects must be pruned, defaulted and validated the way the contract describes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileCrdSchema, crdResourceTypes, listTypeAt, validateCrd } from '../../harness/controlplane/crd/index.ts';
import type { KubeObject } from '../../harness/controlplane/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const platformRoot = path.resolve(repoRoot, '../shared/platform');

/** Every `<snapshot>/components/manifests/base/crds/*.yaml` CRD, keyed by `<snapshot>/<file>`. */
function platformCrds(): Record<string, KubeObject> {
  const out: Record<string, KubeObject> = {};
  if (!existsSync(platformRoot)) return out;
  for (const snapshot of readdirSync(platformRoot)) {
    const dir = path.join(platformRoot, snapshot, 'components/manifests/base/crds');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
      const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as KubeObject;
      if (doc?.kind === 'CustomResourceDefinition') out[`${snapshot}/${file}`] = doc;
    }
  }
  return out;
}

const crds = platformCrds();
const sessions = Object.entries(crds).filter(([k]) => k.endsWith('agenticsessions-crd.yaml'));

function session(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return { apiVersion: 'vteam.ambient-code/v1alpha1', kind: 'AgenticSession', metadata: { name: 's1', namespace: 'team-a' }, spec, ...(status ? { status } : {}) };
}

describe.skipIf(Object.keys(crds).length === 0)('platform CRDs', () => {
  for (const [name, crd] of Object.entries(crds)) {
    it(`${name} is a valid structural CRD`, () => {
      expect(validateCrd(crd)).toEqual([]);
    });
  }

  for (const [name, crd] of sessions) {
    describe(name, () => {
      const schema = () => compileCrdSchema(crd, 'v1alpha1');

      it('serves agenticsessions.vteam.ambient-code/v1alpha1 with shortName "as" and a status subresource', () => {
        const [rt] = crdResourceTypes(crd);
        expect(rt).toMatchObject({
          group: 'vteam.ambient-code', version: 'v1alpha1', resource: 'agenticsessions', kind: 'AgenticSession',
          listKind: 'AgenticSessionList', singular: 'agenticsession', namespaced: true, shortNames: ['as'],
          subresources: ['status'], custom: true, storageVersion: 'v1alpha1',
        });
      });

      it('prunes spec.project and other fields the schema does not declare', () => {
        const obj = session({ project: 'team-a', initialPrompt: 'hi', botAccount: { name: 'b' }, userContext: { userId: 'u1', displayName: 'U', groups: ['g'], email: 'x@example.invalid' }, environmentVariables: { A: '1' } });
        const removed = schema().prune(obj);
        expect(removed.sort()).toEqual(['.spec.botAccount', '.spec.project', '.spec.userContext.email']);
        expect(obj.spec).toEqual({ initialPrompt: 'hi', userContext: { userId: 'u1', displayName: 'U', groups: ['g'] }, environmentVariables: { A: '1' } });
      });

      it('applies defaults: timeout 300, llmSettings.temperature 0.7, repos[].branch "main"', () => {
        const obj = session({ repos: [{ url: 'https://example.invalid/a.git' }, { url: 'https://example.invalid/b.git', branch: 'dev' }], llmSettings: { maxTokens: 10 } });
        schema().default(obj);
        const spec = obj.spec as Record<string, any>;
        expect(spec.timeout).toBe(300);
        expect(spec.llmSettings).toMatchObject({ temperature: 0.7, maxTokens: 10 });
        expect(typeof spec.llmSettings.model).toBe('string');
        expect(spec.repos.map((r: any) => r.branch)).toEqual(['main', 'dev']);
        expect(spec.repos[0].autoPush).toBe(false);
        expect(obj.status).toBeUndefined(); // no default creates status itself
        expect(schema().validate(obj)).toEqual([]);
      });

      it('reports enum, required, type and minimum violations like kube-apiserver', () => {
        const obj = session({ repos: [{ branch: 'x' }], timeout: '300', inactivityTimeout: -1 }, { phase: 'Sleeping' });
        const causes = schema().validate(obj);
        expect(causes).toEqual(expect.arrayContaining([
          { type: 'FieldValueRequired', field: 'spec.repos[0].url', message: 'Required value' },
          { type: 'FieldValueTypeInvalid', field: 'spec.timeout', message: 'Invalid value: "string": spec.timeout in body must be of type integer: "string"' },
          { type: 'FieldValueInvalid', field: 'spec.inactivityTimeout', message: 'Invalid value: -1: spec.inactivityTimeout in body should be greater than or equal to 0' },
          { type: 'FieldValueNotSupported', field: 'status.phase', message: 'Unsupported value: "Sleeping": supported values: "Pending", "Creating", "Running", "Stopping", "Stopped", "Completed", "Failed"' },
        ]));
        expect(causes).toHaveLength(4);
      });

      it('treats lists without x-kubernetes-list-type as atomic for server-side apply', () => {
        expect(listTypeAt(crd, 'v1alpha1', ['spec', 'repos'])).toEqual({ type: 'atomic' });
        expect(listTypeAt(crd, 'v1alpha1', ['status', 'conditions'])).toEqual({ type: 'atomic' });
        expect(listTypeAt(crd, 'v1alpha1', ['spec', 'timeout'])).toBeUndefined();
      });
    });
  }
});
