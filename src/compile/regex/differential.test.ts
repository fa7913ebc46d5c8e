/**
 * Differential tests: random patterns and inputs, Wasm VM == TypeScript
 * reference, and (where JavaScript and RE2 semantics coincide) both ==
 * JavaScript RegExp full match as a third witness. RegExp is used here only
 * as a test oracle; it never routes.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceRegexMatch, referenceRegexMatchBytes } from '../../reference/regex.js';
import { type RegexNode, parseRegex } from './parse.js';
import { compileRegex } from './program.js';
import { type RegexVm, loadRegexVm } from './testing.js';

let vm: RegexVm;
beforeAll(async () => {
  vm = await loadRegexVm();
});

// ---- pattern generators -------------------------------------------------

/** Pieces whose meaning is the same in RE2 and in JavaScript with the `u` flag. */
const COMMON = {
  literals: ['a', 'b', 'c', 'é', '😀', 'k', '_', '\\n', '\\.', '1'],
  classes: [
    '.', '[ab]', '[^a]', '[a-c]', '[^b-c]', '[é😀]', '[^é\\n]', '\\d', '\\w', '\\W', '\\s', '\\S',
    '[a\\d]', '[^\\w]', '[😀-😂]', '[_k]', '[\\s\\d]', '[^\\s]',
  ],
  assertions: ['^', '$', '\\b', '\\B'],
  quantifiers: ['*', '+', '?', '{2}', '{0,2}', '{1,}', '{1,3}', '{0}', '*?', '+?', '??', '{0,1}?'],
  groups: ['(', '(?:', '(?<n>'],
};

/** RE2-only syntax on top of COMMON (VM vs reference only). */
const EXTENDED = {
  literals: [...COMMON.literals, '\\x{e9}', '\\141', '\\Qa.\\E', '\\x{FFFD}', '�', '\\t', '\\-'],
  classes: [
    ...COMMON.classes, '[[:alpha:]]', '[[:^space:]]', '[^[:digit:]a]', '[\\x{80}-\\x{10FFFF}]',
    '[^\\x00-\\x{10FFFF}]', '(?s:.)', '[a-b-]', '[]a]',
  ],
  assertions: [...COMMON.assertions, '\\A', '\\z', '^*', '$?', '\\b+', '(?m:^)', '(?m:$)'],
  quantifiers: [...COMMON.quantifiers, '{2,5}', '{3}', '{0,}', '{2,}?'],
  groups: [...COMMON.groups, '(?i:', '(?-i:', '(?s:', '(?m:', '(?P<p>'],
};

type Syntax = typeof COMMON;

