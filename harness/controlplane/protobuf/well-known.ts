// JSON forms of the well-known messages both ways: metav1.Time/MicroTime (RFC 3339) ↔ Timestamp
// {seconds, nanos}, metav1.Duration (Go's time.Duration string) ↔ nanoseconds.
import { badRequest } from './wire.ts';

/** metav1.Time → RFC3339 seconds; metav1.MicroTime → RFC3339 with six fractional digits. */
export function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw badRequest(`protobuf decoding failed: timestamp ${seconds} out of range`);
  const base = d.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** RFC 3339 (any offset, optional fraction) → Timestamp; undefined when it is not one. */
export function parseTime(text: string): { seconds: number; nanos: number } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1].replace(/[t ]/, 'T')}${m[3].toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return { seconds: Math.floor(ms / 1000), nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

/** Go's time.Duration.String(), e.g. "1h0m0s", "1.5s", "300ms". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let v = Math.abs(ns);
  if (v < 1e9) {
    const [unit, div] = v < 1e3 ? ['ns', 1] : v < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(v / (div as number))}${unit}`;
  }
  const h = Math.floor(v / 3.6e12);
  v -= h * 3.6e12;
  const m = Math.floor(v / 6e10);
  v -= m * 6e10;
  const secs = trimFraction(v / 1e9);
  if (h) return `${sign}${h}h${m}m${secs}s`;
  if (m) return `${sign}${m}m${secs}s`;
  return `${sign}${secs}s`;
}

function trimFraction(x: number): string {
  return String(Number(x.toFixed(9)));
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };

/** Go's time.ParseDuration ("1h30m", "-1.5s", "300ms", "0") → nanoseconds; undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-])?(.*)$/.exec(text)!;
  if (m[2] === '0') return 0;
  if (m[2] === '') return undefined;
  let total = 0;
  let rest = m[2];
  while (rest) {
    const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part) return undefined;
    total += Number(part[1]) * UNIT_NS[part[2]];
    rest = rest.slice(part[0].length);
  }
  return Math.round(m[1] === '-' ? -total : total);
}
