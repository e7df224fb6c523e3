// RFC 6902 (JSON patch) and RFC 7386 (JSON merge patch), with kube-apiserver's error mapping.
import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch } from '../../harness/controlplane/patch/index.ts';
import type { KubeObject } from '../../harness/controlplane/types.ts';
import { apiError } from './api-error.ts';

/** Wraps an RFC example document into an object the functions accept. */
function doc(fields: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, ...fields };
}
function body(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  return rest;
}

describe('applyJsonPatch (RFC 6902 appendix A)', () => {
  const cases: Array<[string, Record<string, unknown>, unknown[], Record<string, unknown>]> = [
    ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { foo: 'bar', baz: 'qux' }],
    ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    ['A.6 move a value', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
    ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['A.8 test a value: success', { baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
    ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ];
  for (const [name, input, ops, expected] of cases) {
    it(name, () => {
      const original = doc(structuredClone(input));
      const out = applyJsonPatch(original, ops);
      expect(body(out)).toEqual(expected);
      expect(body(original)).toEqual(input); // the input is never mutated
    });
  }

  const failures: Array<[string, Record<string, unknown>, unknown[]]> = [
    ['A.9 test a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]],
    ['A.12 add to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]],
    ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]],
    ['remove of a missing path', { foo: 'bar' }, [{ op: 'remove', path: '/nope' }]],
    ['unknown operation', { foo: 'bar' }, [{ op: 'frobnicate', path: '/foo' }]],
    ['the library-internal _get operation', { foo: 'bar' }, [{ op: '_get', path: '/foo' }]],
  ];
  for (const [name, input, ops] of failures) {
    it(`${name} → 422 Invalid`, () => {
      const err = apiError(() => applyJsonPatch(doc(input), ops));
      expect(err.code).toBe(422);
      expect(err.reason).toBe('Invalid');
      expect(err.message).toBe('the server rejected our request due to an error in our request');
    });
  }

  it('a body that is not a list of operations → 400 BadRequest', () => {
    const err = apiError(() => applyJsonPatch(doc({}), { op: 'add', path: '/a', value: 1 }));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    expect(apiError(() => applyJsonPatch(doc({}), ['add'])).code).toBe(400);
  });

  it('patches metadata like kubectl patch --type=json', () => {
    const out = applyJsonPatch(doc({ data: { a: '1' } }), [
      { op: 'add', path: '/metadata/labels', value: { team: 'x' } },
      { op: 'replace', path: '/data/a', value: '2' },
    ]);
    expect(out.metadata.labels).toEqual({ team: 'x' });
    expect(out.data).toEqual({ a: '2' });
  });
});

describe('applyMergePatch (RFC 7386 appendix A)', () => {
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  cases.forEach(([target, patch, result], i) => {
    it(`case ${i + 1}: ${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      const out = applyMergePatch(doc({ t: target }), { t: patch });
      expect(out.t).toEqual(result);
    });
  });

  it('arrays replace, null deletes, nested objects merge, input untouched', () => {
    const original = doc({ spec: { list: [1, 2], keep: { a: 1, b: 2 } }, metadata: { name: 'x', labels: { a: 'b' } } });
    const out = applyMergePatch(original, { spec: { list: [3], keep: { b: null, c: 3 } }, metadata: { labels: { a: null, z: 'y' } } });
    expect(out.spec).toEqual({ list: [3], keep: { a: 1, c: 3 } });
    expect(out.metadata).toEqual({ name: 'x', labels: { z: 'y' } });
    expect(original.spec).toEqual({ list: [1, 2], keep: { a: 1, b: 2 } });
    (out.metadata as { name?: string }).name = 'changed';
    expect(original.metadata.name).toBe('x');
  });

  it('a patch that is not an object → 400 BadRequest', () => {
    for (const bad of [[1], 'x', 3, null]) {
      const err = apiError(() => applyMergePatch(doc({}), bad));
      expect(err.code).toBe(400);
      expect(err.reason).toBe('BadRequest');
    }
  });
});
