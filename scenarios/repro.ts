// `ambient-harness repro identity`: the smallest tree that shows an identity regression (a root and
// one child per parent key), run on the configured target, printed as a tree with the findings and
// the curl/kubectl commands to see the same thing by hand. Commands use shell variables, never tokens
// (curl --oauth2-bearer, so report redaction of `Bearer <value>` leaves the variables readable).
import { rerunTargetFlags, runHarness, type HarnessConfig, type RunOutcome } from '../harness/index.ts';
import {
  CRD_GROUP,
  LABEL_MANAGED,
  PARENT_KEY_RUNNER,
  ROUTES,
  RUNNER_SECRETS,
  RUNNER_SECRETS_REQUIRED_KEYS,
  SESSION_PLURAL,
  sessionObjectNames,
  TOKEN_SECRET_KEY,
} from '../harness/platform/contract.ts';
import { MOCK_API_KEY } from '../harness/platform/deploy.ts';
import type { RunResult, TreeNode } from '../harness/report/model.ts';
import { IDENTITY_SCENARIO, identityAssertion, KEY_MODES } from './identity-inheritance.ts';
import { projectName, scenarioUsers } from './support/env.ts';

/**
 * The configuration of a repro run: identity scenario only, depth 1, one child — created with the
 * runner's real key (\`parentSessionId\`) unless a single key was chosen with --parent-keys.
 */
export function reproIdentityConfig(config: HarnessConfig): HarnessConfig {
  const parentKeys: HarnessConfig['parentKeys'] = config.parentKeys.length === 1 ? config.parentKeys : [PARENT_KEY_RUNNER];
  return { ...config, depth: 1, fanout: 1, concurrency: 1, parentKeys, scenarios: [IDENTITY_SCENARIO] };
}

function treeLines(nodes: TreeNode[], failedPaths: Map<string, string[]>, indent = ''): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    const marks = failedPaths.get(n.id) ?? [];
    const a = n.attrs ?? {};
    out.push(`${indent}${indent ? '└─ ' : ''}${n.id}  status=${a.status ?? '?'}  userId=${a.userId || '(none)'}${marks.length ? `   ✗ ${marks.join(', ')}` : ''}`);
    out.push(...treeLines(n.children, failedPaths, indent ? indent + '   ' : '   '));
  }
  return out;
}

/** Shell commands that rebuild the depth-1 tree by hand with the given parent key. */
export function identityCommands(config: HarnessConfig, key: string): string[] {
  const ns = projectName(config.seed, 'identity');
  const user = scenarioUsers(config.seed, 1)[0];
  const names = sessionObjectNames('$ROOT');
  const crd = `${SESSION_PLURAL}.${CRD_GROUP}`;
  return [
    `# BACKEND = backend origin (e.g. http://127.0.0.1:8080), USER_TOKEN = a token with admin on project ${ns}`,
    `kubectl create namespace ${ns} && kubectl label namespace ${ns} ${LABEL_MANAGED}=true`,
    `kubectl -n ${ns} create secret generic ${RUNNER_SECRETS} --from-literal=${RUNNER_SECRETS_REQUIRED_KEYS[0]}=${MOCK_API_KEY}`,
    `ROOT=$(curl -s -X POST "$BACKEND${ROUTES.sessions(ns)}" --oauth2-bearer "$USER_TOKEN" -H 'X-Forwarded-User: ${user.rawId}' -H 'Content-Type: application/json' -d '{"initialPrompt":"repro root"}' | jq -r .name)`,
    `BOT=$(kubectl -n ${ns} get secret ${names.tokenSecret} -o jsonpath='{.data.${TOKEN_SECRET_KEY}}' | base64 -d)   # the runner's BOT_TOKEN`,
    `CHILD=$(curl -s -X POST "$BACKEND${ROUTES.sessions(ns)}" --oauth2-bearer "$BOT" -H 'Content-Type: application/json' -d "{\\"${key}\\":\\"$ROOT\\",\\"initialPrompt\\":\\"repro child\\"}" | jq -r .name)`,
    `kubectl -n ${ns} get ${crd} "$ROOT" "$CHILD" -o custom-columns=NAME:.metadata.name,USER:.spec.userContext.userId,DISPLAY:.spec.userContext.displayName,GROUPS:.spec.userContext.groups`,
    `# expected: both rows show userId ${user.userId}`,
  ];
}

/** Human-readable repro output from a run result. */
export function formatIdentityRepro(result: RunResult, config: HarnessConfig): string {
  const s = result.scenarios.find((x) => x.name === IDENTITY_SCENARIO);
  const how = config.parentKeys.map((k) => (KEY_MODES.find((m) => m.key === k)?.probe ? `${k}: backend-contract probe, an API caller with the runner's token` : `${k}: the runner's own request`));
  const lines = [`identity repro · target ${config.target} · profile ${config.profile} · seed ${config.seed} · depth 1, one child (${how.join('; ')})`];
  if (!s) return [...lines, '(identity scenario did not run)', ''].join('\n');
  if (s.status === 'error') lines.push(`scenario error: ${s.error}`);
  const failed = new Map<string, string[]>();
  for (const a of s.assertions) {
    if (!a.finding) continue;
    const last = a.finding.sessionPath[a.finding.sessionPath.length - 1];
    for (const { key } of KEY_MODES) if (a.assertion.startsWith(identityAssertion.prefix(key))) failed.set(`${key}:${last}`, [...(failed.get(`${key}:${last}`) ?? []), a.assertion]);
  }
  lines.push('', 'tree:', ...treeLines(s.tree ?? [], failed));
  const findings = s.assertions.filter((a) => a.finding);
  const identityLost = findings.some((a) => KEY_MODES.some((k) => a.assertion.startsWith(identityAssertion.prefix(k.key))));
  lines.push('', findings.length ? `findings (${findings.length}):` : 'no findings: every child carries the root user\'s identity');
  for (const a of findings) lines.push(`  ${a.assertion} at ${a.finding!.sessionPath.join(' -> ')}: expected ${JSON.stringify(a.finding!.expected)}, actual ${JSON.stringify(a.finding!.actual)}`);
  if (findings.length && !identityLost) lines.push('every child carries the root user\'s identity (the findings above are of other kinds)');
  const keys = KEY_MODES.map((k) => k.key).filter((key) => findings.some((a) => a.assertion.startsWith(identityAssertion.prefix(key))));
  for (const key of keys.length ? keys : config.parentKeys) lines.push('', `by hand (${key}):`, ...identityCommands(config, key).map((l) => `  ${l}`));
  const keyFlag = config.parentKeys[0] === PARENT_KEY_RUNNER ? '' : ` --parent-keys ${config.parentKeys[0]}`;
  lines.push('', `rerun: ambient-harness repro identity ${rerunTargetFlags(config).join(' ')} --seed ${config.seed}${keyFlag}`);
  return lines.join('\n') + '\n';
}

/** Runs the repro and prints it; returns the exit code (0 none, 1 findings, 3 infrastructure). */
export async function reproIdentity(config: HarnessConfig, io: { out(text: string): void; env?: NodeJS.ProcessEnv }): Promise<number> {
  const cfg = reproIdentityConfig(config);
  const outcome: RunOutcome = await runHarness(cfg, { handleSignals: true, env: io.env });
  io.out(formatIdentityRepro(outcome.result, cfg));
  if (outcome.result.error) io.out(`error: ${outcome.result.error.message}\n`);
  return outcome.exitCode;
}
