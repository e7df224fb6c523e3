// The life of a scenario's environment: set up (users, tokens, projects watched by the ledger),
// the scenario's own checks, then the ledger's end-of-scenario re-check (settle, storage, read
// paths) while the projects still exist, and the cleanup, which always runs.
import type { ScenarioContext } from '../../harness/index.ts';
import { loadKubeConfig } from '../../harness/platform/kube.ts';
import { setupEnv, type EnvOptions, type ScenarioEnv } from './env.ts';
import { Ledger } from './ledger.ts';

export async function inEnv(ctx: ScenarioContext, opts: Omit<EnvOptions, 'tracker'>, body: (env: ScenarioEnv, ledger: Ledger) => Promise<void>): Promise<void> {
  const ledger = new Ledger(ctx, loadKubeConfig({ yaml: ctx.cluster.kubeconfig.yaml }));
  let env: ScenarioEnv | undefined;
  try {
    env = await setupEnv(ctx, { ...opts, tracker: ledger });
    await body(env, ledger);
    await ledger.finish(env);
  } finally {
    ledger.stop();
    await env?.cleanup();
  }
}
