// Generates tables.generated.ts: field number → JSON name/type/flags for the messages of every
// built-in kind the control plane serves, and which kinds each served apiVersion registers. It reads
// the public API definitions of the Go modules k8s.io/api, k8s.io/apimachinery,
// k8s.io/apiextensions-apiserver and k8s.io/metrics at MODULE_VERSION (fetched by `go mod download`
// from the Go module proxy into the module cache): generated.proto for numbers and types, the Go
// struct tags for JSON names, pointer-ness, omitempty and inlining, and register.go for the kinds
// of each group version. Only those facts are written. The served group versions come from the
// catalog; a served kind without a message fails the generation.
//
//   npx tsx harness/controlplane/protobuf/generate-tables.ts           # rewrite tables.generated.ts
//   npx tsx harness/controlplane/protobuf/generate-tables.ts --check   # exit 1 when it is stale
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinResourceTypes } from '../catalog/builtins.ts';
import { ANY_GROUP_KINDS, UNION_MESSAGES, WELL_KNOWN } from './kinds.ts';

/**
 * The Kubernetes API module version the tables are generated from: the one the platform's Go
 * components and test/go build with (so CI's module cache already holds it).
 */
const MODULE_VERSION = 'v0.34.1';

interface ProtoField { num: number; name: string; type: string; repeated: boolean; map?: { key: string; value: string } }
interface GoField { json: string; pointer: boolean; omitempty: boolean; inline: boolean }
interface Package { dir: string; short: string; apiVersion?: string }

function moduleDir(module: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${module}@${MODULE_VERSION}`], { encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  const dir = (JSON.parse(out) as { Dir?: string; Error?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${module}@${MODULE_VERSION} gave no directory: ${out.trim()}`);
  return dir;
}

/** Package dirs holding a generated.proto one or two levels below `root` (group/version). */
function apiPackages(root: string): string[] {
  const out: string[] = [];
  for (const group of readdirSync(root, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const version of readdirSync(path.join(root, group.name), { withFileTypes: true })) {
      const dir = path.join(root, group.name, version.name);
      if (version.isDirectory() && existsSync(path.join(dir, 'generated.proto'))) out.push(dir);
    }
  }
  return out;
}

/** apiVersion a package registers its kinds under (GroupName + the version directory). */
function apiVersionOf(dir: string): string | undefined {
  const register = path.join(dir, 'register.go');
  if (!existsSync(register)) return undefined;
  const group = /const\s+GroupName\s*=\s*"([^"]*)"/.exec(readFileSync(register, 'utf8'))?.[1];
  if (group === undefined) return undefined;
  const version = path.basename(dir);
  return group ? `${group}/${version}` : version;
}

const served = new Set(builtinResourceTypes().map((rt) => (rt.group ? `${rt.group}/${rt.version}` : rt.version)));
const apiDir = moduleDir('k8s.io/api');
const machineryDir = moduleDir('k8s.io/apimachinery');
const candidates = [
  ...apiPackages(apiDir),
  ...apiPackages(path.join(moduleDir('k8s.io/apiextensions-apiserver'), 'pkg/apis')),
  ...apiPackages(path.join(moduleDir('k8s.io/metrics'), 'pkg/apis')),
];
const packages: Package[] = [
  { dir: path.join(machineryDir, 'pkg/apis/meta/v1'), short: 'meta.v1', apiVersion: 'meta.k8s.io/v1' },
  { dir: path.join(machineryDir, 'pkg/runtime'), short: 'runtime' },
];
for (const dir of candidates) {
  const apiVersion = apiVersionOf(dir);
  if (apiVersion && served.has(apiVersion)) packages.push({ dir, short: dir.split(path.sep).slice(-2).join('.'), apiVersion });
}
const missing = [...served].filter((v) => !packages.some((p) => p.apiVersion === v));
if (missing.length) throw new Error(`no API definitions found for served ${missing.join(', ')}`);

const protoPkgToShort = new Map<string, string>([
  ['k8s.io.apimachinery.pkg.api.resource', 'resource'],
  ['k8s.io.apimachinery.pkg.util.intstr', 'intstr'],
]);
const messages = new Map<string, ProtoField[]>();
const goStructs = new Map<string, Map<string, GoField>>();
const kinds = new Map<string, string>();

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
      const jsonTag = /json:"([^"]*)"/.exec(tag!)?.[1];
      const [jsonName, ...opts] = (jsonTag ?? '').split(',');
      fields.set(pb[1], {
        json: jsonName || pb[1],
        pointer: goType.startsWith('*'),
        omitempty: opts.includes('omitempty'),
        // `json:",inline"`; a field without a json tag (the union types' members) is not inlined.
        inline: jsonTag !== undefined && jsonName === '',
      });
    }
    goStructs.set(`${short}.${s[1]}`, fields);
  }
}

