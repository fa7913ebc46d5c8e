import { describe, expect, it } from 'vitest';
import { ALL, ALL_BUT_NEWLINE, PERL_CLASSES, complement } from './charset.js';
import { MAX_NESTING, RegexSyntaxError, parseRegex } from './parse.js';
import { compileRegex } from './program.js';

const cp = (s: string): number => s.codePointAt(0)!;

describe('parseRegex: AST', () => {
  it('resolves literals, classes and flags to code points and sets', () => {
    expect(parseRegex('a')).toEqual({ type: 'literal', cp: 0x61 });
    expect(parseRegex('😀')).toEqual({ type: 'literal', cp: 0x1f600 });
    expect(parseRegex('\\x{1F600}')).toEqual({ type: 'literal', cp: 0x1f600 });
    expect(parseRegex('[^a]')).toEqual({ type: 'class', ranges: [[0, 0x60], [0x62, 0x10ffff]] });
    expect(parseRegex('[c-ea]')).toEqual({ type: 'class', ranges: [[0x61, 0x61], [0x63, 0x65]] });
    expect(parseRegex('.')).toEqual({ type: 'class', ranges: ALL_BUT_NEWLINE });
    expect(parseRegex('(?s).')).toEqual({ type: 'class', ranges: ALL });
    expect(parseRegex('\\D')).toEqual({ type: 'class', ranges: complement(PERL_CLASSES.d) });
    expect(parseRegex('(?i)k')).toEqual({ type: 'class', ranges: [[0x4b, 0x4b], [0x6b, 0x6b], [0x212a, 0x212a]] });
    expect(parseRegex('(?i)1')).toEqual({ type: 'literal', cp: 0x31 });
    expect(parseRegex('[[:^alpha:][:digit:]]')).toEqual(parseRegex('[^A-Za-z]'));
  });

  it('drops captures and laziness, keeps counts', () => {
    expect(parseRegex('(?P<x>a)')).toEqual({ type: 'literal', cp: 0x61 });
    expect(parseRegex('(?:a)*?')).toEqual({ type: 'repeat', item: { type: 'literal', cp: 0x61 }, min: 0, max: -1 });
    expect(parseRegex('a{2,}')).toMatchObject({ type: 'repeat', min: 2, max: -1 });
    expect(parseRegex('a{2}')).toMatchObject({ type: 'repeat', min: 2, max: 2 });
    expect(parseRegex('a{0,3}?')).toMatchObject({ type: 'repeat', min: 0, max: 3 });
  });

  it('keeps flags scoped to their group and applies (?flags) across |', () => {
    const folded = { type: 'class', ranges: [[cp('B'), cp('B')], [cp('b'), cp('b')]] };
    expect(parseRegex('(a(?i)b)b')).toEqual({
      type: 'concat',
      items: [{ type: 'concat', items: [{ type: 'literal', cp: cp('a') }, folded] }, { type: 'literal', cp: cp('b') }],
    });
    expect(parseRegex('a(?i)|b')).toEqual({ type: 'alternate', items: [{ type: 'literal', cp: cp('a') }, folded] });
    expect(parseRegex('(?m)^$')).toEqual({
      type: 'concat',
      items: [{ type: 'assert', kind: 'beginLine' }, { type: 'assert', kind: 'endLine' }],
    });
    expect(parseRegex('(?m-m)^')).toEqual({ type: 'assert', kind: 'beginText' });
  });

  it('treats \\Q...\\E as literals and repeats only the last one', () => {
    expect(parseRegex('\\Qa*\\E+')).toEqual({
      type: 'concat',
      items: [
        { type: 'literal', cp: cp('a') },
        { type: 'repeat', item: { type: 'literal', cp: cp('*') }, min: 1, max: -1 },
      ],
    });
  });

  it('treats a { that does not start a repetition as a literal, as RE2', () => {
    for (const p of ['a{', 'a{,3}', 'a{x}', '{', 'a{1,2', '{}']) {
      const ast = parseRegex(p);
      const literals = ast.type === 'concat' ? ast.items : [ast];
      expect(literals.every((n) => n.type === 'literal'), p).toBe(true);
      expect(literals.map((n) => (n.type === 'literal' ? String.fromCodePoint(n.cp) : '')).join(''), p).toBe(p);
    }
  });

  it('parses octal escapes as RE2 does', () => {
    expect(parseRegex('\\0')).toEqual({ type: 'literal', cp: 0 });
    expect(parseRegex('\\07')).toEqual({ type: 'literal', cp: 7 });
    expect(parseRegex('\\101')).toEqual({ type: 'literal', cp: 0x41 });
    expect(parseRegex('\\12')).toEqual({ type: 'literal', cp: 0o12 });
  });
});

