// Spawn-tree benchmark: the embedded control plane plus the reference platform (profile
// `reference`), then one spawn tree (default depth 4, fanout 10 = 11,111 sessions; override with
// AMBIENT_BENCH_TREE=depth,fanout) under a bounded deadline, its simulated runners on a worker
// thread beside the API server. Every session is verified (its root user's whole userContext, its
// parent annotation) from paged lists. Prints wall time, sessions/s, how many sessions completed and
// verified, the peak RSS of this process and of the backend/operator processes, and the CPU seconds
// each of the three spent on the tree.
// Issue goals: <= 60 s wall and <= 1.5 GiB total peak RSS on a 2-core machine.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { startControlPlane } from '../harness/controlplane/index.ts';
import { LABEL_MANAGED, RUNNER_SECRETS } from '../harness/platform/contract.ts';
import { loadKubeConfig } from '../harness/platform/kube.ts';
import { REFERENCE_BACKEND_CMD, REFERENCE_OPERATOR_CMD } from '../harness/platform/external.ts';
import { platformUp, type RunningPlatform } from '../harness/platform/up.ts';
import { planTree, verifyInheritance } from '../harness/sim/spawn-tree.ts';
import { executeTreeInWorker } from '../harness/sim/tree-worker.ts';
import { makeUsers, seedViaEndpoints } from '../harness/sim/users.ts';
import { line } from './measure.ts';

const PROJECT = 'bench-tree';
const DEADLINE_MS = Number(process.env.AMBIENT_BENCH_TREE_DEADLINE_MS ?? 300_000);
const CONCURRENCY = 32;

function treeShape(): { depth: number; fanout: number } {
  const raw = process.env.AMBIENT_BENCH_TREE;
  if (!raw) return { depth: 4, fanout: 10 };
  const [d, f] = raw.split(',').map((x) => Number.parseInt(x.trim(), 10));
  if (!Number.isInteger(d) || !Number.isInteger(f) || d < 0 || f < 1) throw new Error(`AMBIENT_BENCH_TREE must be "depth,fanout", got ${JSON.stringify(raw)}`);
  return { depth: d, fanout: f };
}

/** Calls `visit` with the /proc/<pid>/stat fields (after the comm) of every live process in group `pgid`. */
function forEachInGroup(pgid: number, visit: (pid: string, fields: string[]) => void): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: field 5 is the process group; the comm field (2) may contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      visit(entry, fields);
    } catch {
      /* process went away */
    }
  }
}

/** VmHWM (peak RSS) in KiB of every live process in the process group `pgid` (shell + node). */
function groupPeakKiB(pgid: number): number {
  let total = 0;
  forEachInGroup(pgid, (pid) => {
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (hwm) total += Number(hwm[1]);
  });
  return total;
}

/** CPU seconds (user + system) used so far by the process group `pgid` (stat fields 14, 15; USER_HZ 100). */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  forEachInGroup(pgid, (_pid, fields) => {
    ticks += Number(fields[11]) + Number(fields[12]);
  });
  return ticks / 100;
}

