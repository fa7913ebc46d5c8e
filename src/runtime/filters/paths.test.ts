import { describe, expect, it } from 'vitest';
import { modifyTarget, replacePrefixMatch } from './paths.js';

describe('replacePrefixMatch', () => {
  // The table of the HTTPPathModifier documentation, plus the strip-to-root cases.
  const table: [string, string, string, string][] = [
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
    ['/foo/baz', '/foo', '/bar', '/bar/baz'],
    ['/foo/baz', '/foo', '/', '/baz'],
    ['/a/b/c', '/', '/x', '/x/a/b/c'],
    ['/', '/', '/x', '/x/'],
  ];
  for (const [path, prefix, replacement, result] of table) {
    it(`${path} with prefix ${prefix} -> ${JSON.stringify(replacement)} = ${result}`, () => {
      expect(replacePrefixMatch(path, prefix, replacement)).toBe(result);
    });
  }

  it('leaves a path the prefix does not match on a segment boundary alone', () => {
    expect(replacePrefixMatch('/foobar', '/foo', '/x')).toBe('/foobar');
    expect(replacePrefixMatch('/other', '/foo', '/x')).toBe('/other');
  });
});

describe('modifyTarget', () => {
  const prefix = { type: 'PathPrefix' as const, value: '/foo' };
  it('keeps the query string for both modifier types', () => {
    expect(modifyTarget('/foo/bar?a=1&b', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' }, prefix)).toBe('/x/bar?a=1&b');
    expect(modifyTarget('/foo/bar?a=1', { type: 'ReplaceFullPath', replaceFullPath: '/full' }, prefix)).toBe('/full?a=1');
    expect(modifyTarget('/foo?', { type: 'ReplaceFullPath', replaceFullPath: '/full' }, prefix)).toBe('/full?');
  });

  it('replaces an Exact match as a whole and leaves a RegularExpression match unchanged', () => {
    const modifier = { type: 'ReplacePrefixMatch' as const, replacePrefixMatch: '/new' };
    expect(modifyTarget('/exact/', modifier, { type: 'Exact', value: '/exact/' })).toBe('/new/');
    expect(modifyTarget('/re/x', modifier, { type: 'RegularExpression', value: '/re/.*' })).toBe('/re/x');
    expect(modifyTarget('/foo/x', modifier, undefined)).toBe('/foo/x');
  });
});