describe('compileRegex: accepted patterns', () => {
  const ACCEPTED = [
    '', 'a', 'abc', '(?:)', '()', 'a|', '|a', '(|a)', 'a{0}', 'a{1000}', 'a{0,1000}', 'a{2,}', 'a*?', 'a+?', 'a??',
    'a{2}?', '[a-z0-9_]', '[^\\n]', '[]a]', '[^]a]', '[a-]', '[-a]', '[a-b-c]', '[\\-\\]]', '[[]', '[[:alpha:]]',
    '[[:^space:]x]', '\\d\\w\\s\\D\\W\\S', '[\\d\\W]', '^$', '\\A\\z', '\\b\\B', '^*', '\\b+', '(?i)abc',
    '(?i:a)b', '(?i-s:a)', '(?s).', '(?m)^a$', '(?U)a*', '(?imsU)', '(?P<name>a)(?<other_1>b)', '\\.\\/\\\\\\t\\n\\r\\f\\v',
    '\\x41\\x{1F600}', '\\101\\0', '\\Qa(b\\E', '\\Q', '/api/v[0-9]+/.*', '(?i)[à-ÿ]+', '[α-ω]', '[\\x{10000}-\\x{10FFFF}]',
    '((((((((((a))))))))))', '(a*)*', '(a|b|c|d|e|f)+', '{', 'a{', 'a{,5}', '}', ']', '\\ ', '\\#', '\\%',
  ];
  it.each(ACCEPTED)('accepts %j', (pattern) => {
    const r = compileRegex(pattern);
    expect(r.ok ? 'ok' : r.error).toBe('ok');
  });

  it(`accepts ${MAX_NESTING} nested groups and rejects one more`, () => {
    expect(compileRegex('('.repeat(MAX_NESTING) + 'a' + ')'.repeat(MAX_NESTING)).ok).toBe(true);
    expect(compileRegex('('.repeat(MAX_NESTING + 1) + 'a' + ')'.repeat(MAX_NESTING + 1))).toEqual({
      ok: false,
      error: `groups nested more than ${MAX_NESTING} deep at offset ${MAX_NESTING}`,
      offset: MAX_NESTING,
    });
  });
});

