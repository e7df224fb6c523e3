// `repro identity` as a user runs it (node bin/ambient-harness.mjs, its own process), wall time
// from spawn to exit, median of 3, from the bundle and through tsx (AMBIENT_NO_BUNDLE=1). Issue
// goal: under 5 s. The ratio shows what the bundle buys in the same run.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBundleDir } from '../harness/bundle/bundle.mjs';
import { line, ratio } from './measure.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 3;

function reproOnce(reportDir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const args = [path.join(ROOT, 'bin/ambient-harness.mjs'), 'repro', 'identity', '--profile', 'm-6b21778', '--seed', '1', '--report-dir', reportDir];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Exit 1 is the expected outcome: m-6b21778 shows the finding.
      if (code === 1) resolve((performance.now() - t0) / 1000);
      else reject(new Error(`repro identity exited ${code}`));
    });
  });
}

async function medianSeconds(dir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await reproOnce(path.join(dir, String(i)), env));
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

export async function benchRepro(): Promise<string[]> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AMBIENT_')) env[k] = v;
  if (!(await ensureBundleDir())) throw new Error('the bundle could not be built');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-repro-'));
  try {
    const bundled = await medianSeconds(path.join(dir, 'bundle'), env);
    const tsx = await medianSeconds(path.join(dir, 'tsx'), { ...env, AMBIENT_NO_BUNDLE: '1' });
    return [line('repro-identity-wall', bundled, 's', 2), line('repro-identity-wall-tsx', tsx, 's', 2), ratio('repro-identity-bundle-vs-tsx', bundled / tsx)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
