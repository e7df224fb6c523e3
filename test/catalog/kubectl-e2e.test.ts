// End to end: real kubectl 1.33 (picked by the dispatcher from /version) against the embedded API
// server, reading this module's discovery, OpenAPI and Table output.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlFor } from '../controlplane/helpers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../../harness/controlplane/index.ts';

const KUBECTL = '/usr/bin/kubectl';
const haveKubectl = existsSync(KUBECTL);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Parses kubectl's fixed-width table output by the header's column starts. */
function parseTable(out: string): Array<Record<string, string>> {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0];
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index! }));
  return lines.slice(1).map((line) =>
    Object.fromEntries(starts.map((c, i) => [c.name, line.slice(c.at, i + 1 < starts.length ? starts[i + 1].at : undefined).trim()])),
  );
}

describe.skipIf(!haveKubectl)('kubectl 1.33 against the embedded API server (catalog, discovery, printers)', () => {
  let cp: ControlPlane;
  let dir: string;
  let kubectl: (args: string[]) => Promise<Run>;

  beforeAll(async () => {
    const { startControlPlane } = await import('../../harness/controlplane/index.ts');
    cp = await startControlPlane({ kubernetesVersion: '1.33' });
    const kc = kubectlFor(cp);
    dir = kc.dir;
    kubectl = (args) => kc.run(args);
  }, 60_000);

  afterAll(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the engine loaded this module set (not its fallbacks)', () => {
    for (const m of ['catalog', 'discovery', 'printers']) expect(cp.missingModules[m], m).toBeUndefined();
  });

  it('kubectl version sees server 1.33', async () => {
    const r = await kubectl(['version', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).serverVersion).toMatchObject({ major: '1', minor: '33', gitVersion: 'v1.33.0' });
  });

  it('kubectl api-resources lists the built-ins as a real 1.33 cluster does', async () => {
    const r = await kubectl(['api-resources']);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseTable(r.stdout);
    const row = (name: string, apiVersion: string) => rows.find((x) => x.NAME === name && x.APIVERSION === apiVersion);
    expect(row('namespaces', 'v1')).toEqual({ NAME: 'namespaces', SHORTNAMES: 'ns', APIVERSION: 'v1', NAMESPACED: 'false', KIND: 'Namespace' });
    expect(row('pods', 'v1')).toEqual({ NAME: 'pods', SHORTNAMES: 'po', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Pod' });
    expect(row('deployments', 'apps/v1')).toMatchObject({ SHORTNAMES: 'deploy', KIND: 'Deployment' });
    expect(row('customresourcedefinitions', 'apiextensions.k8s.io/v1')).toMatchObject({ SHORTNAMES: 'crd,crds', NAMESPACED: 'false' });
    expect(row('horizontalpodautoscalers', 'autoscaling/v2')).toMatchObject({ SHORTNAMES: 'hpa' });
    expect(row('selfsubjectaccessreviews', 'authorization.k8s.io/v1')).toMatchObject({ KIND: 'SelfSubjectAccessReview' });
    expect(row('tokenreviews', 'authentication.k8s.io/v1')).toMatchObject({ NAMESPACED: 'false' });
    expect(row('leases', 'coordination.k8s.io/v1')).toMatchObject({ NAMESPACED: 'true' });
    // Subresources are not listed as resources.
    expect(rows.some((x) => x.NAME.includes('/'))).toBe(false);

    const wide = parseTable((await kubectl(['api-resources', '-o', 'wide', '--api-group=apps'])).stdout);
    expect(wide.find((x) => x.NAME === 'deployments')).toMatchObject({ VERBS: 'create,delete,deletecollection,get,list,patch,update,watch', CATEGORIES: 'all' });
    const pods = parseTable((await kubectl(['api-resources', '--namespaced=true', '--verbs=watch', '--categories=all'])).stdout);
    expect(pods.map((x) => x.NAME)).toEqual(expect.arrayContaining(['pods', 'services', 'deployments', 'jobs']));
    expect(pods.map((x) => x.NAME)).not.toContain('configmaps');
  });

  it('kubectl get pods prints the server-side Table columns', async () => {
    cp.client.create({ group: '', version: 'v1', resource: 'namespaces' }, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'h2-e2e' } });
    cp.client.create({ group: '', version: 'v1', resource: 'pods' }, 'h2-e2e', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'h2-e2e' },
      spec: { containers: [{ name: 'main', image: 'busybox' }, { name: 'side', image: 'envoy' }] },
    });
    const r = await kubectl(['get', 'pods', '-n', 'h2-e2e']);
    expect(r.code, r.stderr).toBe(0);
    const header = r.stdout.split('\n')[0].trim().split(/\s{2,}/);
    expect(header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const [row] = parseTable(r.stdout);
    expect(row.NAME).toBe('web-1');
    expect(row.READY).toMatch(/^[0-2]\/2$/);
    expect(row.STATUS).toMatch(/^(Pending|Running|ContainerCreating)$/);
    expect(row.AGE).toMatch(/^\d+s$/);

    const wide = await kubectl(['get', 'pods', '-n', 'h2-e2e', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0].trim().split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);

    // -A: kubectl adds NAMESPACE from each row's PartialObjectMetadata.
    const all = parseTable((await kubectl(['get', 'pods', '-A'])).stdout);
    expect(all.find((x) => x.NAME === 'web-1')).toMatchObject({ NAMESPACE: 'h2-e2e' });

    const ns = await kubectl(['get', 'ns', 'h2-e2e']);
    expect(ns.code, ns.stderr).toBe(0);
    expect(parseTable(ns.stdout)[0]).toMatchObject({ NAME: 'h2-e2e', STATUS: 'Active' });
  });

  it('kubectl apply validates through the OpenAPI v3 documents (fieldValidation=Strict)', async () => {
    const manifest = join(dir, 'cm.json');
    writeFileSync(manifest, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'h2-e2e' }, data: { a: '1', b: '2' } }));
    const r = await kubectl(['apply', '-f', manifest]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/configmap\/cfg (created|configured)/);
    const get = await kubectl(['get', 'cm', 'cfg', '-n', 'h2-e2e']);
    expect(parseTable(get.stdout)[0]).toMatchObject({ NAME: 'cfg', DATA: '2' });
  });

  it('kubectl explain reads the OpenAPI v3 schema', async () => {
    const r = await kubectl(['explain', 'deployments']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/GROUP:\s+apps/);
    expect(r.stdout).toMatch(/KIND:\s+Deployment/);
    expect(r.stdout).toMatch(/VERSION:\s+v1/);
    const spec = await kubectl(['explain', 'pods.spec']);
    expect(spec.code, spec.stderr).toBe(0);
    expect(spec.stdout).toMatch(/FIELD:\s+spec <Object>/);
    const data = await kubectl(['explain', 'configmaps.data']);
    expect(data.code, data.stderr).toBe(0);
  });

  it('a CRD shows up in discovery at once, with its printer columns and explain schema', async (ctx) => {
    if (cp.missingModules.crd) ctx.skip();
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.h2.example.com' },
      spec: {
        group: 'h2.example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'] },
        versions: [{
          name: 'v1', served: true, storage: true, subresources: { status: {} },
          additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }, { name: 'Colour', type: 'string', jsonPath: '.spec.colour', priority: 1 }],
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', description: 'Gadget spec.', properties: { size: { type: 'integer', description: 'How big.' }, colour: { type: 'string' } } } } } },
        }],
      },
    };
    writeFileSync(join(dir, 'crd.json'), JSON.stringify(crd));
    const applied = await kubectl(['apply', '-f', join(dir, 'crd.json')]);
    expect(applied.code, applied.stderr).toBe(0);
    writeFileSync(join(dir, 'gadget.json'), JSON.stringify({ apiVersion: 'h2.example.com/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'h2-e2e' }, spec: { size: 7, colour: 'red' } }));
    const created = await kubectl(['apply', '-f', join(dir, 'gadget.json')]);
    expect(created.code, created.stderr).toBe(0);

    const get = await kubectl(['get', 'gd', '-n', 'h2-e2e', '-o', 'wide']);
    expect(get.code, get.stderr).toBe(0);
    expect(parseTable(get.stdout)).toEqual([{ NAME: 'g1', SIZE: '7', COLOUR: 'red' }]);
    const explain = await kubectl(['explain', 'gadgets.spec']);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/size\s+<integer>\s+How big\./);
    const crds = parseTable((await kubectl(['get', 'crd'])).stdout);
    expect(crds.find((x) => x.NAME === 'gadgets.h2.example.com')?.['CREATED AT']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('kubectl top reads metrics.k8s.io computed from the stored pods', async (ctx) => {
    cp.client.create({ group: '', version: 'v1', resource: 'pods' }, 'h2-e2e', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'top-1', namespace: 'h2-e2e', annotations: { 'harness.ambient-code.io/usage': JSON.stringify({ main: { cpu: '25m', memory: '64Mi' } }) } },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
    // metrics-server reports running pods only; the embedded controllers start pods shortly.
    const deadline = Date.now() + 15_000;
    while ((cp.client.get({ group: '', version: 'v1', resource: 'pods' }, 'h2-e2e', 'top-1')?.status as { phase?: string } | undefined)?.phase !== 'Running') {
      // Starting pods is the controllers module's job; without it there is nothing to measure.
      if (Date.now() > deadline) ctx.skip();
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await kubectl(['top', 'pod', 'top-1', '-n', 'h2-e2e']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseTable(r.stdout)).toEqual([{ NAME: 'top-1', 'CPU(cores)': '25m', 'MEMORY(bytes)': '64Mi' }]);
    const nodes = await kubectl(['top', 'node']);
    expect(nodes.code, nodes.stderr).toBe(0);
    const nodeRows = parseTable(nodes.stdout);
    expect(nodeRows.length).toBeGreaterThan(0);
    // Node usage includes the pod's 25m / 64Mi plus system overhead.
    for (const row of nodeRows) {
      expect(Number(row['CPU(cores)'].replace(/m$/, ''))).toBeGreaterThanOrEqual(25);
      expect(row['MEMORY(bytes)']).toMatch(/^\d+Mi$/);
    }
  });
});
