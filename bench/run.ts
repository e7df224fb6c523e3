// `npm run bench`: runs every benchmark once, in one process, and prints one line per measure
// (`bench <name>: <value> <unit>`) and one per ratio (`ratio <name>: <x>`). Ratios compare two
// measures taken in the same run, so machine noise mostly cancels out. `npm run bench -- <name>...`
// runs a subset.
import { benches } from './benches.ts';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length > 0) {
  console.error(`ambient-harness bench: unknown benchmark(s): ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const bench of benches) {
  if (wanted.length > 0 && !wanted.includes(bench.name)) continue;
  process.stderr.write(`[bench] ${bench.name} ...\n`);
  try {
    for (const line of await bench.run()) console.log(line);
  } catch (err) {
    failed++;
    console.log(`bench ${bench.name}: failed (${err instanceof Error ? err.message : String(err)})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
