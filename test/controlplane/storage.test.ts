// Unit tests of the pure storage pieces: selectors, pagination tokens, the revisioned store.
import { describe, expect, it } from 'vitest';
import { ApiError, type KubeObject, type ResourceType } from '../../harness/controlplane/types.ts';
import { compileSelectors, matchLabels, parseLabelSelector } from '../../harness/controlplane/storage/selectors.ts';
import { decodeContinue, encodeContinue, paginate } from '../../harness/controlplane/storage/pagination.ts';
import { Store } from '../../harness/controlplane/storage/store.ts';

const pods: ResourceType = {
  group: '', version: 'v1', resource: 'pods', kind: 'Pod', listKind: 'PodList', singular: 'pod', namespaced: true, verbs: [], subresources: [],
  fieldSelectors: { 'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase },
};

function obj(name: string, labels?: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels }, ...extra };
}

describe('label selectors', () => {
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['a=b', { a: 'b' }, true],
    ['a==b', { a: 'b' }, true],
    ['a!=b', { a: 'c' }, true],
    ['a!=b', {}, true],
    ['a!=b', { a: 'b' }, false],
    ['a in (x, y)', { a: 'y' }, true],
    ['a in (x,y)', { a: 'z' }, false],
    ['a notin (x)', {}, true],
    ['a notin (x)', { a: 'x' }, false],
    ['a', { a: '' }, true],
    ['!a', { a: '' }, false],
    ['!a', undefined, true],
    ['a=b,c', { a: 'b' }, false],
    ['a=b,c', { a: 'b', c: '1' }, true],
    ['example.com/tier=front', { 'example.com/tier': 'front' }, true],
    ['n>3', { n: '4' }, true],
    ['n<3', { n: '4' }, false],
    ['', { a: 'b' }, true],
  ];
  it.each(cases)('%s on %j → %s', (sel, labels, want) => {
    expect(matchLabels(parseLabelSelector(sel), labels)).toBe(want);
  });

  it.each(['a in (', 'a=b!', '=x', 'a b', 'a,,b', 'bad key=v'])('rejects %s with 400 BadRequest', (sel) => {
    let err: unknown;
    try {
      parseLabelSelector(sel);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    expect((err as ApiError).reason).toBe('BadRequest');
  });
});

describe('field selectors', () => {
  it('matches whitelisted fields and rejects others', () => {
    const running = obj('p1', undefined, { status: { phase: 'Running' } });
    expect(compileSelectors(pods, undefined, 'status.phase=Running,metadata.name=p1')(running)).toBe(true);
    expect(compileSelectors(pods, undefined, 'status.phase!=Running')(running)).toBe(false);
    expect(compileSelectors(pods, undefined, 'metadata.namespace==ns')(running)).toBe(true);
    expect(() => compileSelectors(pods, undefined, 'spec.foo=x')).toThrowError('field label not supported: spec.foo');
  });
});

describe('pagination', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((k) => ({ sortKey: k, object: k }));
  it('walks pages with opaque tokens', () => {
    const p1 = paginate(items, { limit: 2 }, 10, 0);
    expect(p1.items).toEqual(['a', 'b']);
    expect(p1.remainingItemCount).toBe(3);
    const p2 = paginate(items, { limit: 2, continue: p1.continue }, 12, 0);
    expect(p2.items).toEqual(['c', 'd']);
    expect(p2.resourceVersion).toBe(10);
    const p3 = paginate(items, { limit: 2, continue: p2.continue }, 12, 0);
    expect(p3.items).toEqual(['e']);
    expect(p3.continue).toBeUndefined();
  });
  it('410s a token whose revision was compacted and 400s garbage', () => {
    const token = encodeContinue({ rv: 5, start: 'b' });
    expect(decodeContinue(token)).toEqual({ rv: 5, start: 'b' });
    expect(() => paginate(items, { limit: 2, continue: token }, 20, 6)).toThrowError(/too old/);
    expect(() => decodeContinue('garbage')).toThrowError(/continue key is not valid/);
  });
});

describe('store', () => {
  it('stamps one cluster-wide revision, freezes objects and replays events', () => {
    const s = new Store(3);
    const a = s.put('/pods', obj('a'));
    const b = s.put('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'ns' } });
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(Object.isFrozen(a.metadata)).toBe(true);
    expect(() => {
      (a.metadata as { name?: string }).name = 'changed';
    }).toThrow();
    s.put('/pods', { ...obj('a'), spec: { x: 1 } });
    s.remove('/pods', 'ns', 'a');
    const since = s.eventsSince(1, '/pods');
    expect(since !== 'expired' && since.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(s.eventsSince(0)).toBe('expired'); // ring of 3 dropped the first event
    s.compact();
    expect(s.eventsSince(3)).toBe('expired');
    expect(s.eventsSince(s.currentRv())).toEqual([]);
  });

  it('delivers events in revision order even when a listener writes', () => {
    const s = new Store();
    const order: string[] = [];
    s.subscribe((e) => {
      if (e.object.metadata.name === 'first') s.put('/pods', obj('second'));
    });
    s.subscribe((e) => order.push(`${e.rv}:${e.object.metadata.name}`));
    s.put('/pods', obj('first'));
    expect(order).toEqual(['1:first', '2:second']);
  });
});
