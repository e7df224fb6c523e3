// CRDs and custom resources through real kubectl against the embedded control plane: the CRD
// module decides what is accepted, pruned, defaulted and rejected, and how it is printed.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../harness/controlplane/index.ts';
import { kubectlAvailable, kubectlFor, openAccess, type KubectlResult } from '../protobuf/kubectl-helper.ts';
import { widgetCrd } from './widget-crd.ts';

describe.skipIf(!kubectlAvailable)('CRDs through kubectl', () => {
  let cp: ControlPlane;
  let dir: string;
  let kubectl: (...args: string[]) => Promise<KubectlResult>;
  let n = 0;

  const file = (obj: unknown) => {
    const f = path.join(dir, `obj-${n++}.yaml`);
    writeFileSync(f, stringify(obj));
    return f;
  };
  const widgetFile = (name: string, spec: Record<string, unknown>) => file({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec });

  beforeAll(async () => {
    cp = await startControlPlane({ ...openAccess });
    ({ dir, kubectl } = await kubectlFor(cp));
    const r = await kubectl('apply', '-f', file(widgetCrd()));
    expect(r.stderr).toBe('');
  }, 60_000);
  afterAll(async () => {
    await cp?.stop();
  });

  it('rejects an invalid CRD with the apiserver causes', async () => {
    const bad = widgetCrd() as any;
    bad.metadata.name = 'gizmos.example.com';
    bad.spec.names = { plural: 'gizmos', kind: 'Gizmo' };
    delete bad.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.type;
    const r = await kubectl('create', '-f', file(bad));
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value: must not be empty for specified object fields');
  }, 60_000);

  it('strict field validation refuses unknown fields; --validate=false prunes them and defaults apply', async () => {
    const strict = await kubectl('apply', '-f', widgetFile('w1', { size: 2, foo: 1 }));
    expect(strict.ok).toBe(false);
    expect(strict.stderr).toContain('unknown field "spec.foo"');

    expect((await kubectl('apply', '--validate=false', '-f', widgetFile('w1', { size: 2, foo: 1, ports: [{ port: 80 }] }))).ok).toBe(true);
    const obj = JSON.parse((await kubectl('get', 'widget', 'w1', '-o', 'json')).stdout);
    expect(obj.spec).toEqual({ size: 2, color: 'red', mode: 'auto', ports: [{ port: 80, protocol: 'TCP' }] });
  }, 60_000);

  it('schema violations come back as 422 Invalid with field causes', async () => {
    const r = await kubectl('apply', '-f', widgetFile('w2', { size: 20, color: 'green' }));
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain('The Widget "w2" is invalid');
    expect(r.stderr).toContain('spec.color: Unsupported value: "green": supported values: "red", "blue"');
    expect(r.stderr).toContain('spec.size: Invalid value: 20: spec.size in body should be less than or equal to 10');
  }, 60_000);

  it('prints additionalPrinterColumns and serves the short name', async () => {
    // With additionalPrinterColumns the apiserver adds no AGE column; priority 1 columns need -o wide.
    const r = await kubectl('get', 'wd');
    expect(r.stdout.split('\n')[0].trim().split(/\s+/)).toEqual(['NAME', 'SIZE']);
    expect(r.stdout).toMatch(/w1\s+2\n/);
    const wide = await kubectl('get', 'wd', '-o', 'wide');
    expect(wide.stdout.split('\n')[0].trim().split(/\s+/)).toEqual(['NAME', 'SIZE', 'PHASE']);
  }, 60_000);

  it('selects by a selectable field', async () => {
    expect((await kubectl('apply', '-f', widgetFile('w3', { size: 3, color: 'blue' }))).ok).toBe(true);
    const r = await kubectl('get', 'widgets', '--field-selector', 'spec.color=blue', '-o', 'name');
    expect(r.stdout.trim()).toBe('widget.example.com/w3');
  }, 60_000);

  it('server-side apply merges x-kubernetes-list-type=map lists by their keys (listTypeAt)', async () => {
    const a = await kubectl('apply', '--server-side', '--field-manager=alpha', '-f', widgetFile('w4', { size: 1, ports: [{ port: 80, protocol: 'TCP', name: 'http' }] }));
    expect(a.stderr).toBe('');
    const b = await kubectl('apply', '--server-side', '--field-manager=beta', '-f', widgetFile('w4', { size: 1, ports: [{ port: 443, protocol: 'TCP', name: 'https' }] }));
    expect(b.stderr).toBe('');
    const obj = JSON.parse((await kubectl('get', 'widget', 'w4', '-o', 'json')).stdout);
    expect(obj.spec.ports).toEqual([{ port: 80, name: 'http', protocol: 'TCP' }, { port: 443, name: 'https', protocol: 'TCP' }]);
  }, 60_000);
});
