// ambient-harness CLI: parses flags, calls the library (harness/index.ts), maps results to exit
// codes. Errors print ONE line (`ambient-harness: error: ...`), never a stack unless --debug.
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_BUILD_IMAGES, ENV_PREFIX, IMAGE_KEYS, loadConfig, PARENT_KEYS, PLATFORM_PROCESSES, PROFILES, SA_SIGNING_ALGS, TARGETS } from './config.ts';
import { ExitCode, HarnessError, InfraError, oneLine, UsageError } from './errors.ts';
import { RUNNER_COMMITS } from './platform/contract.ts';
import { redact } from './report/redact.ts';

const EXIT_CODES_HELP = `
Exit codes:
  0   pass: every assertion held
  1   findings: at least one assertion failed (see junit.xml / report.json / summary.md)
  2   bad input: unknown flag, invalid value, unknown config key, unknown scenario
  3   infrastructure: cluster, deploy or process failure, missing prerequisite (docker, kind, kubectl)
  99  thresholds breached (load thresholds such as http_req_duration p(95)<500)

Configuration precedence: defaults < --config file (YAML or JSON) < ${ENV_PREFIX}* env vars < flags.
Unknown keys are rejected everywhere.`;

/** Where the CLI writes and which environment it reads: the process's, or a test's. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

const processIo: CliIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t), env: process.env };

const debugRequested = (argv: string[], env: NodeJS.ProcessEnv) => argv.includes('--debug') || /^(1|true)$/i.test(env[`${ENV_PREFIX}DEBUG`] ?? '');

function fail(err: unknown, argv: string[], io: CliIo): number {
  const code = err instanceof HarnessError ? err.exitCode : ExitCode.Infra;
  io.err(`ambient-harness: error: ${redact(oneLine(err))}\n`);
  if (debugRequested(argv, io.env) && err instanceof Error && err.stack) io.err(redact(err.stack) + '\n');
  return code;
}

/** Flags shared by every command that builds a full configuration. */
function withConfigFlags(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'configuration file (YAML or JSON)')
    .addOption(new Option('--target <name>', `where to run: ${TARGETS.join('|')} (default embedded)`))
    .addOption(new Option('--profile <name>', `reference platform behaviour: ${PROFILES.join('|')} (default reference)`))
    .option('--seed <n>', 'seed for users, trees and findings (default 1)')
    .option('--depth <n>', 'spawn-tree depth below the root (default 6)')
    .option('--fanout <n>', 'children per session on the wide levels (default 2)')
    .option('--wide-levels <n>', 'levels that fan out; deeper ones form a single spine (default 3)')
    .addOption(new Option('--runner <commit>', `runner requests to simulate: auto|${RUNNER_COMMITS.join('|')} (default auto: the profile's commit)`))
    .option('--parent-keys <keys>', `parent keys identity trees use, comma-separated: ${PARENT_KEYS.join(',')} (default both)`)
    .option('--concurrency <n>', 'concurrent requests / virtual users (default 4)')
    .option('--settle <ms>', 'wait after a scenario\'s last create before re-reading every session (default 2000, max 60000)')
    .option('--report-dir <dir>', 'where reports go (default reports/<runId>)')
    .option('--backend-cmd <cmd>', 'run this command as the backend, a local process (embedded, existing)')
    .option('--operator-cmd <cmd>', 'run this command as the operator, a local process (embedded, existing)')
    .option('--platform-dir <dir>', 'platform checkout: its CRDs, RBAC and overlays; the sources --build compiles')
    .option('--build', 'build components/backend and components/operator of --platform-dir with the local Go toolchain and run them')
    .addOption(new Option('--platform-processes <where>', `where the backend and operator run: ${PLATFORM_PROCESSES.join('|')} (default: local on embedded; on existing local when programs are given, else cluster)`))
    .addOption(new Option('--strict-identity <fields>', 'identity fields that must be inherited: all|userId (default all: userId, displayName, groups)'))
    .addOption(new Option('--sa-signing-alg <alg>', `service-account token signing of the embedded control plane: ${SA_SIGNING_ALGS.join('|')} (default ES256)`))
    .option('--kubeconfig <file>', 'kubeconfig for --target existing')
    .option('--context <name>', 'kubeconfig context for --target existing')
    .option('--kind-config <file>', 'kind cluster config (default kind-config.yaml)')
    .option('--kind-cluster-name <name>', 'kind cluster to create (default ambient-harness)')
    .option('--overlay <name>', 'kustomize overlay to deploy (default kind)')
    .option('--build-images [images]', `kind/k3s: build images from --platform-dir with its Dockerfiles, comma-separated: ${IMAGE_KEYS.join(',')} (default ${DEFAULT_BUILD_IMAGES.join(',')})`)
    .option('--kwok-nodes <n>', 'kind/k3s: KWOK fake nodes for runner pods, 0 for none (default 5)')
    .option('--no-deploy', 'existing: use the platform the cluster already runs, even with --platform-dir')
    .option('--keep', 'kind/k3s: keep the cluster after the run (existing: keep what the deploy created)')
    .option('--state-dir <dir>', 'where up/down record what they keep (default $XDG_STATE_HOME/ambient-harness)')
    .option('--debug', 'print stack traces on errors');
}

