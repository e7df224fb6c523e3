// `ambient-harness doctor`: what this machine has, what each missing piece blocks and how to get
// it, then which targets are ready (each target's own prerequisite check, so the two never drift).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TARGETS, type HarnessConfig } from '../config.ts';
import { oneLine } from '../errors.ts';
import { exec } from '../targets/exec.ts';
import { KIND_INSTALL_HINT } from '../targets/kind.ts';
import { dockerEngine, type Prerequisite } from '../targets/prerequisites.ts';
import { targetFor } from '../targets/index.ts';

export interface ToolCheck {
  name: string;
  ok: boolean;
  /** Version when found, why not when missing. */
  detail: string;
  blocks: string;
  install: string;
  /** Found, but something about it deserves a line (e.g. version skew). */
  warning?: string;
}

/** First line of a tool's version output, or why there is none. */
async function versionOf(cmd: string, args: string[], pick: (out: string) => string | undefined = (o) => o.split('\n')[0]?.trim()): Promise<{ ok: boolean; detail: string }> {
  try {
    const r = await exec(cmd, args, { timeoutMs: 15_000, allowFailure: true });
    if (r.code !== 0) return { ok: false, detail: oneLine(r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`) };
    return { ok: true, detail: pick(r.stdout + r.stderr) ?? 'found' };
  } catch (err) {
    return { ok: false, detail: oneLine(err) };
  }
}

const minorOf = (v: string) => Number(/v?1\.(\d+)/.exec(v)?.[1] ?? NaN);

/** The Kubernetes minor of the kind node image pinned in the kind config, if readable. */
function kindNodeMinor(kindConfig: string): number | undefined {
  try {
    const m = /kindest\/node:v1\.(\d+)/.exec(readFileSync(path.resolve(kindConfig), 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function checkTools(config: HarnessConfig): Promise<ToolCheck[]> {
  const [kubectl, go, haproxy, kind, docker] = await Promise.all([
    versionOf('kubectl', ['version', '--client', '-o', 'json'], (o) => {
      try {
        return (JSON.parse(o) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
      } catch {
        return undefined;
      }
    }),
    versionOf('go', ['version'], (o) => /go\d+\.\d+(\.\d+)?/.exec(o)?.[0]),
    versionOf('haproxy', ['-v'], (o) => /HAProxy version \S+/.exec(o)?.[0] ?? o.split('\n')[0]),
    versionOf('kind', ['version']),
    dockerEngine(),
  ]);
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  const nodeMinor = kindNodeMinor(config.kindConfig);
  const kubectlMinor = kubectl.ok ? minorOf(kubectl.detail) : NaN;
  return [
    {
      name: 'node',
      ok: nodeMajor >= 20,
      detail: `v${process.versions.node}`,
      blocks: 'everything (the harness runs on Node 20+)',
      install: 'install Node.js 20 or newer (https://nodejs.org/)',
    },
    {
      name: 'kubectl',
      ...kubectl,
      blocks: 'the embedded target (scenarios and users drive it with kubectl), rendering overlays, deploying to kind/k3s/existing, the kubectl-driven tests',
      install: 'install kubectl 1.27–1.36 (https://kubernetes.io/docs/tasks/tools/)',
      warning:
        nodeMinor !== undefined && Number.isFinite(kubectlMinor) && Math.abs(kubectlMinor - nodeMinor) > 1
          ? `kubectl 1.${kubectlMinor} is more than one minor version from the kind node (1.${nodeMinor}): for --target kind use kubectl 1.${nodeMinor - 1}–1.${nodeMinor + 1}`
          : undefined,
    },
    {
      name: 'go',
      ...go,
      blocks: '--platform-dir --build (the platform backend and operator built from source), the client-go conformance test, actionlint in the tests',
      install: 'install Go 1.24+ (https://go.dev/dl/)',
    },
    {
      name: 'haproxy',
      ...haproxy,
      blocks: 'the route-balancing probe (the frontend Route\'s HAProxy annotations)',
      install: 'apt-get install haproxy (Debian/Ubuntu), brew install haproxy (macOS)',
    },
    {
      name: 'docker engine',
      ok: docker.ok,
      detail: docker.ok ? '`docker info` answers' : (docker as Extract<Prerequisite, { ok: false }>).reason,
      blocks: '--target kind, --target k3s, --build-images',
      install: 'install Docker Engine and start it (https://docs.docker.com/engine/install/); `docker info` must succeed for this user',
    },
    { name: 'kind', ...kind, blocks: '--target kind', install: KIND_INSTALL_HINT },
  ];
}

export async function doctorCommand(config: HarnessConfig, out: (line: string) => void): Promise<number> {
  const tools = await checkTools(config);
  const width = Math.max(...tools.map((t) => t.name.length));
  out('tools:');
  for (const t of tools) {
    out(`  ${t.ok ? 'ok     ' : 'MISSING'}  ${t.name.padEnd(width)}  ${t.detail}`);
    if (!t.ok) {
      out(`           blocks: ${t.blocks}`);
      out(`           install: ${t.install}`);
    }
    if (t.ok && t.warning) out(`           warning: ${t.warning}`);
  }
  out('targets:');
  let ready = 0;
  for (const name of TARGETS) {
    const p = await targetFor(name).prerequisites({ ...config, target: name });
    if (p.ok) ready++;
    out(`  ${name.padEnd(8)}  ${p.ok ? 'ready' : `not ready: ${p.reason}`}`);
  }
  out(ready ? `${ready} of ${TARGETS.length} targets ready` : 'no target is ready: install what is missing above');
  return ready ? 0 : 3;
}