/** CPU seconds of this process's main thread (the API server and its controllers): tid = pid. */
function mainThreadCpuSeconds(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export async function benchTree(): Promise<string[]> {
  const { depth, fanout } = treeShape();
  const tag = `tree-d${depth}f${fanout}`;
  const out: string[] = [];
  const cp = await startControlPlane();
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'bench-tree-'));
  let platform: RunningPlatform | undefined;
  try {
    // AMBIENT_BENCH_CHILD_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=DIR") reaches the backend and
    // operator processes; Node does not accept --cpu-prof in NODE_OPTIONS.
    const flags = process.env.AMBIENT_BENCH_CHILD_NODE_FLAGS;
    const withFlags = (cmd: string) => (flags ? cmd.replace(/^node /, `node ${flags} `) : undefined);
    platform = await platformUp({ adminKubeconfig: cp.kubeconfig(), runDir, profile: 'reference', backendCmd: withFlags(REFERENCE_BACKEND_CMD), operatorCmd: withFlags(REFERENCE_OPERATOR_CMD) });
    const adminKc = loadKubeConfig({ yaml: cp.kubeconfig() });
    const core = adminKc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: PROJECT, labels: { [LABEL_MANAGED]: 'true' } } } });
    await core.createNamespacedSecret({ namespace: PROJECT, body: { metadata: { name: RUNNER_SECRETS }, data: { ANTHROPIC_API_KEY: Buffer.from('mock-replay-key').toString('base64') } } });
    const users = makeUsers(41, 4);
    await seedViaEndpoints(platform.backendUrl, platform.testUserToken, users);

    // CPU is counted over the tree alone (user + system per process): the measure least disturbed
    // by other load on the machine, unlike wall time.
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = { api: mainThreadCpuSeconds(), harness: ownCpuSeconds(), backend: groupCpuSeconds(platform.backend.pid), operator: groupCpuSeconds(platform.operator.pid) };
    const plan = planTree({ seed: 41, depth, fanout, keyMix: { camel: 2, snake: 1, both: 1 }, userCount: users.length });
    const { results, durationMs } = await executeTreeInWorker(plan, {
      backendUrl: platform.backendUrl,
      project: PROJECT,
      adminKubeconfig: cp.kubeconfig(),
      userToken: platform.testUserToken,
      users,
      concurrency: CONCURRENCY,
      deadlineMs: DEADLINE_MS,
    });
    const apiElu = performance.eventLoopUtilization(elu0).utilization;
    const cpu = {
      api: mainThreadCpuSeconds() - cpu0.api,
      harness: ownCpuSeconds() - cpu0.harness,
      backend: groupCpuSeconds(platform.backend.pid) - cpu0.backend,
      operator: groupCpuSeconds(platform.operator.pid) - cpu0.operator,
    };
    const cpuTotal = cpu.harness + cpu.backend + cpu.operator;
    const completed = results.filter((r) => r.status === 201).length;
    if (completed < plan.length) {
      const firstError = results.find((r) => r.status !== 201)?.error ?? 'unknown';
      process.stderr.write(`[bench] ${tag}: ${completed}/${plan.length} sessions completed (first error: ${firstError.slice(0, 200)})\n`);
    }
    const { verified, firstProblem } = verifyInheritance(plan, results, users);
    if (verified < completed) process.stderr.write(`[bench] ${tag}: ${completed - verified} created sessions failed verification (first: ${firstProblem?.slice(0, 200)})\n`);
    const seconds = durationMs / 1000;
    const harnessMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is KiB
    const backendMiB = groupPeakKiB(platform.backend.pid) / 1024;
    const operatorMiB = groupPeakKiB(platform.operator.pid) / 1024;
    out.push(line(`${tag}-wall`, seconds, 's'));
    out.push(line(`${tag}-sessions-per-s`, completed / seconds, 'sessions/s'));
    out.push(line(`${tag}-completed`, completed, 'sessions', 0));
    out.push(line(`${tag}-verified`, verified, 'sessions', 0));
    out.push(line(`${tag}-planned`, plan.length, 'sessions', 0));
    out.push(line(`${tag}-peak-rss-harness`, harnessMiB, 'MiB'));
    out.push(line(`${tag}-peak-rss-backend`, backendMiB, 'MiB'));
    out.push(line(`${tag}-peak-rss-operator`, operatorMiB, 'MiB'));
    out.push(line(`${tag}-peak-rss-total`, harnessMiB + backendMiB + operatorMiB, 'MiB'));
    out.push(line(`${tag}-cpu-harness`, cpu.harness, 's'));
    // The API thread is the one the tree waits on when the machine has cores to spare.
    out.push(line(`${tag}-cpu-harness-api-thread`, cpu.api, 's'));
    out.push(line(`${tag}-api-thread-busy`, apiElu * 100, '%'));
    out.push(line(`${tag}-cpu-backend`, cpu.backend, 's'));
    out.push(line(`${tag}-cpu-operator`, cpu.operator, 's'));
    out.push(line(`${tag}-cpu-total`, cpuTotal, 's'));
    out.push(line(`${tag}-cpu-per-session`, (cpuTotal * 1000) / Math.max(1, completed), 'ms', 2));
    out.push(line(`${tag}-load-average-1m`, os.loadavg()[0], '', 2));
  } finally {
    await platform?.stop();
    await cp.stop();
    await rm(runDir, { recursive: true, force: true });
  }
  return out;
}
