#!/usr/bin/env node
// Entry point: runs the CLI from the bundle (built on first use and whenever a source changes),
// or through the tsx loader when bundling is off or fails.
import path from 'node:path';
import { BUNDLE_DIR_ENV, ensureBundleDir } from '../harness/bundle/bundle.mjs';

const say = (note) => process.stderr.write(`[ambient-harness] ${note}\n`);
// Build progress only on a terminal: scripts and CI read stderr for errors.
const dir = await ensureBundleDir(say, process.stderr.isTTY ? say : undefined);
if (dir) {
  process.env[BUNDLE_DIR_ENV] = dir;
  await import(path.join(dir, 'cli.mjs'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../harness/cli.ts');
}
