/**
 * Random regular expressions and inputs for the differential tests of the
 * regex engine (differential.test.ts: Pike VM and DFA vs the reference and
 * JavaScript RegExp; dfa.test.ts: DFA vs Pike VM vs reference under cache
 * pressure).
 */
import fc from 'fast-check';
import { type RegexNode, parseRegex } from './parse.js';

// ---- pattern generators -------------------------------------------------

/** Pieces whose meaning is the same in RE2 and in JavaScript with the `u` flag. */
export const COMMON = {
  literals: ['a', 'b', 'c', 'é', '😀', 'k', '_', '\\n', '\\.', '1'],
  classes: [
    '.', '[ab]', '[^a]', '[a-c]', '[^b-c]', '[é😀]', '[^é\\n]', '\\d', '\\w', '\\W', '\\s', '\\S',
    '[a\\d]', '[^\\w]', '[😀-😂]', '[_k]', '[\\s\\d]', '[^\\s]',
  ],
  assertions: ['^', '$', '\\b', '\\B'],
  quantifiers: ['*', '+', '?', '{2}', '{0,2}', '{1,}', '{1,3}', '{0}', '*?', '+?', '??', '{0,1}?'],
  groups: ['(', '(?:', '(?<n>'],
};

/** RE2-only syntax on top of COMMON (engine vs reference only). */
export const EXTENDED = {
  literals: [...COMMON.literals, '\\x{e9}', '\\141', '\\Qa.\\E', '\\x{FFFD}', '�', '\\t', '\\-'],
  classes: [
    ...COMMON.classes, '[[:alpha:]]', '[[:^space:]]', '[^[:digit:]a]', '[\\x{80}-\\x{10FFFF}]',
    '[^\\x00-\\x{10FFFF}]', '(?s:.)', '[a-b-]', '[]a]',
  ],
  assertions: [...COMMON.assertions, '\\A', '\\z', '^*', '$?', '\\b+', '(?m:^)', '(?m:$)'],
  quantifiers: [...COMMON.quantifiers, '{2,5}', '{3}', '{0,}', '{2,}?'],
  groups: [...COMMON.groups, '(?i:', '(?-i:', '(?s:', '(?m:', '(?P<p>'],
};

export type Syntax = typeof COMMON;

export function patternArbitrary(syntax: Syntax): fc.Arbitrary<string> {
  const { re } = fc.letrec<{ re: string; concat: string; piece: string; atom: string; group: string }>((tie) => ({
    re: fc.array(tie('concat'), { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|')),
    concat: fc.array(tie('piece'), { maxLength: 4 }).map((pieces) => pieces.join('')),
    piece: fc.oneof(
      { depthIdentifier: 'regex', withCrossShrink: true },
      fc.tuple(tie('atom'), fc.option(fc.constantFrom(...syntax.quantifiers), { freq: 2 })).map(
        ([atom, q]) => atom + (q ?? ''),
      ),
      fc.constantFrom(...syntax.assertions),
    ),
    atom: fc.oneof(
      { depthIdentifier: 'regex', maxDepth: 3 },
      fc.constantFrom(...syntax.literals),
      fc.constantFrom(...syntax.classes),
      tie('group'),
    ),
    group: fc
      .tuple(fc.constantFrom(...syntax.groups), tie('re'))
      // Named groups must have unique names: number them by position.
      .map(([open, body]) => `${open}${body})`),
  }));
  return re;
}

/** Gives duplicate group names (from nesting) distinct suffixes. */
export function uniqueNames(pattern: string): string {
  let n = 0;
  return pattern.replace(/\(\?(P?)<([a-z])>/g, (_m, p: string, name: string) => `(?${p}<${name}${n++}>`);
}

// ---- inputs -------------------------------------------------------------

export const ALPHABET = ['a', 'b', 'c', 'é', '😀', '😁', 'k', 'K', '\u212a', '\n', '_', ' ', '1', 'A'];

/**
 * A string the pattern is likely to match: walks the AST choosing
 * alternatives, repeat counts and class members from `choices`. Assertions
 * are ignored, so the result may still not match.
 */
function sampleMatching(node: RegexNode, choices: readonly number[]): string {
  let k = 0;
  const next = (bound: number): number => (bound <= 1 ? 0 : choices[k++ % choices.length] % bound);
  const walk = (n: RegexNode): string => {
    switch (n.type) {
      case 'empty':
      case 'assert':
        return '';
      case 'literal':
        return String.fromCodePoint(n.cp);
      case 'class': {
        const inClass = ALPHABET.filter((ch) => n.ranges.some(([lo, hi]) => lo <= ch.codePointAt(0)! && ch.codePointAt(0)! <= hi));
        if (inClass.length > 0) return inClass[next(inClass.length)];
        return n.ranges.length > 0 ? String.fromCodePoint(n.ranges[0][0]) : '';
      }
      case 'concat':
        return n.items.map(walk).join('');
      case 'alternate':
        return walk(n.items[next(n.items.length)]);
      case 'repeat': {
        const max = n.max === -1 ? n.min + 3 : n.max;
        const count = n.min + next(max - n.min + 1);
        let s = '';
        for (let i = 0; i < count && s.length < 40; i++) s += walk(n.item);
        return s;
      }
    }
  };
  return walk(node);
}

export const choicesArb = fc.array(fc.nat(1000), { minLength: 16, maxLength: 16 });
export const randomInputArb = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((a) => a.join(''));
/** Drops, duplicates or replaces one character. */
const mutate = (s: string, choice: number, replacement: string): string => {
  const chars = [...s];
  if (chars.length === 0) return replacement;
  const at = choice % chars.length;
  switch (choice % 3) {
    case 0:
      chars.splice(at, 1);
      break;
    case 1:
      chars.splice(at, 0, chars[at]);
      break;
    default:
      chars[at] = replacement;
  }
  return chars.join('');
};

export function inputsFor(pattern: string, choices: number[][], randoms: string[]): string[] {
  const ast = parseRegex(pattern);
  const a = sampleMatching(ast, choices[0]);
  const b = sampleMatching(ast, choices[1]);
  return [a, b, mutate(a, choices[2][0], randoms[0].slice(0, 1) || 'a'), randoms[0], randoms[1]];
}

/** Invalid UTF-8 sequences (each decodes to U+FFFD per byte, or per maximal prefix). */
export const INVALID_UTF8 = [
  [0xff], [0x80], [0xe2, 0x82], [0xc3], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80],
  [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80],
];

/** Up to two (position, invalid sequence) insertions. */
export const corruptionsArb = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), { maxLength: 2 });

const encoder = new TextEncoder();

/** `text` as UTF-8 with the invalid sequences inserted. */
export function corrupt(text: string, corruptions: readonly (readonly [number, readonly number[]])[]): Uint8Array {
  let bytes = Array.from(encoder.encode(text));
  for (const [at, bad] of corruptions) {
    const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
    bytes = [...bytes.slice(0, i), ...bad, ...bytes.slice(i)];
  }
  return Uint8Array.from(bytes);
}

/**
 * An RE2-syntax case: a pattern (with a random flag prefix), and the choices
 * for its inputs (inputsFor) and their invalid UTF-8 (corrupt).
 */
export const extendedCaseArb = fc.record({
  pattern: fc
    .tuple(fc.constantFrom('', '', '(?i)', '(?m)', '(?s)', '(?ims)'), patternArbitrary(EXTENDED))
    .map(([prefix, body]) => prefix + uniqueNames(body)),
  choices: fc.tuple(choicesArb, choicesArb, choicesArb),
  randoms: fc.tuple(randomInputArb, randomInputArb),
  corruptions: corruptionsArb,
});