/** Kinds a package registers: `&Kind{}` in register.go (addKnownTypes; for meta/v1 the whole file). */
function parseKinds(dir: string, short: string, apiVersion: string): void {
  const text = readFileSync(path.join(dir, 'register.go'), 'utf8');
  const body = short === 'meta.v1' ? text : /func addKnownTypes[\s\S]*?^\}/m.exec(text)?.[0] ?? '';
  for (const m of body.matchAll(/&(\w+)\{\}/g)) if (messages.has(`${short}.${m[1]}`)) kinds.set(`${apiVersion}/${m[1]}`, `${short}.${m[1]}`);
}

for (const { dir, short, apiVersion } of packages) {
  parseProto(path.join(dir, 'generated.proto'), short);
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_') && f !== 'generated.pb.go') parseGo(path.join(dir, f), short);
  }
  if (apiVersion) parseKinds(dir, short, apiVersion);
}

const unservedKinds = builtinResourceTypes()
  .flatMap((rt) => [rt.kind, ...(rt.virtual ? [] : [rt.listKind])].map((k) => `${rt.group ? `${rt.group}/${rt.version}` : rt.version}/${k}`))
  .filter((k) => !kinds.has(k));
if (unservedKinds.length) throw new Error(`served kinds without a protobuf message: ${unservedKinds.join(', ')}`);

/** Proto type name → table type: scalar name, well-known name, or our short message key. */
function resolveType(rawType: string, fromShort: string): string {
  const type = rawType.replace(/^\./, '');
  if (/^(string|bool|bytes|int32|int64|uint32|uint64|double|float|sint32|sint64|fixed32|fixed64)$/.test(type)) return type;
  const dot = type.lastIndexOf('.');
  let key: string;
  if (dot < 0) key = `${fromShort}.${type}`;
  else {
    const short = protoPkgToShort.get(type.slice(0, dot));
    // Alpha APIs outside the packages read here: such a field is refused at run time.
    if (!short) return `unsupported:${type}`;
    key = `${short}.${type.slice(dot + 1)}`;
  }
  return WELL_KNOWN[key] ?? key;
}

const out = new Map<string, string[]>();
const sliceMessages: string[] = [];
const queue = [...new Set([...kinds.values(), ...Object.values(ANY_GROUP_KINDS), ...Object.keys(UNION_MESSAGES)])];
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
  `// GENERATED by generate-tables.ts from the public Kubernetes API definitions (k8s.io/api,`,
  `// k8s.io/apimachinery, k8s.io/apiextensions-apiserver, k8s.io/metrics ${MODULE_VERSION}). Do not edit.`,
  '// Row: [field number, JSON name, type, flags];',
  '// flags: R repeated, P Go pointer (zero values are meaningful), O omitempty, I inlined in JSON.',
  "import type { FieldRow } from './wire.ts';",
  '',
  'export const MESSAGES: Record<string, FieldRow[]> = {',
  ...[...out.keys()].sort().map((k) => (out.get(k)!.length ? `  '${k}': [\n    ${out.get(k)!.join(',\n    ')},\n  ],` : `  '${k}': [],`)),
  '};',
  '',
  '/** Messages that are Go slice types ({repeated items = 1} on the wire, a JSON array). */',
  `export const SLICE_MESSAGES = new Set<string>([${sliceMessages.sort().map((k) => `'${k}'`).join(', ')}]);`,
  '',
  '/** `<apiVersion>/<Kind>` → message, for the kinds each served group version registers. */',
  'export const KINDS: Record<string, string> = {',
  ...[...kinds.keys()].sort().map((k) => `  '${k}': '${kinds.get(k)}',`),
  '};',
  '',
];
const target = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tables.generated.ts');
const text = lines.join('\n');
if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(`${path.basename(target)} is not what generate-tables.ts produces from ${MODULE_VERSION}; run it to regenerate`);
    process.exit(1);
  }
  console.log(`${path.basename(target)} is up to date (${out.size} messages, ${kinds.size} kinds)`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${out.size} messages and ${kinds.size} kinds to ${target}`);
}
