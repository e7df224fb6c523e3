// `ambient-harness controlplane --kubeconfig PATH [--port N]`: serve the embedded API server until
// SIGINT/SIGTERM, writing the admin kubeconfig once it is ready.
import type { SigningAlg } from '../controlplane/auth/jwt.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/index.ts';

export interface ControlPlaneCommandOptions {
  kubeconfig: string;
  port?: number;
  kubernetesVersion?: string;
  serviceAccountSigningAlg?: SigningAlg;
  /** Where the one ready line goes (tests capture it). */
  out?: (line: string) => void;
  /** Resolves to stop the server; default: the first SIGINT or SIGTERM. */
  until?: Promise<unknown>;
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Returns the process exit code: 0 after a clean stop. */
export async function runControlPlaneCommand(o: ControlPlaneCommandOptions): Promise<number> {
  const stopSignal = o.until ?? nextSignal();
  let cp: ControlPlane | undefined;
  try {
    cp = await startControlPlane({ port: o.port, kubernetesVersion: o.kubernetesVersion, serviceAccountSigningAlg: o.serviceAccountSigningAlg });
    await cp.writeKubeconfig(o.kubeconfig);
    (o.out ?? ((l: string) => process.stdout.write(`${l}\n`)))(`control plane ready at ${cp.url} (kubeconfig: ${o.kubeconfig})`);
    await stopSignal;
    return 0;
  } finally {
    await cp?.stop();
  }
}
