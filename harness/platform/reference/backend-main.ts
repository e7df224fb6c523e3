// Process entry of the reference backend: `node --import tsx harness/platform/reference/backend-main.ts`
// with KUBECONFIG (backend SA), NAMESPACE (default ambient-code), PORT (default 8080),
// AMBIENT_PROFILE, GITHUB_API_URL (loopback stub for the /user lookup; unset = skipped), USE_VERTEX.
import { loadKubeConfig } from '../kube.ts';
import { startReferenceBackend } from './backend.ts';
import { getProfile } from './profiles.ts';

const truthy = (v: string | undefined) => !!v && ['1', 'true', 'yes'].includes(v.toLowerCase());

async function main(): Promise<void> {
  const profile = getProfile(process.env.AMBIENT_PROFILE);
  const backend = await startReferenceBackend({
    kubeConfig: loadKubeConfig({ file: process.env.KUBECONFIG }),
    profile,
    namespace: process.env.NAMESPACE || 'ambient-code',
    port: process.env.PORT ? Number(process.env.PORT) : 8080,
    githubApiUrl: process.env.GITHUB_API_URL || undefined,
    useVertex: truthy(process.env.USE_VERTEX) || truthy(process.env.CLAUDE_CODE_USE_VERTEX),
  });
  process.stdout.write(`${new Date().toISOString()} reference backend (profile ${profile.name}) listening on ${backend.url}\n`);
  const stop = () => void backend.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`backend failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
