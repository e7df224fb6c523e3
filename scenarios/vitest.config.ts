import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run scenarios [-- name]`: the scenario files, each bringing up its own target as configured
// by AMBIENT_HARNESS_* variables (not part of `npm test`, which tests the harness itself).
export default defineConfig({
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
  test: {
    include: ['scenarios/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
