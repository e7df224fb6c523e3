// Credential storage (contract §4.3): one Secret per provider in the backend namespace, data keys
// are the exact userId, values JSON. Read and written with the backend SA.
import { CREDENTIAL_SECRETS, GITHUB_PAT_LABELS, type CredentialType } from '../contract.ts';
import { apiCode } from '../kube.ts';
import type { Clients } from './clients.ts';

export interface StoredEntry {
  /** false when the provider's Secret itself is absent (Jira maps this to 500). */
  secretExists: boolean;
  value?: Record<string, unknown>;
}

export async function readCredential(backend: Clients, namespace: string, type: CredentialType, key: string): Promise<StoredEntry> {
  let data: Record<string, string> | undefined;
  try {
    data = (await backend.core.readNamespacedSecret({ namespace, name: CREDENTIAL_SECRETS[type] })).data;
  } catch (err) {
    if (apiCode(err) === 404) return { secretExists: false };
    throw err;
  }
  const raw = data?.[key];
  if (!raw) return { secretExists: true };
  try {
    return { secretExists: true, value: JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, unknown> };
  } catch {
    return { secretExists: true };
  }
}

/** Upserts one user's entry; retries a few times on write conflicts. */
export async function writeCredential(backend: Clients, namespace: string, type: CredentialType, key: string, value: Record<string, unknown>): Promise<void> {
  const name = CREDENTIAL_SECRETS[type];
  const encoded = Buffer.from(JSON.stringify(value)).toString('base64');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const s = await backend.core.readNamespacedSecret({ namespace, name });
      s.data = { ...(s.data ?? {}), [key]: encoded };
      await backend.core.replaceNamespacedSecret({ namespace, name, body: s });
      return;
    } catch (err) {
      const code = apiCode(err);
      if (code === 404) {
        try {
          await backend.core.createNamespacedSecret({
            namespace,
            body: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, ...(type === 'github' ? { labels: GITHUB_PAT_LABELS } : {}) }, type: 'Opaque', data: { [key]: encoded } },
          });
          return;
        } catch (e2) {
          if (apiCode(e2) !== 409) throw e2;
          continue;
        }
      }
      if (code !== 409) throw err;
    }
  }
  throw new Error(`could not write ${name}: too many conflicts`);
}