describe('compileRegex: rejected patterns', () => {
  // [pattern, message without the " at offset N" suffix, offset]
  const REJECTED: [string, string, number][] = [
    // unsupported features
    ['\\1', 'backreference \\1 is not supported', 0],
    ['a(b)\\1', 'backreference \\1 is not supported', 4],
    ['\\9', 'backreference \\9 is not supported', 0],
    ['\\k<n>', 'backreference \\k is not supported', 0],
    ['(?P<n>a)(?P=n)', 'backreference (?P=name) is not supported', 8],
    ['(?=a)', 'lookahead assertion (?= is not supported', 0],
    ['x(?!a)', 'lookahead assertion (?! is not supported', 1],
    ['(?<=a)b', 'lookbehind assertion (?<= is not supported', 0],
    ['(?<!a)b', 'lookbehind assertion (?<! is not supported', 0],
    ['(?>a+)', 'atomic group (?> is not supported', 0],
    ['a*+', 'possessive quantifier *+ is not supported', 1],
    ['a++', 'possessive quantifier ++ is not supported', 1],
    ['a?+', 'possessive quantifier ?+ is not supported', 1],
    ['a{2}+', 'possessive quantifier {2}+ is not supported', 1],
    ['(?R)', 'recursion and subroutine calls are not supported', 0],
    ['(?1)', 'recursion and subroutine calls are not supported', 0],
    ['(?P>n)', 'recursion and subroutine calls are not supported', 0],
    ['(?#note)', 'comment group (?# is not supported', 0],
    ['\\p{L}', 'Unicode character class \\p is not supported', 0],
    ['[\\PL]', 'Unicode character class \\P is not supported', 1],
    ['\\C', '\\C (any byte) is not supported', 0],
    ['a\\Z', '\\Z is not supported (use \\z for end of text)', 1],
    // repetition
    ['a**', 'invalid nested repetition operator ** (put the repeated part in a group)', 1],
    ['a{2}{3}', 'invalid nested repetition operator {2}{3} (put the repeated part in a group)', 1],
    ['a*?+', 'invalid nested repetition operator *?+ (put the repeated part in a group)', 1],
    ['a*??', 'invalid nested repetition operator *?? (put the repeated part in a group)', 1],
    ['*', 'missing argument to repetition operator *', 0],
    ['+a', 'missing argument to repetition operator +', 0],
    ['a|?', 'missing argument to repetition operator ?', 2],
    ['(*)', 'missing argument to repetition operator *', 1],
    ['(?i)*', 'missing argument to repetition operator *', 4],
    ['{2}', 'missing argument to repetition operator {2}', 0],
    ['a{1001}', 'repetition count in {1001} exceeds the limit of 1000', 1],
    ['a{2,1001}', 'repetition count in {2,1001} exceeds the limit of 1000', 1],
    ['a{3,2}', 'invalid repetition range {3,2} (minimum greater than maximum)', 1],
    // groups
    ['(', 'missing ) for group opened', 0],
    ['a(b(c)', 'missing ) for group opened', 1],
    ['(?i', 'missing ) for group opened', 0],
    ['a)', 'unexpected ) with no group to close', 1],
    ['())', 'unexpected ) with no group to close', 2],
    ['(?<a>x)(?<a>y)', 'duplicate group name <a>', 7],
    ['(?P<>x)', 'invalid group name <> (use letters, digits and _)', 0],
    ['(?P<a-b>x)', 'invalid group name <a-b> (use letters, digits and _)', 0],
    ['(?P<a', 'unterminated group name', 0],
    ['(?z)', 'invalid or unsupported group syntax (?z', 0],
    ['(?)', 'missing flags in (?)', 0],
    ['(?i-)', 'invalid group flags (- must be followed by a flag)', 0],
    ['(?--i)', 'invalid group flags (repeated -)', 0],
    // classes
    ['[a', 'missing ] for character class opened', 0],
    ['x[]', 'missing ] for character class opened', 1],
    ['[^]', 'missing ] for character class opened', 0],
    ['[z-a]', 'invalid character class range z-a (z > a)', 1],
    ['[ab-\\x{20}]', 'invalid character class range b-\\x{20} (b > \\x{20})', 2],
    ['[a-\\d]', 'invalid character class range a-\\d (a class cannot end a range)', 1],
    ['[[:foo:]]', 'unknown POSIX class [:foo:]', 1],
    ['[\\b]', '\\b (word boundary) is not allowed in a character class', 1],
    ['[\\8]', 'invalid escape sequence \\8', 1],
    // escapes
    ['\\', 'trailing backslash at end of pattern', 0],
    ['[a\\', 'trailing backslash at end of pattern', 2],
    ['\\xZ', 'invalid escape \\x: expected two hex digits or {hex}', 0],
    ['\\x{}', 'invalid escape \\x{...}: expected hex digits and }', 0],
    ['\\x{12', 'invalid escape \\x{...}: expected hex digits and }', 0],
    ['\\x{110000}', 'escape \\x{...} is beyond the last code point U+10FFFF', 0],
    ['\\E', '\\E without a preceding \\Q', 0],
    ['\\G', 'invalid escape sequence \\G', 0],
    ['\\é', 'invalid escape sequence \\é', 0],
    ['x\ud800', 'invalid UTF-16 (unpaired surrogate) in pattern', 1],
  ];
  it.each(REJECTED)('rejects %j: %s at offset %d', (pattern, message, offset) => {
    expect(compileRegex(pattern)).toEqual({ ok: false, error: `${message} at offset ${offset}`, offset });
    expect(() => parseRegex(pattern)).toThrow(RegexSyntaxError);
  });
});
