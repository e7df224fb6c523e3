// One HTTP exchange with the platform backend: JSON body out, JSON (or raw text) back. Shared by
// the simulated runner, the scenarios and the tests, so they all read responses the same way.

export interface BackendCall {
  method: string;
  /** Bearer token; omitted means no Authorization header (the backend must answer 401). */
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  /** Send `Content-Type: application/json` even without a body (the runner's urllib client does). */
  alwaysJsonContentType?: boolean;
}

export async function callBackend(url: string, c: BackendCall): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.token) headers.Authorization = `Bearer ${c.token}`;
  if (c.body !== undefined || c.alwaysJsonContentType) headers['Content-Type'] = 'application/json';
  const r = await fetch(url, {
    method: c.method,
    headers,
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
    signal: AbortSignal.timeout(c.timeoutMs ?? 30_000),
  });
  const text = await r.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: r.status, body };
}
