import { describe, expect, it } from 'vitest';
import { hostnameCovers, hostnamesOverlap, intersectHostnames } from './hostnames.js';

describe('hostnameCovers', () => {
  it.each([
    ['foo.example.com', 'foo.example.com', true],
    ['*.example.com', 'foo.example.com', true],
    ['*.example.com', 'foo.bar.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '*.foo.example.com', true],
    ['*.foo.example.com', '*.example.com', false],
    ['foo.example.com', '*.example.com', false],
    ['*.wildcard.io', 'foo.bar.wildcard.io', true],
    ['*.wildcard.io', 'wildcard.io', false],
    ['Foo.Example.com', 'foo.example.COM', true],
  ])('%s covers %s: %s', (pattern, name, want) => {
    expect(hostnameCovers(pattern, name)).toBe(want);
  });
});

describe('intersectHostnames', () => {
  it.each<[string | undefined, string[] | undefined, boolean, string[]]>([
    [undefined, undefined, true, []],
    [undefined, ['a.example.com', '*.b.com'], true, ['a.example.com', '*.b.com']],
    ['very.specific.com', undefined, true, ['very.specific.com']],
    ['very.specific.com', ['*.specific.com'], true, ['very.specific.com']],
    ['*.specific.com', ['very.specific.com', 'other.org'], true, ['very.specific.com']],
    ['*.example.com', ['*.foo.example.com'], true, ['*.foo.example.com']],
    ['*.foo.example.com', ['*.example.com'], true, ['*.foo.example.com']],
    ['foo.example.com', ['bar.example.com'], false, []],
    ['*.example.com', ['example.com'], false, []],
    ['foo.example.com', ['*.example.com', 'foo.example.com'], true, ['foo.example.com']],
  ])('listener %s x route %j', (listener, route, matches, hostnames) => {
    expect(intersectHostnames(listener, route)).toEqual({ matches, hostnames });
  });
});

describe('hostnamesOverlap', () => {
  it('treats an unset hostname as matching everything', () => {
    expect(hostnamesOverlap(undefined, 'a.example.com')).toBe(true);
    expect(hostnamesOverlap('*.example.com', 'a.example.com')).toBe(true);
    expect(hostnamesOverlap('a.example.com', 'b.example.com')).toBe(false);
  });
});
