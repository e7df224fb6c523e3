// Unit tests of the sim's seeded parts: users (id shapes, credential shapes) and tree plans.
import { describe, expect, it } from 'vitest';
import { isValidUserID } from '../../harness/platform/contract.ts';
import { planTree } from '../../harness/sim/spawn-tree.ts';
import { makeUsers } from '../../harness/sim/users.ts';

describe('makeUsers', () => {
  it('is deterministic for a seed and covers every id shape', () => {
    const a = makeUsers(42, 8);
    expect(makeUsers(42, 8)).toEqual(a);
    expect(makeUsers(43, 8)).not.toEqual(a);
    expect(new Set(a.map((u) => u.shape))).toEqual(new Set(['email', 'colon', 'long', 'plain']));
    for (const u of a) {
      expect(isValidUserID(u.userId)).toBe(true);
      expect(u.credentials.github.token).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
      expect(u.credentials.gitlab.token).toMatch(/^glpat-[A-Za-z0-9]{20}$/);
      expect(u.credentials.jira.url).toMatch(/^https:\/\/[a-z0-9-]+\.atlassian\.net$/);
    }
    const long = a.find((u) => u.shape === 'long');
    expect(long?.rawId.length).toBeGreaterThan(253);
    expect(long?.userId.length).toBe(253);
    expect(a.find((u) => u.shape === 'colon')?.rawId).toContain(':');
    expect(a.some((u) => /[^\x00-\x7f]/.test(u.displayName))).toBe(true);
  });
});

describe('planTree', () => {
  it('sizes and orders a tree breadth-first, deterministically', () => {
    const plan = planTree({ seed: 7, depth: 2, fanout: 3, keyMix: { camel: 1, snake: 1, both: 1 }, userCount: 2, roots: 2 });
    expect(plan).toHaveLength(2 * (1 + 3 + 9));
    expect(plan.slice(0, 3).map((n) => n.id)).toEqual(['0', '1', '0.0']);
    expect(plan.every((n) => (n.parentId === undefined) === (n.depth === 0))).toBe(true);
    expect(planTree({ seed: 7, depth: 2, fanout: 3, keyMix: { camel: 1, snake: 1, both: 1 }, userCount: 2, roots: 2 })).toEqual(plan);
    const keys = new Set(plan.filter((n) => n.key).map((n) => n.key));
    expect(keys.size).toBe(3);
  });
  it('respects the key mix and the size of the benchmark tree', () => {
    const plan = planTree({ seed: 1, depth: 4, fanout: 10, keyMix: { camel: 1, snake: 0, both: 0 }, userCount: 1 });
    expect(plan).toHaveLength(11_111);
    expect(plan.filter((n) => n.key && n.key !== 'camel')).toHaveLength(0);
    expect(() => planTree({ seed: 1, depth: 9, fanout: 10, keyMix: { camel: 1, snake: 0, both: 0 }, userCount: 1 })).toThrow(/limit/);
  });
});
