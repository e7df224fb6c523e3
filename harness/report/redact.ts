// Redaction: tokens and registered secrets never reach a report or a log line. Each is replaced by
// `<prefix>…#<first 8 hex of sha256>`, so two mentions of the same token still correlate.
import { createHash } from 'node:crypto';

/** Well-known token shapes. Order matters: specific prefixes before the generic JWT shape. */
const TOKEN_PATTERNS: RegExp[] = [
  /github_pat_[A-Za-z0-9_]{20,}/g,
  /gh[opusr]_[A-Za-z0-9]{20,}/g,
  /glpat-[A-Za-z0-9_-]{20,}/g,
  // JWTs (Kubernetes service-account tokens, OIDC): header.payload.signature, base64url.
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
];
/** `Bearer <value>` (headers, curl lines): the value goes, whatever its shape. */
const BEARER = /\b(Bearer\s+)([^\s"',;]+)/gi;
/** Already-redacted values look like `abcd…#0123abcd`; never redact them twice. */
const REDACTED = /…#[0-9a-f]{8}$/;

export function maskSecret(value: string): string {
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  const keep = Math.min(4, Math.floor(value.length / 4));
  const prefix = value.slice(0, keep).replace(/[^A-Za-z0-9_-]/g, '');
  return `${prefix}…#${hash}`;
}

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a literal secret (a token the harness minted or read); too-short values are ignored. */
  register(secret: string | undefined): void {
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another secret is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(maskSecret(secret));
    }
    out = out.replace(BEARER, (_m, head: string, value: string) => (REDACTED.test(value) ? head + value : head + maskSecret(value)));
    for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, (m) => maskSecret(m));
    return out;
  }

  /** Deep copy with every string (keys included) redacted: applied to report data before serialising. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }
}

/** The process-wide redactor used by every report writer and progress line. */
export const redactor = new Redactor();
export const registerSecret = (secret: string | undefined): void => redactor.register(secret);
export const redact = (text: string): string => redactor.redact(text);