/** Commander's parsed options -> config flag layer (config file path taken out). */
function flagsOf(opts: Record<string, unknown>): { configFile?: string; flags: Record<string, unknown> } {
  const { config, settle, ...rest } = opts;
  if (settle !== undefined) rest.settleMs = settle; // --settle <ms>
  // commander sets a negatable flag's default (deploy: true) itself: only `--no-deploy` is a flag value,
  // so a config file's or the environment's `deploy` is not overridden by a flag nobody gave.
  if (rest.deploy === true) delete rest.deploy;
  if (rest.buildImages === true) rest.buildImages = DEFAULT_BUILD_IMAGES.join(',');
  return { configFile: config as string | undefined, flags: rest };
}

const configOf = (io: CliIo, opts: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const { configFile, flags } = flagsOf(opts);
  return loadConfig({ configFile, env: io.env, flags: { ...flags, ...extra } });
};

async function runCommand(io: CliIo, opts: Record<string, unknown>, scenarioNames: string[] = []): Promise<number> {
  const config = configOf(io, opts, scenarioNames.length ? { scenarios: scenarioNames } : {});
  const { runHarness } = await import('./index.ts');
  const outcome = await runHarness(config, { handleSignals: true, env: io.env });
  const r = outcome.result;
  const counts = r.scenarios.flatMap((s) => s.assertions).reduce((acc, a) => ((acc[a.status] = (acc[a.status] ?? 0) + 1), acc), {} as Record<string, number>);
  const where = outcome.reports ? ` · reports: ${outcome.reports.dir}` : '';
  io.out(
    redact(`ambient-harness: exit ${outcome.exitCode} · ${counts.passed ?? 0} passed, ${counts.failed ?? 0} failed, ${counts.skipped ?? 0} skipped${where}\n`),
  );
  if (r.error) io.err(`ambient-harness: error: ${redact(r.error.message)}\n`);
  for (const s of r.scenarios) for (const a of s.assertions) if (a.finding) io.out(redact(`  finding ${s.name}/${a.assertion}: ${a.finding.message}\n    repro: ${a.finding.repro}\n`));
  return outcome.exitCode;
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('ambient-harness')
    .description('Testing and simulation harness for the Ambient Code platform: identity inheritance, credentials, fallback, operator memory, route balancing.')
    .showSuggestionAfterError(false)
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t), outputError: () => {} }); // errors are printed once, by main()

  withConfigFlags(program.command('run').description('bring up a target, run scenarios, write reports').argument('[scenario...]', 'scenario names or groups (default: all)'))
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (names: string[], opts: Record<string, unknown>) => setExit(await runCommand(io, opts, names)));

  withConfigFlags(
    program
      .command('repro')
      .description('reproduce a class of regressions with a seed, e.g. `repro identity --profile m-6b21778 --seed 42`')
      .argument('<what>', 'what to reproduce: identity'),
  ).action(async (what: string, opts: Record<string, unknown>) => {
    if (what !== 'identity') throw new UsageError(`repro: unknown subject "${what}" (known: identity)`);
    const config = configOf(io, opts);
    const { reproIdentity } = await import('../scenarios/repro.ts');
    setExit(await reproIdentity(config, { out: (t: string) => io.out(redact(t)), env: io.env }));
  });

  program
    .command('controlplane')
    .description('serve the embedded Kubernetes API server until interrupted, writing a kubeconfig for kubectl/client-go')
    .requiredOption('--kubeconfig <file>', 'where to write the admin kubeconfig')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)')
    .addOption(new Option('--sa-signing-alg <alg>', `service-account token signing: ${SA_SIGNING_ALGS.join('|')} (default ES256)`))
    .option('--debug', 'print stack traces on errors')
    .action(async (opts: { kubeconfig: string; port?: string; saSigningAlg?: string }) => {
      if (opts.port !== undefined && !/^\d{1,5}$/.test(opts.port)) throw new UsageError(`--port: expected a port number, got "${opts.port}"`);
      const alg = opts.saSigningAlg ?? 'ES256';
      if (!(SA_SIGNING_ALGS as readonly string[]).includes(alg)) throw new UsageError(`--sa-signing-alg: expected ${SA_SIGNING_ALGS.join(' or ')}, got "${alg}"`);
      // Loaded lazily: only this command needs the embedded API server.
      const { runControlPlaneCommand } = await import('./commands/controlplane.ts');
      let code: number;
      try {
        code = await runControlPlaneCommand({ kubeconfig: opts.kubeconfig, port: opts.port === undefined ? undefined : Number(opts.port), serviceAccountSigningAlg: alg as (typeof SA_SIGNING_ALGS)[number], out: (line) => io.out(line.endsWith('\n') ? line : line + '\n') });
      } catch (err) {
        throw err instanceof HarnessError ? err : new InfraError(`controlplane: ${oneLine(err)}`, { cause: err });
      }
      setExit(code);
    });

  withConfigFlags(
    program
      .command('up')
      .description('bring a target and the platform up and leave them running (embedded: until Ctrl-C); prints how to run scenarios on it and how to remove it'),
  ).action(async (opts: Record<string, unknown>) => {
    const { upCommand } = await import('./commands/up-down.ts');
    setExit(await upCommand(configOf(io, opts), { out: (l) => io.out(redact(l) + '\n'), env: io.env }));
  });

  withConfigFlags(program.command('down').description('remove what `up` or a run with --keep left for --target (kind cluster, k3s container, objects deployed on existing)')).action(
    async (opts: Record<string, unknown>) => {
      const { downCommand } = await import('./commands/up-down.ts');
      setExit(await downCommand(configOf(io, opts), { out: (l) => io.out(redact(l) + '\n'), env: io.env }));
    },
  );

  withConfigFlags(
    program.command('doctor').description('check Node, kubectl, Go, haproxy, the Docker engine and kind; say what each missing piece blocks and which targets are ready (exit 0 when one is)'),
  ).action(async (opts: Record<string, unknown>) => {
    const { doctorCommand } = await import('./commands/doctor.ts');
    setExit(await doctorCommand(configOf(io, opts), (l) => io.out(redact(l) + '\n')));
  });

  withConfigFlags(program.command('validate-config').description('resolve file + env + flags, validate, print the effective configuration as JSON')).action(
    async (opts: Record<string, unknown>) => {
      const config = configOf(io, opts);
      io.out(redact(JSON.stringify(config, null, 2)) + '\n');
      setExit(ExitCode.Pass);
    },
  );
  return program;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exit: number = ExitCode.Pass;
  const program = buildProgram(io, (code) => (exit = code));
  try {
    await program.parseAsync(argv);
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return ExitCode.Pass;
      // commander messages start with "error: "; keep one line.
      io.err(`ambient-harness: error: ${oneLine(err.message.replace(/^error:\s*/, ''))}\n`);
      return ExitCode.BadInput;
    }
    return fail(err, argv, io);
  }
}

/** Run as a program (bin/ambient-harness.mjs, the npm bin link, or this file), not when imported by tests. */
const entry = process.argv[1] ?? '';
if (/(^|[\\/])(ambient-harness(\.mjs)?|cli\.ts)$/.test(entry)) {
  const code = await main(process.argv);
  // Flush stdout/stderr, then exit: child processes and sockets must not keep the CLI alive.
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  await new Promise<void>((r) => process.stderr.write('', () => r()));
  process.exit(code);
}
