// Everything temporary the tests make, and the programs they start (kubectl, go, the CLI, the
// backend and operator), goes under one directory per run, removed at the end: nothing is left in
// the system temp dir, even by a test that fails or a process that is killed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ambient-harness-tests-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
