import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The package's public face: the bin runs under Node 20 and the lockfile pins what DESIGN.md asks for.
describe('package', () => {
  it('pins @kubernetes/client-node 1.x (2.x crashes on Node 20)', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
    expect(lock.packages['node_modules/@kubernetes/client-node'].version).toMatch(/^1\./);
  });

  it('runs on the Node major the project supports', () => {
    const major = Number(execFileSync(process.execPath, ['-p', 'process.versions.node.split(".")[0]']).toString().trim());
    expect(major).toBeGreaterThanOrEqual(20);
  });
});
