// Generates tables.generated.ts: field number → JSON name/type/flags for the Kubernetes messages the
// decoder supports. It reads the public API definitions (generated.proto for numbers and types,
// types.go struct tags for JSON names, pointer-ness, omitempty and inlining) from checkouts of
// k8s.io/api and k8s.io/apimachinery given on the command line, and writes only those facts.
//
//   npx tsx harness/controlplane/protobuf/generate-tables.ts <k8s.io/api dir> <k8s.io/apimachinery dir>
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANY_GROUP_KINDS, ROOT_KINDS, WELL_KNOWN } from './kinds.ts';

interface ProtoField { num: number; name: string; type: string; repeated: boolean; map?: { key: string; value: string } }
interface GoField { json: string; pointer: boolean; omitempty: boolean; inline: boolean }

const [apiDir, machineryDir] = process.argv.slice(2);
if (!apiDir || !machineryDir) throw new Error('usage: generate-tables.ts <k8s.io/api dir> <k8s.io/apimachinery dir>');

// Proto package dir → our short package name used as the table key prefix.
const packages: Array<{ dir: string; short: string }> = [
  { dir: path.join(machineryDir, 'pkg/apis/meta/v1'), short: 'meta.v1' },
  { dir: path.join(machineryDir, 'pkg/runtime'), short: 'runtime' },
  ...['core/v1', 'apps/v1', 'batch/v1', 'rbac/v1', 'coordination/v1', 'authentication/v1', 'authorization/v1', 'events/v1', 'policy/v1', 'autoscaling/v1', 'networking/v1']
    .map((p) => ({ dir: path.join(apiDir, p), short: p.replace('/', '.') })),
];

const protoPkgToShort = new Map<string, string>([
  ['k8s.io.apimachinery.pkg.api.resource', 'resource'],
  ['k8s.io.apimachinery.pkg.util.intstr', 'intstr'],
]);
const messages = new Map<string, ProtoField[]>();
const goStructs = new Map<string, Map<string, GoField>>();

function parseProto(file: string, short: string): void {
  const text = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  const pkg = /^package\s+([\w.]+);/m.exec(text)![1];
  protoPkgToShort.set(pkg, short);
  for (const m of text.matchAll(/message\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields: ProtoField[] = [];
    for (const f of m[2].matchAll(/(optional|repeated)?\s*(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)/g)) {
      const [, label, type, mk, mv, name, num] = f;
      fields.push({ num: Number(num), name, type: mk ? 'map' : type, repeated: label === 'repeated', ...(mk ? { map: { key: mk, value: mv } } : {}) });
    }
    messages.set(`${short}.${m[1]}`, fields);
  }
}

function parseGo(file: string, short: string): void {
  const text = readFileSync(file, 'utf8');
  for (const s of text.matchAll(/^type\s+(\w+)\s+struct\s*\{([\s\S]*?)^\}/gm)) {
    const fields = new Map<string, GoField>();
    for (const line of s[2].split('\n')) {
      const tag = /`([^`]*)`/.exec(line)?.[1];
      const pb = tag && /protobuf:"\w+,\d+,\w+,name=(\w+)/.exec(tag);
      if (!pb) continue;
      const decl = line.slice(0, line.indexOf('`')).trim().split(/\s+/);
      const goType = decl.length >= 2 ? decl[1] : decl[0];
      const jsonTag = /json:"([^"]*)"/.exec(tag!)?.[1] ?? '';
      const [jsonName, ...opts] = jsonTag.split(',');
      fields.set(pb[1], {
        json: jsonName || pb[1],
        pointer: goType.startsWith('*'),
        omitempty: opts.includes('omitempty'),
        inline: jsonName === '',
      });
    }
    goStructs.set(`${short}.${s[1]}`, fields);
  }
}

for (const { dir, short } of packages) {
  parseProto(path.join(dir, 'generated.proto'), short);
  for (const f of ['types.go', 'register.go', 'time_proto.go', 'micro_time_proto.go', 'meta.go']) {
    if (existsSync(path.join(dir, f))) parseGo(path.join(dir, f), short);
  }
}

/** Proto type name → table type: scalar name, well-known name, or our short message key. */
function resolveType(rawType: string, fromShort: string): string {
  const type = rawType.replace(/^\./, '');
  if (/^(string|bool|bytes|int32|int64|uint32|uint64|double|float|sint32|sint64|fixed32|fixed64)$/.test(type)) return type;
  const dot = type.lastIndexOf('.');
  let key: string;
  if (dot < 0) key = `${fromShort}.${type}`;
  else {
    const short = protoPkgToShort.get(type.slice(0, dot));
    // Alpha APIs outside the packages read here: decoding such a field is refused at run time.
    if (!short) return `unsupported:${type}`;
    key = `${short}.${type.slice(dot + 1)}`;
  }
  return WELL_KNOWN[key] ?? key;
}

const out = new Map<string, string[]>();
const sliceMessages: string[] = [];
const queue = [...new Set([...Object.values(ROOT_KINDS), ...Object.values(ANY_GROUP_KINDS)])];
while (queue.length) {
  const key = queue.shift()!;
  if (out.has(key)) continue;
  const fields = messages.get(key);
  if (!fields) throw new Error(`message ${key} not found`);
  const short = key.slice(0, key.lastIndexOf('.'));
  const go = goStructs.get(key) ?? new Map<string, GoField>();
  // `type ExtraValue []string` and friends: a Go slice type, a message {repeated items = 1} on the wire.
  if (!goStructs.has(key) && fields.length === 1 && fields[0].name === 'items' && fields[0].repeated) sliceMessages.push(key);
  const rows: string[] = [];
  for (const f of fields) {
    const g = go.get(f.name);
    let type: string;
    if (f.map) type = `map:${resolveType(f.map.value, short)}`;
    else type = resolveType(f.type, short);
    const flags = [f.repeated && !f.map ? 'R' : '', g?.pointer ? 'P' : '', g?.omitempty ? 'O' : '', g?.inline ? 'I' : ''].join('');
    rows.push(`[${f.num}, '${g?.json ?? f.name}', '${type}', '${flags}']`);
    const target = f.map ? resolveType(f.map.value, short) : type;
    if (target.includes('.') && !target.startsWith('unsupported:') && !out.has(target)) queue.push(target);
  }
  out.set(key, rows);
}

const lines = [
  '// GENERATED by generate-tables.ts from the public Kubernetes API definitions (k8s.io/api,',
  '// k8s.io/apimachinery). Do not edit. Row: [field number, JSON name, type, flags];',
  '// flags: R repeated, P Go pointer (zero values are meaningful), O omitempty, I inlined in JSON.',
  "import type { FieldRow } from './wire.ts';",
  '',
  'export const MESSAGES: Record<string, FieldRow[]> = {',
  ...[...out.keys()].sort().map((k) => `  '${k}': [\n    ${out.get(k)!.join(',\n    ')},\n  ],`),
  '};',
  '',
  '/** Messages that are Go slice types ({repeated items = 1} on the wire, a JSON array). */',
  `export const SLICE_MESSAGES = new Set<string>([${sliceMessages.sort().map((k) => `'${k}'`).join(', ')}]);`,
  '',
];
const target = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tables.generated.ts');
writeFileSync(target, lines.join('\n'));
console.log(`wrote ${out.size} messages to ${target}`);
