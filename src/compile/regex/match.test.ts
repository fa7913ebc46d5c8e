/**
 * One case suite run against every matcher: the Wasm engine on bytecode from
 * compileRegex (its lazy DFA, as the core runs it, and its Pike VM alone) and
 * the TypeScript reference (derivatives over the AST).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceRegexMatch, referenceRegexMatchBytes } from '../../reference/regex.js';
import { compileRegex } from './program.js';
import { type RegexVm, loadRegexVm } from './testing.js';

interface Matcher {
  matchString(pattern: string, input: string): boolean;
  matchBytes(pattern: string, input: Uint8Array): boolean;
}

let vm: RegexVm;
beforeAll(async () => {
  vm = await loadRegexVm();
});

function compiled(pattern: string): Uint8Array {
  const r = compileRegex(pattern);
  if (!r.ok) throw new Error(r.error);
  return r.program;
}

const matchers: Record<string, Matcher> = {
  'wasm dfa': {
    matchString: (p, s) => vm.match(compiled(p), s),
    matchBytes: (p, b) => vm.match(compiled(p), b),
  },
  'wasm pike vm': {
    matchString: (p, s) => vm.matchPike(compiled(p), s),
    matchBytes: (p, b) => vm.matchPike(compiled(p), b),
  },
  reference: {
    matchString: referenceRegexMatch,
    matchBytes: referenceRegexMatchBytes,
  },
};

// [pattern, input, expected]
const STRING_CASES: [string, string, boolean][] = [
  // full match, not search
  ['abc', 'abc', true],
  ['abc', 'abcd', false],
  ['abc', 'xabc', false],
  ['', '', true],
  ['', 'a', false],
  ['a|b', 'b', true],
  ['a|b', 'ab', false],
  ['ab|cd', 'abd', false],
  ['(a|b)*', 'abba', true],
  ['(a|b)*', 'abca', false],
  // quantifiers
  ['a{3}', 'aaa', true],
  ['a{3}', 'aa', false],
  ['a{2,}', 'aaaaa', true],
  ['a{2,}', 'a', false],
  ['a{2,3}', 'aaaa', false],
  ['a{0}', '', true],
  ['a{0}b', 'b', true],
  ['a{0,0}b', 'ab', false],
  ['a*?', 'aaa', true],
  ['a+?b', 'aab', true],
  ['a??b', 'b', true],
  ['a{1,2}?b', 'aab', true],
  ['(ab)+', 'ababab', true],
  ['(ab)+', 'aba', false],
  ['(a{2}){2}', 'aaaa', true],
  ['(a{2}){2}', 'aaa', false],
  ['(a|b){3,5}', 'ababa', true],
  ['(a|b){3,5}', 'ababab', false],
  ['a{,2}', 'a{,2}', true],
  ['a{', 'a{', true],
  ['a{1000}', 'a'.repeat(1000), true],
  ['a{1000}', 'a'.repeat(999), false],
  // dot
  ['.', '\n', false],
  ['(?s).', '\n', true],
  ['(?s:.)\\n.', '\n\nx', true],
  ['.', 'é', true],
  ['.', '😀', true],
  ['..', '😀', false],
  ['.', '\r', true],
  // classes
  ['[a-c]+', 'abcabc', true],
  ['[^a-c]', 'd', true],
  ['[^a-c]', 'b', false],
  ['[^a-c]', '\n', true],
  ['[]a]+', ']a]', true],
  ['[^]a]', ']', false],
  ['[a-]+', 'a-a', true],
  ['[a-b-c]+', 'a-c', true],
  ['[\\d_]+', '12_3', true],
  ['[\\[\\]]+', '[]', true],
  ['[.]', 'x', false],
  ['\\d+', '0123456789', true],
  ['\\d', '١', false],
  ['\\w+', 'hello_World9', true],
  ['\\w+', 'héllo', false],
  ['\\W', 'é', true],
  ['\\s+', ' \t\n\r\f', true],
  ['\\s', '\v', false],
  ['\\s', '\u00a0', false],
  ['\\S', 'x', true],
  ['\\D\\W\\S', 'a!b', true],
  ['[[:alpha:]]+', 'abcXYZ', true],
  ['[[:alpha:]]', '1', false],
  ['[[:^digit:]]+', 'abc', true],
  ['[[:^digit:]]', '1', false],
  ['[[:xdigit:][:space:]]+', 'Fa 09', true],
  ['[[:punct:]]+', '!/:@[`{~', true],
  ['[\\x{4e00}-\\x{9fff}]+', '漢字', true],
  ['[α-ω]+', 'αβγω', true],
  ['[α-ω]', 'Α', false],
  ['[^α-ω]', 'a', true],
  ['[😀-😂]', '😁', true],
  ['[😀-😂]', '😃', false],
  ['[^\\x00-\\x{10FFFF}]', 'a', false],
  ['[^\\x00-\\x{10FFFF}]*', '', true],
  // case folding (simple Unicode folding)
  ['(?i)abc', 'AbC', true],
  ['(?i)k', '\u212a', true],
  ['(?i)\u212a', 'k', true],
  ['(?i)s', 'ſ', true],
  ['(?i)straße', 'STRASSE', false],
  ['(?i)σ', 'ς', true],
  ['(?i)Σ', 'ς', true],
  ['(?i)é', 'É', true],
  ['(?i)ǅ', 'ǆ', true],
  ['(?i)i', 'ı', false],
  ['(?i)[a-c]+', 'ABC', true],
  ['(?i)[^k]', '\u212a', false],
  ['(?i)[^k]', 'j', true],
  ['(?i)\\w', 'ſ', true],
  ['(?i)\\W', 'ſ', false],
  ['(?i)[[:upper:]]+', 'abc', true],
  ['a(?i)b', 'aB', true],
  ['a(?i)b', 'AB', false],
  ['a(?i)b|c', 'C', true],
  ['(?i:a)b', 'Ab', true],
  ['(?i:a)b', 'AB', false],
  ['(?i)a(?-i)b', 'Ab', true],
  ['(?i)a(?-i)b', 'AB', false],
  ['(?i)(a)b', 'AB', true],
  ['(a(?i)b)c', 'aBc', true],
  ['(a(?i)b)c', 'aBC', false],
  ['(?U)a+', 'aaa', true],
  // anchors
  ['^abc$', 'abc', true],
  ['a^b', 'ab', false],
  ['a$b', 'ab', false],
  ['\\Aabc\\z', 'abc', true],
  ['(?m)^b', 'b', true],
  ['(?m)a\\n^b$', 'a\nb', true],
  ['a\\n^b', 'a\nb', false],
  ['(?m)a$\\nb', 'a\nb', true],
  ['a$\\nb', 'a\nb', false],
  ['(?m)a\\A', 'a', false],
  ['(?m).*$\\n^.*', 'ab\ncd', true],
  ['^*a', 'a', true],
  ['$*a', 'a', true],
  // word boundaries (ASCII word characters)
  ['\\bfoo\\b', 'foo', true],
  ['a\\bb', 'ab', false],
  ['a\\Bb', 'ab', true],
  ['a\\b b', 'a b', true],
  ['a\\B b', 'a b', false],
  ['é\\b', 'é', false],
  ['é\\B', 'é', true],
  ['\\b', '', false],
  ['\\B', '', true],
  ['.*\\bend', 'the end', true],
  ['.*\\bend', 'theend', false],
  // escapes
  ['\\.', '.', true],
  ['\\.', 'a', false],
  ['\\/api\\/v1', '/api/v1', true],
  ['\\t\\n\\r\\f\\v\\a', '\t\n\r\f\v\x07', true],
  ['\\x41\\x{1F600}', 'A😀', true],
  ['\\x{0041}', 'A', true],
  ['\\101', 'A', true],
  ['\\0', '\0', true],
  ['\\012', '\n', true],
  ['\\Qa.b*\\E', 'a.b*', true],
  ['\\Qa.b*\\E', 'aab', false],
  ['\\Qab\\E+', 'abbb', true],
  ['\\Qab\\E+', 'abab', false],
  ['\\Qa', 'a', true],
  ['\\Q\\Ex', 'x', true],
  ['\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\', '*+?()[]{}|^$\\', true],
  ['\\-\\ \\#\\!', '- #!', true],
  // empty-width loops
  ['(a*)*', '', true],
  ['(a*)*', 'aaa', true],
  ['(a*)+b', 'b', true],
  ['(a?)*?c', 'aac', true],
  ['(|a)+', 'aa', true],
  ['(\\b)*a', 'a', true],
  ['(?:a*|b)*', 'abab', true],
  ['(?:$|a)*', 'aa', true],
  ['(?:^|a)+b', 'aab', true],
  ['(?:a|$)+b', 'ab', true],
  ['(?:a|$)+b', 'b', false],
  // counted repetition of bodies whose emptiness depends on the position
  ['(?:a|\\b){3}', 'a', true],
  ['(?:\\b|a){2}b', 'ab', true],
  ['(?:\\b|a){2}', '', false],
  ['(?:\\B|a){2}b', 'ab', true],
  ['(?:\\B|a){2}b', 'b', false],
  ['(?:^|a){2,3}', 'aaa', true],
  ['(?:^|a){2,3}', 'aaaa', false],
  ['(?:$|a){2}', 'a', true],
  ['(?:$|a){3}', 'a', true],
  ['(?:$|a){2}', 'aa', true],
  ['(?:$|a){2}', 'aaa', false],
  ['(?:a?){3}a{3}', 'aaa', true],
  ['(?:a?){3}a{3}', 'aaaaaaa', false],
  // groups
  ['(?P<year>\\d{4})-(?<month>\\d{2})', '2024-06', true],
  ['(?:ab)?c', 'c', true],
  ['()', '', true],
  ['(|)', '', true],
  ['((((a))))', 'a', true],
  // Gateway API shaped patterns
  ['/api/v[0-9]+/users/[^/]+', '/api/v2/users/42', true],
  ['/api/v[0-9]+/users/[^/]+', '/api/v2/users/42/x', false],
  ['/api/v[0-9]+/users/[^/]+', '/api/v2/users/', false],
  ['.*\\.(png|jpe?g)', '/img/a.jpeg', true],
  ['.*\\.(png|jpe?g)', '/img/a.gif', false],
  ['[a-z]+\\.example\\.com', 'Foo.example.com', false],
  ['(?i)[a-z]+\\.example\\.com', 'Foo.example.com', true],
  ['foo\\.bar\\.v1\\.Svc', 'foo.bar.v1.Svc', true],
  ['foo\\.bar\\.v1\\.Svc', 'fooXbar.v1.Svc', false],
  ['Get.*', 'GetUser', true],
  ['Get.*', 'ListUsers', false],
  ['(en|fr)(-[A-Z]{2})?', 'fr-CA', true],
  ['(en|fr)(-[A-Z]{2})?', 'de', false],
  ['/café/[ü]ber', '/café/über', true],
];

const u8 = (...b: number[]): Uint8Array => Uint8Array.from(b);

// [pattern, bytes, expected]: invalid UTF-8 reads as U+FFFD per byte.
const BYTE_CASES: [string, Uint8Array, boolean][] = [
  ['.', u8(0xff), true],
  ['\\x{FFFD}', u8(0xff), true],
  ['�', u8(0xfe), true],
  ['[^a]', u8(0x80), true],
  ['a.b', u8(0x61, 0xff, 0x62), true],
  ['..', u8(0xe2, 0x82), true], // truncated 3-byte sequence: two bytes, two U+FFFD
  ['.', u8(0xe2, 0x82), false],
  ['.', u8(0xe2, 0x82, 0xac), true], // €
  ['€', u8(0xe2, 0x82, 0xac), true],
  ['..a', u8(0xe2, 0x82, 0x61), true],
  ['...', u8(0xc0, 0x80, 0x41), true], // overlong lead bytes are invalid
  ['.', u8(0xc3, 0xa9), true], // é
  ['...', u8(0xed, 0xa0, 0x80), true], // UTF-8-encoded surrogate: 3 invalid bytes
  ['.', u8(0xed, 0xa0, 0x80), false],
  ['.{4}', u8(0xf4, 0x90, 0x80, 0x80), true], // above U+10FFFF
  ['.{4}', u8(0xf0, 0x80, 0x80, 0x80), true], // overlong 4-byte
  ['...', u8(0xe0, 0x80, 0xaf), true], // overlong 3-byte
  ['.', u8(0xe0, 0xa0, 0x80), true], // U+0800, the first 3-byte code point
  ['\\x{800}', u8(0xe0, 0xa0, 0x80), true],
  ['.', u8(0xef, 0xbf, 0xbf), true], // U+FFFF
  ['.', u8(0xed, 0x9f, 0xbf), true], // U+D7FF, just below the surrogates
  ['.', u8(0xee, 0x80, 0x80), true], // U+E000, just above
  ['.', u8(0xf0, 0x90, 0x80, 0x80), true], // U+10000
  ['....', u8(0xf0, 0x8f, 0xbf, 0xbf), true], // overlong 4-byte
  ['....', u8(0xf5, 0x80, 0x80, 0x80), true], // lead byte beyond F4
  ['..', u8(0xc1, 0xbf), true], // overlong 2-byte
  ['.', u8(0xc2, 0x80), true], // U+0080
  ['.', u8(0xdf, 0xbf), true], // U+07FF
  ['.', u8(0xf0, 0x9f, 0x98, 0x80), true], // 😀
  ['\\x{10FFFF}', u8(0xf4, 0x8f, 0xbf, 0xbf), true],
  ['.', u8(0xf0, 0x9f, 0x98), false],
  ['...', u8(0xf0, 0x9f, 0x98), true],
  ['\\w', u8(0xb5), false],
  ['a\\b.', u8(0x61, 0xb5), true],
  ['\\x{FFFD}+', u8(0x80, 0x81, 0xbf, 0xf8, 0xfc), true],
];

describe.each(Object.keys(matchers))('%s', (name) => {
  const m = (): Matcher => matchers[name];
  it.each(STRING_CASES)('%j on %j is %s', (pattern, input, expected) => {
    expect(m().matchString(pattern, input)).toBe(expected);
  });
  it.each(BYTE_CASES)('%j on bytes %o is %s', (pattern, input, expected) => {
    expect(m().matchBytes(pattern, input)).toBe(expected);
  });
  it('reads an unpaired surrogate in a string input as U+FFFD', () => {
    expect(m().matchString('\\x{FFFD}', '\ud800')).toBe(true);
    expect(m().matchString('a.b', 'a\udc00b')).toBe(true);
  });
});
