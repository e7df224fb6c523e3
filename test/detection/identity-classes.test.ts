// Broken backends the identity checks must catch, each for its own reason: what readers are served
// (read paths), a late writer (settle + managedFields attribution), a lost displayName/groups
// (default strictness), and a regression that starts at depth 4 (the spine).
import { describe, expect, it } from 'vitest';
import { dropsParent, lateWriter, readPathDrift } from './backends.ts';
import { runBehind, statuses } from './run.ts';

const small = { scenarios: ['identity-inheritance'], depth: 2, fanout: 2, parentKeys: ['parentSessionId' as const] };

describe('broken backends: identity classes', () => {
  it('read path: sessions served without their groups are findings of the paths that served them, not of storage', async () => {
    const r = await runBehind(() => readPathDrift(), small);
    expect(r.outcome.exitCode, JSON.stringify(statuses(r))).toBe(1);
    expect(Object.keys(r.byAssertion).sort()).toEqual(['read.owner.get', 'read.owner.list', 'read.runner.get', 'read.runner.list']);
    // Every session (root and 6 children) through the owner's paths; the 6 children through their runner's.
    expect(r.byAssertion).toEqual({ 'read.owner.get': 7, 'read.owner.list': 7, 'read.runner.get': 6, 'read.runner.list': 6 });
    const f = r.findings.find((x) => x.assertion === 'read.runner.get')!;
    expect(f.message).toMatch(/^the creating runner's get_session served userContext .*"groups":\[\].*; storage holds .*"groups":\["/);
    expect((f.actual as { userContext: { groups: string[] } }).userContext.groups).toEqual([]);
  }, 300_000);

  it('late writer: a userContext rewritten 1.5 s after the create is a finding naming its field manager', async () => {
    const r = await runBehind((c) => lateWriter(c), small);
    expect(r.outcome.exitCode).toBe(1);
    const settled = r.findings.filter((f) => f.assertion === 'settle.identity-unchanged');
    expect(settled).toHaveLength(7);
    for (const f of settled) {
      expect(f.message).toMatch(/^spec\.userContext of \S+ changed [\d.]+ s after it was stored, from .* to .*"displayName":"Synced Later".*, written by identity-sync \(Update at /);
      expect((f.actual as { changesAfterCreate: { writers: string[] }[] }).changesAfterCreate[0].writers[0]).toBe('identity-sync (Update)');
    }
  }, 300_000);

  it('lost displayName/groups: caught by the default strictness, not by --strict-identity userId', async () => {
    const strict = await runBehind((c) => dropsParent(c), small);
    expect(strict.byAssertion).toEqual({ 'identity.parentSessionId.displayName-groups': 6 });
    const narrow = await runBehind((c) => dropsParent(c), { ...small, strictIdentity: 'userId' });
    expect(narrow.outcome.exitCode, JSON.stringify(narrow.byAssertion)).toBe(0);
  }, 400_000);

  it('a regression from depth 4 down: the default tree reaches it, a depth-3 tree does not', async () => {
    const deep = await runBehind((c) => dropsParent(c, 4), { scenarios: ['identity-inheritance'], parentKeys: ['parentSessionId'] });
    expect(deep.byAssertion).toEqual({ 'identity.parentSessionId.displayName-groups': 3 });
    expect(deep.findings.map((f) => f.sessionPath.length - 1)).toEqual([4, 5, 6]);
    const shallow = await runBehind((c) => dropsParent(c, 4), { scenarios: ['identity-inheritance'], parentKeys: ['parentSessionId'], depth: 3 });
    expect(shallow.outcome.exitCode).toBe(0);
  }, 400_000);
});