function patternArbitrary(syntax: Syntax): fc.Arbitrary<string> {
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
function uniqueNames(pattern: string): string {
  let n = 0;
  return pattern.replace(/\(\?(P?)<([a-z])>/g, (_m, p: string, name: string) => `(?${p}<${name}${n++}>`);
}

// ---- inputs -------------------------------------------------------------

const ALPHABET = ['a', 'b', 'c', 'é', '😀', '😁', 'k', 'K', '\u212a', '\n', '_', ' ', '1', 'A'];

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

const choicesArb = fc.array(fc.nat(1000), { minLength: 16, maxLength: 16 });
const randomInputArb = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((a) => a.join(''));
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

function inputsFor(pattern: string, choices: number[][], randoms: string[]): string[] {
  const ast = parseRegex(pattern);
  const a = sampleMatching(ast, choices[0]);
  const b = sampleMatching(ast, choices[1]);
  return [a, b, mutate(a, choices[2][0], randoms[0].slice(0, 1) || 'a'), randoms[0], randoms[1]];
}

function jsFullMatch(body: string, flags: { i: boolean; m: boolean; s: boolean }, input: string): boolean {
  const f = (flags.i ? 'i' : '') + (flags.s ? 's' : '');
  // With `m`, ^ and $ would also match at line breaks; anchor with sticky + "no next char" instead.
  const re = flags.m ? new RegExp(`(?:${body})(?![^])`, `uy${f}m`) : new RegExp(`^(?:${body})$`, `u${f}`);
  return re.test(input);
}

// ---- properties ---------------------------------------------------------

const RUNS_COMMON = 4000;
const RUNS_EXTENDED = 2000;
const INPUTS_PER_PATTERN = 5;

describe('differential', () => {
  it(`VM == reference == JavaScript RegExp on ${RUNS_COMMON * INPUTS_PER_PATTERN} common-syntax cases`, () => {
    const stats = { cases: 0, matched: 0, jsCompared: 0 };
    const flagsArb = fc.record({
      i: fc.boolean(),
      m: fc.constantFrom(false, false, false, true),
      s: fc.constantFrom(false, false, false, true),
    });
    fc.assert(
      fc.property(
        patternArbitrary(COMMON),
        flagsArb,
        fc.tuple(choicesArb, choicesArb, choicesArb),
        fc.tuple(randomInputArb, randomInputArb),
        (rawBody, flags, choices, randoms) => {
          const body = uniqueNames(rawBody);
          const letters = (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : '');
          const pattern = (letters ? `(?${letters})` : '') + body;
          const compiled = compileRegex(pattern);
          if (!compiled.ok) throw new Error(`generated pattern rejected: ${pattern}: ${compiled.error}`);
          // JavaScript's \b under /iu counts ſ and K (U+212A) as word characters; RE2's \b is ASCII.
          const foldedBoundary = flags.i && /\\[bB]/.test(body);
          for (const input of inputsFor(pattern, choices, randoms)) {
            const got = vm.match(compiled.program, input);
            const want = referenceRegexMatch(pattern, input);
            if (got !== want) {
              throw new Error(`VM ${got} != reference ${want} for ${JSON.stringify(pattern)} on ${JSON.stringify(input)}`);
            }
            if (!(foldedBoundary && /[\u017f\u212a]/u.test(input))) {
              const js = jsFullMatch(body, flags, input);
              if (js !== want) {
                throw new Error(`RegExp ${js} != reference ${want} for ${JSON.stringify(pattern)} on ${JSON.stringify(input)}`);
              }
              stats.jsCompared++;
            }
            stats.cases++;
            if (got) stats.matched++;
          }
        },
      ),
      { numRuns: RUNS_COMMON, seed: 20240601 },
    );
    console.log(`common syntax: ${stats.cases} cases, ${stats.matched} matches, ${stats.jsCompared} also checked against RegExp`);
    expect(stats.cases).toBeGreaterThanOrEqual(20_000);
    // The input sampler must produce a useful share of matches, not only misses.
    expect(stats.matched / stats.cases).toBeGreaterThan(0.2);
    expect(stats.jsCompared / stats.cases).toBeGreaterThan(0.8);
  });

  it(`VM == reference on ${RUNS_EXTENDED * INPUTS_PER_PATTERN} RE2-syntax cases with invalid UTF-8`, () => {
    const encoder = new TextEncoder();
    const INVALID = [
      [0xff], [0x80], [0xe2, 0x82], [0xc3], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80],
      [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80],
    ];
    const stats = { cases: 0, matched: 0 };
    fc.assert(
      fc.property(
        patternArbitrary(EXTENDED),
        fc.constantFrom('', '', '(?i)', '(?m)', '(?s)', '(?ims)'),
        fc.tuple(choicesArb, choicesArb, choicesArb),
        fc.tuple(randomInputArb, randomInputArb),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVALID)), { maxLength: 2 }),
        (rawBody, prefix, choices, randoms, corruptions) => {
          const pattern = prefix + uniqueNames(rawBody);
          const compiled = compileRegex(pattern);
          if (!compiled.ok) throw new Error(`generated pattern rejected: ${pattern}: ${compiled.error}`);
          for (const text of inputsFor(pattern, choices, randoms)) {
            let bytes = Array.from(encoder.encode(text));
            for (const [at, bad] of corruptions) {
              const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
              bytes = [...bytes.slice(0, i), ...bad, ...bytes.slice(i)];
            }
            const input = Uint8Array.from(bytes);
            const got = vm.match(compiled.program, input);
            const want = referenceRegexMatchBytes(pattern, input);
            if (got !== want) {
              throw new Error(`VM ${got} != reference ${want} for ${JSON.stringify(pattern)} on bytes [${bytes.join(',')}]`);
            }
            stats.cases++;
            if (got) stats.matched++;
          }
        },
      ),
      { numRuns: RUNS_EXTENDED, seed: 20240602 },
    );
    console.log(`RE2 syntax: ${stats.cases} cases, ${stats.matched} matches`);
    expect(stats.cases).toBeGreaterThanOrEqual(10_000);
    expect(stats.matched / stats.cases).toBeGreaterThan(0.05);
  });
});
