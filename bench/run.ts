// `npm run bench`: runs every benchmark once and prints one line per measure
// (`bench <name>: <value> <unit>`) and one per ratio (`ratio <name>: <x>`). Ratios compare two
// measures taken in the same run, so machine noise mostly cancels out. `npm run bench -- <name>...`
// runs a subset. With more than one benchmark each runs in its own process, so one's heap and peak
// RSS (the tree bench reports this process's) do not carry into the next.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benches } from './benches.ts';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length > 0) {
  console.error(`ambient-harness bench: unknown benchmark(s): ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = benches.filter((b) => wanted.length === 0 || wanted.includes(b.name));

/** Runs one benchmark in a child process (same loader flags), its output passed through. */
function runIsolated(name: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name], { stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

let failed = 0;
if (selected.length > 1) {
  for (const bench of selected) if ((await runIsolated(bench.name)) !== 0) failed++;
} else {
  for (const bench of selected) {
    process.stderr.write(`[bench] ${bench.name} ...\n`);
    try {
      for (const line of await bench.run()) console.log(line);
    } catch (err) {
      failed++;
      console.log(`bench ${bench.name}: failed (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}
process.exit(failed > 0 ? 1 : 0);
