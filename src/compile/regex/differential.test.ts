/**
 * Differential tests: random patterns and inputs, Wasm engine (the lazy DFA
 * the core runs, and the Pike VM alone) == TypeScript reference, and (where
 * JavaScript and RE2 semantics coincide) all == JavaScript RegExp full match
 * as a further witness. RegExp is used here only as a test oracle; it never
 * routes.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceRegexMatch, referenceRegexMatchBytes } from '../../reference/regex.js';
import {
  COMMON, choicesArb, corrupt, extendedCaseArb, inputsFor, patternArbitrary, randomInputArb, uniqueNames,
} from './arbitrary.js';
import { compileRegex } from './program.js';
import { type RegexVm, loadRegexVm } from './testing.js';

let vm: RegexVm;
beforeAll(async () => {
  vm = await loadRegexVm();
});

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
  it(`DFA == Pike VM == reference == JavaScript RegExp on ${RUNS_COMMON * INPUTS_PER_PATTERN} common-syntax cases`, () => {
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
            const pike = vm.matchPike(compiled.program, input);
            const want = referenceRegexMatch(pattern, input);
            if (got !== want || pike !== want) {
              throw new Error(`DFA ${got}, Pike VM ${pike} != reference ${want} for ${JSON.stringify(pattern)} on ${JSON.stringify(input)}`);
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

  it(`DFA == Pike VM == reference on ${RUNS_EXTENDED * INPUTS_PER_PATTERN} RE2-syntax cases with invalid UTF-8`, () => {
    const stats = { cases: 0, matched: 0 };
    fc.assert(
      fc.property(extendedCaseArb, ({ pattern, choices, randoms, corruptions }) => {
        const compiled = compileRegex(pattern);
        if (!compiled.ok) throw new Error(`generated pattern rejected: ${pattern}: ${compiled.error}`);
        for (const text of inputsFor(pattern, choices, randoms)) {
          const input = corrupt(text, corruptions);
          const got = vm.match(compiled.program, input);
          const pike = vm.matchPike(compiled.program, input);
          const want = referenceRegexMatchBytes(pattern, input);
          if (got !== want || pike !== want) {
            throw new Error(`DFA ${got}, Pike VM ${pike} != reference ${want} for ${JSON.stringify(pattern)} on bytes [${input.join(',')}]`);
          }
          stats.cases++;
          if (got) stats.matched++;
        }
      }),
      { numRuns: RUNS_EXTENDED, seed: 20240602 },
    );
    console.log(`RE2 syntax: ${stats.cases} cases, ${stats.matched} matches`);
    expect(stats.cases).toBeGreaterThanOrEqual(10_000);
    expect(stats.matched / stats.cases).toBeGreaterThan(0.05);
  });
});
