// Pure pieces of the scenario suite: name normalisation, seed-stable names, header-safe users,
// tree sizes, repro commands (no tokens), and the registry wiring.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../harness/config.ts';
import { redact } from '../../harness/report/redact.ts';
import { ScenarioRegistry } from '../../harness/index.ts';
import { builtinScenarios, registerScenarios } from '../../scenarios/index.ts';
import { planTree, treeSize } from '../../harness/sim/spawn-tree.ts';
import { identityCommands, reproIdentityConfig } from '../../scenarios/repro.ts';
import { projectName, scenarioUsers, toHeaderSafe } from '../../scenarios/support/env.ts';
import { Namer } from '../../scenarios/support/tree.ts';
import { plantedCredentials } from './helpers.ts';

describe('scenario support', () => {
  it('Namer replaces server-generated names by path ids, longest first, deep', () => {
    const n = new Namer();
    n.add('session-17', '0');
    n.add('session-1717', '0.1');
    expect(n.normalize({ a: ['system-serviceaccount-p-ambient-session-session-1717', 'x session-17 y'], b: 3 })).toEqual({
      a: ['system-serviceaccount-p-ambient-session-<0.1>', 'x <0> y'],
      b: 3,
    });
  });

  it('project names are seed-stable DNS labels', () => {
    expect(projectName(42, 'identity')).toBe('ah-s42-identity');
    expect(projectName(1, 'x'.repeat(80))).toMatch(/^[a-z0-9-]{1,63}$/);
  });

  it('users are seeded, header-safe, and distinct', () => {
    const a = scenarioUsers(7, 3);
    expect(scenarioUsers(7, 3)).toEqual(a);
    for (const u of a) expect(u.displayName).toMatch(/^[\x20-\x7e\xa0-\xff]+$/);
    expect(new Set(a.map((u) => u.userId)).size).toBe(3);
    expect(toHeaderSafe('Ångström', 0)).toBe('Ångström');
    expect(toHeaderSafe('西村', 2)).toBe('Sim User 2');
  });

  it('tree sizes', () => {
    expect(treeSize(0, 5)).toBe(1);
    expect(treeSize(1, 1)).toBe(2);
    expect(treeSize(2, 2)).toBe(7);
    expect(treeSize(3, 10)).toBe(1111);
    // The default shape: 3 wide levels of fanout 2, then a spine down to depth 6.
    expect(treeSize(6, 2, 3)).toBe(18);
    expect(treeSize(2, 2, 3)).toBe(7);
  });

  it('below the wide levels the plan narrows to one spine, and --depth grows only the spine', () => {
    const plan = planTree({ seed: 1, depth: 6, fanout: 2, wideLevels: 3, keyMix: { camel: 1, snake: 0, both: 0 }, userCount: 1 });
    expect(plan).toHaveLength(18);
    expect(plan.filter((n) => n.depth > 3).map((n) => n.id)).toEqual(['0.0.0.0.0', '0.0.0.0.0.0', '0.0.0.0.0.0.0']);
    expect(Math.max(...plan.map((n) => n.depth))).toBe(6);
    expect(planTree({ seed: 1, depth: 9, fanout: 2, wideLevels: 3, keyMix: { camel: 1, snake: 0, both: 0 }, userCount: 1 })).toHaveLength(21);
    // Several roots: one spine each.
    const two = planTree({ seed: 1, depth: 5, fanout: 2, wideLevels: 1, roots: 2, keyMix: { camel: 1, snake: 0, both: 0 }, userCount: 2 });
    expect(two.filter((n) => n.depth === 5).map((n) => n.id)).toEqual(['0.0.0.0.0.0', '1.0.0.0.0.0']);
  });

  it('repro: depth 1, one child, identity only; commands carry no credential', () => {
    const cfg = reproIdentityConfig(parseConfig({ seed: 3, depth: 4, fanout: 5 }));
    expect([cfg.depth, cfg.fanout, cfg.scenarios]).toEqual([1, 1, ['identity-inheritance']]);
    const text = identityCommands(cfg, 'parentSessionId').join('\n');
    expect(text).toContain('ah-s3-identity');
    expect(text).toContain('--oauth2-bearer "$BOT"');
    expect(redact(text)).toBe(text); // nothing token-shaped in the commands
    for (const s of plantedCredentials(3)) expect(text).not.toContain(s);
  });

  it('registers the five scenarios once, with unique names', () => {
    const r = new ScenarioRegistry();
    registerScenarios(r);
    expect(r.list().map((s) => s.name)).toEqual(['identity-inheritance', 'credential-resolution', 'fallback', 'security', 'naming-under-concurrency']);
    expect(builtinScenarios).toHaveLength(5);
    expect(r.select(['identity']).map((s) => s.name)).toEqual(['identity-inheritance']);
  });
});
