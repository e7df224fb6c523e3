// k6 export: the generated script is valid JavaScript (node --check), and run under a tiny k6 shim
// it declares the same scenarios/thresholds and sends the same requests as the in-process engine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportK6Script, type LoadPlan } from '../../harness/load/index.ts';

const plan: LoadPlan = {
  baseUrl: 'http://127.0.0.1:18080/api',
  scenarios: {
    creates: {
      executor: 'shared-iterations',
      vus: 4,
      iterations: 20,
      maxDuration: '30s',
      request: {
        method: 'POST',
        path: '/projects/p1/agentic-sessions',
        headers: { Authorization: 'Bearer {{env:RUNNER_TOKEN}}' },
        body: { initialPrompt: 'child of vu {{vu}} iter {{iter}}', parentSessionId: 'root-`${x}`', llmSettings: { model: 'm' } },
        expectStatus: [201],
      },
    },
    reads: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '5s', preAllocatedVUs: 2, maxVUs: 5, maxDuration: '10s', request: { method: 'GET', path: '/projects/p1/agentic-sessions' } },
  },
  thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] },
};

// The subset of k6's API the generated scripts use, recording calls instead of sending them.
const SHIM_HTTP = `
export const calls = [];
const record = (method, url, body, params) => { calls.push({ method, url, body, params }); return { status: 201 }; };
export default {
  get: (url, params) => record('GET', url, null, params),
  post: (url, body, params) => record('POST', url, body, params),
  request: (method, url, body, params) => record(method, url, body, params),
  expectedStatuses: (...s) => ({ expectedStatuses: s }),
};`;
const SHIM_K6 = `export const checks = []; export function check(res, sets) { checks.push(Object.keys(sets)); return Object.values(sets).every((f) => f(res)); }`;

describe('k6 script export', () => {
  const script = exportK6Script(plan);

  it('is syntactically valid JavaScript (node --check)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h8-k6-'));
    const file = path.join(dir, 'load.mjs');
    writeFileSync(file, script);
    execFileSync(process.execPath, ['--check', file]);
    expect(script).toContain("import http from 'k6/http';");
    expect(script).toContain('export const options');
    expect(script).toContain('export default function ()');
    expect(script).not.toContain('fake'); // no secret values: tokens come from __ENV
  });

  it('under a k6 shim: same options, and the default function sends the planned request', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h8-k6-'));
    writeFileSync(path.join(dir, 'k6-http.mjs'), SHIM_HTTP);
    writeFileSync(path.join(dir, 'k6.mjs'), SHIM_K6);
    writeFileSync(path.join(dir, 'load.mjs'), script.replace("from 'k6/http'", "from './k6-http.mjs'").replace("from 'k6'", "from './k6.mjs'"));
    const g = globalThis as Record<string, unknown>;
    Object.assign(g, { __ENV: { RUNNER_TOKEN: 'fake-env-token' }, __VU: 3, __ITER: 7 });
    try {
      const mod = await import(pathToFileURL(path.join(dir, 'load.mjs')).href);
      const httpShim = await import(pathToFileURL(path.join(dir, 'k6-http.mjs')).href);
      expect(mod.options.thresholds).toEqual(plan.thresholds);
      expect(mod.options.scenarios.creates).toEqual({ executor: 'shared-iterations', exec: 'scenario_creates', maxDuration: '30s', vus: 4, iterations: 20 });
      expect(mod.options.scenarios.reads).toMatchObject({ executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '5s', preAllocatedVUs: 2, maxVUs: 5, exec: 'scenario_reads' });
      mod.default();
      mod.scenario_reads();
      const [post, get] = httpShim.calls;
      expect(post.method).toBe('POST');
      expect(post.url).toBe('http://127.0.0.1:18080/api/projects/p1/agentic-sessions');
      expect(JSON.parse(post.body)).toEqual({ initialPrompt: 'child of vu 3 iter 7', parentSessionId: 'root-`${x}`', llmSettings: { model: 'm' } });
      expect(post.params.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer fake-env-token' });
      expect(post.params.responseCallback).toEqual({ expectedStatuses: [201] });
      expect(get).toMatchObject({ method: 'GET', url: 'http://127.0.0.1:18080/api/projects/p1/agentic-sessions' });
    } finally {
      for (const k of ['__ENV', '__VU', '__ITER']) delete g[k];
    }
  });
});
