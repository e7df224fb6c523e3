// `npm ci` / `npm install` run this (the `prepare` script) so the first harness run starts from a
// built bundle. Never fails the install: without a bundle the harness runs through tsx.
import { ensureBundleDir } from './bundle.mjs';

const dir = await ensureBundleDir(
  (note) => process.stderr.write(`ambient-harness: ${note}\n`),
  (progress) => process.stdout.write(`ambient-harness: ${progress}\n`),
);
process.stdout.write(dir ? 'ambient-harness: bundle ready\n' : 'ambient-harness: no bundle, the harness will run through tsx\n');
