import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, JsonPatchError, parsePointer, type JsonPatchOperation } from './json-patch.js';

describe('parsePointer (RFC 6901)', () => {
  it('unescapes ~1 before ~0', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/a~1b/m~0n/~01')).toEqual(['a/b', 'm~n', '~1']);
    expect(parsePointer('/')).toEqual(['']);
  });
  it('rejects malformed pointers', () => {
    expect(() => parsePointer('a/b')).toThrow(/must be empty or start with/);
    expect(() => parsePointer('/a~2')).toThrow(/followed by 0 or 1/);
  });
});

describe('applyJsonPatch (RFC 6902 appendix A)', () => {
  const cases: { name: string; doc: unknown; patch: JsonPatchOperation[]; expected: unknown }[] = [
    { name: 'A.1 add an object member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], expected: { baz: 'qux', foo: 'bar' } },
    { name: 'A.2 add an array element', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], expected: { foo: ['bar', 'qux', 'baz'] } },
    { name: 'A.3 remove an object member', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], expected: { foo: 'bar' } },
    { name: 'A.4 remove an array element', doc: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], expected: { foo: ['bar', 'baz'] } },
    { name: 'A.5 replace a value', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], expected: { baz: 'boo', foo: 'bar' } },
    {
      name: 'A.6 move a value',
      doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      expected: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    },
    { name: 'A.7 move an array element', doc: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], expected: { foo: ['all', 'cows', 'eat', 'grass'] } },
    { name: 'A.10 add a nested member object', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], expected: { foo: 'bar', child: { grandchild: {} } } },
    { name: 'A.14 ~ escape ordering', doc: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: 10 }], expected: { '/': 9, '~1': 10 } },
    { name: 'A.16 add an array value', doc: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], expected: { foo: ['bar', ['abc', 'def']] } },
    { name: 'copy', doc: { a: { b: [1] } }, patch: [{ op: 'copy', from: '/a/b', path: '/c' }], expected: { a: { b: [1] }, c: [1] } },
    { name: 'replace the whole document', doc: { a: 1 }, patch: [{ op: 'replace', path: '', value: [1] }], expected: [1] },
    { name: 'key with a slash', doc: { data: { 'ca.crt': 'x', 'a/b': 'y' } }, patch: [{ op: 'replace', path: '/data/a~1b', value: 'z' }], expected: { data: { 'ca.crt': 'x', 'a/b': 'z' } } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = JSON.stringify(c.doc);
      expect(applyJsonPatch(c.doc, c.patch)).toEqual(c.expected);
      expect(JSON.stringify(c.doc)).toBe(before); // input untouched
    });
  }

  it('a test op compares deeply and fails with both values', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: ['a', 2, 'c'] }, [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ])).toEqual({ baz: 'qux', foo: ['a', 2, 'c'] });
    expect(() => applyJsonPatch({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }])).toThrow(/expected "bar", got "qux"/);
    expect(() => applyJsonPatch({ '/': 9 }, [{ op: 'test', path: '/~01', value: '10' }])).toThrow(JsonPatchError);
  });

  it('errors name the operation and never apply half a patch', () => {
    const doc = { a: [1, 2] };
    const run = () => applyJsonPatch(doc, [{ op: 'add', path: '/b', value: 1 }, { op: 'remove', path: '/missing' }]);
    expect(run).toThrow(/^operation 1: path "\/missing" does not exist$/);
    expect(doc).toEqual({ a: [1, 2] });
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/3', value: 0 }])).toThrow(/out of bounds/);
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/01', value: 0 }])).toThrow(/not an array index/);
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/a/-', value: 0 }])).toThrow(/not an array index/);
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/x/y', value: 0 }])).toThrow(/does not exist/);
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 0 }])).toThrow(/does not exist/);
    expect(() => applyJsonPatch(doc, [{ op: 'move', from: '/a', path: '/a/0' }])).toThrow(/own child/);
  });
});

describe('applyMergePatch (RFC 7386 appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  cases.forEach(([target, patch, expected], i) => {
    it(`example ${i + 1}`, () => {
      const before = JSON.stringify(target);
      expect(applyMergePatch(target, patch)).toEqual(expected);
      expect(JSON.stringify(target)).toBe(before);
    });
  });
});
