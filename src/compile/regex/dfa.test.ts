/**
 * The lazy DFA (assembly/regex-dfa.ts) against the Pike VM and the reference: random patterns
 * and inputs with a state arena so small that matches keep clearing it and fall back to the Pike
 * VM mid-input; patterns whose DFA has thousands of states; corrupted programs; and the caching
 * itself (a long input costs a handful of states, not one per byte).
 */
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { referenceRegexMatchBytes } from '../../reference/regex.js';
import { corrupt, extendedCaseArb, inputsFor } from './arbitrary.js';
import { HEADER_BYTES, compileRegex } from './program.js';
import { type RegexVm, loadRegexVm } from './testing.js';

let vm: RegexVm;
beforeAll(async () => {
  vm = await loadRegexVm();
});
afterEach(() => vm.exports.dfaReset(0));

function program(pattern: string): Uint8Array {
  const r = compileRegex(pattern);
  if (!r.ok) throw new Error(`${pattern}: ${r.error}`);
  return r.program;
}

/** State arenas from room for one small state to a few dozen. */
const SMALL_ARENAS = [160, 400, 1024, 4096];
const RUNS = 1500;

describe('lazy DFA', () => {
  it(`== Pike VM == reference on ${RUNS} random patterns × 5 inputs (and each repeated) with state arenas of ${SMALL_ARENAS.join(', ')} bytes`, () => {
    let cases = 0;
    let matched = 0;
    const totals: Record<string, number> = {};
    let arena = 0;
    const useArena = (bytes: number): void => {
      if (bytes === arena) return;
      for (const [name, value] of Object.entries(vm.stats())) totals[name] = (totals[name] ?? 0) + value;
      vm.exports.dfaReset(bytes);
      arena = bytes;
    };
    fc.assert(
      fc.property(
        extendedCaseArb,
        fc.integer({ min: 2, max: 40 }),
        fc.constantFrom(...SMALL_ARENAS),
        ({ pattern, choices, randoms, corruptions }, repeat, bytes) => {
          useArena(bytes);
          const p = program(pattern);
          for (const text of inputsFor(pattern, choices, randoms)) {
            // The sample, and the sample repeated: longer inputs visit more states.
            for (const input of [corrupt(text, corruptions), corrupt(text.repeat(repeat), corruptions)]) {
              const got = vm.match(p, input);
              const pike = vm.matchPike(p, input);
              const want = referenceRegexMatchBytes(pattern, input);
              if (got !== want || pike !== want) {
                throw new Error(`DFA ${got}, Pike VM ${pike}, reference ${want} for ${JSON.stringify(pattern)} on bytes [${input.join(',')}] (arena ${bytes})`);
              }
              cases++;
              if (got) matched++;
            }
          }
        },
      ),
      { numRuns: RUNS, seed: 20261122 },
    );
    useArena(0);
    console.log(`small arenas: ${cases} cases, ${matched} matches, DFA counters ${JSON.stringify(totals)}`);
    expect(cases).toBe(RUNS * 10);
    expect(matched / cases).toBeGreaterThan(0.05);
    // The arena was cleared mid-match, matches finished in the Pike VM from a DFA state, and most ran on the DFA.
    expect(totals.arenaResets).toBeGreaterThan(100);
    expect(totals.pikeFallbacks).toBeGreaterThan(50);
    expect(totals.dfaRuns).toBeGreaterThan(cases / 2);
  });

  it('== Pike VM on patterns with thousands of DFA states, default and tiny arena', () => {
    // (a|b)*a(a|b){k}: the DFA must remember the last k+1 characters, 2^(k+1) states.
    const patterns = ['(a|b)*a(a|b){16}', '(?:[ab]*a[ab]{9}c)*[ab]*', '(?s)(.*a.{6}\\b){2}.*', '(?m)((^|b)a{1,7}$\\n?)*'];
    const randomText = (alphabet: string[], runs: number, seed: number): string[] =>
      fc.sample(fc.array(fc.constantFrom(...alphabet), { minLength: 3000, maxLength: 3000 }), { numRuns: runs, seed }).map((a) => a.join(''));
    const inputs = [
      ...randomText(['a', 'b'], 6, 5),
      ...randomText(['a', 'b', 'a', 'b', 'a', 'b', 'c', '\n', 'é'], 3, 6),
      'ab'.repeat(2000), 'a'.repeat(4000), ('a'.repeat(7) + '\n').repeat(500),
    ];
    for (const arena of [0, 4096]) {
      vm.exports.dfaReset(arena);
      let matches = 0;
      for (const pattern of patterns) {
        const p = program(pattern);
        for (const input of inputs) {
          for (const cut of [input.length, 2500, 1000, 100, 17]) {
            const text = input.slice(0, cut);
            const got = vm.match(p, text);
            expect(got, `${pattern} on ${JSON.stringify(text.slice(0, 40))}… (${cut})`).toBe(vm.matchPike(p, text));
            if (got) matches++;
          }
        }
      }
      const stats = vm.stats();
      console.log(`many states, arena ${arena || 'default'}: ${matches} matches, DFA counters ${JSON.stringify(stats)}`);
      expect(matches).toBeGreaterThan(10);
      expect(stats.arenaResets).toBeGreaterThan(0);
      if (arena === 0) {
        // The full arena holds thousands of states, and these patterns still fill it.
        expect(stats.states).toBeGreaterThan(4096);
      } else {
        // A 4 KiB arena thrashes: those programs finish, then run, in the Pike VM.
        expect(stats.pikeFallbacks).toBeGreaterThan(0);
        expect(stats.pikeRuns).toBeGreaterThan(stats.pikeFallbacks);
      }
    }
    // Short inputs agree with the reference as well.
    for (const pattern of patterns) {
      for (const input of inputs) {
        const text = input.slice(0, 40);
        expect(vm.match(program(pattern), text), `${pattern} on ${JSON.stringify(text)}`).toBe(referenceRegexMatchBytes(pattern, new TextEncoder().encode(text)));
      }
    }
  });

  it('== Pike VM on corrupted programs', () => {
    const bases = ['(?i)(ab|[c-e]+)*\\bf?$|x{2,4}', '(?m)^[a-z\\x{100}-\\x{2FF}]+\\B.$', '[^\\n\\d]{2,}(é|😀)*\\z'].map(program);
    let differentFromBase = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(4000), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom('a', 'b', 'f', 'x', 'Ā', '\n', ' ', '1', 'é', '😀'), { maxLength: 12 }),
        (base, edits, chars) => {
          const p = Uint8Array.from(base);
          for (const [at, value] of edits) p[HEADER_BYTES + (at % (p.length - HEADER_BYTES))] = value;
          const input = chars.join('');
          const got = vm.match(p, input);
          expect(got).toBe(vm.matchPike(p, input));
          if (got !== vm.match(base, input)) differentFromBase++;
        },
      ),
      { numRuns: 3000, seed: 11 },
    );
    expect(differentFromBase).toBeGreaterThan(10);
  });

  it('caches: a 64 KiB input costs a few states, and the next program at the same address is a new one', () => {
    vm.exports.dfaReset(0);
    const p = program('(.*a){20}');
    const input = 'a'.repeat(64 * 1024);
    expect(vm.match(p, input)).toBe(true);
    expect(vm.match(p, input + '!')).toBe(false);
    const stats = vm.stats();
    expect(stats.states).toBeLessThan(100);
    expect(stats).toMatchObject({ dfaRuns: 2, pikeRuns: 0, arenaResets: 0 });
    // Same address and length, other bytes: (.*b){20} must not reuse the states of (.*a){20}.
    const q = program('(.*b){20}');
    expect(q.length).toBe(p.length);
    expect(vm.match(q, input)).toBe(false);
    expect(vm.match(q, 'b'.repeat(20))).toBe(true);
    expect(vm.match(p, 'b'.repeat(20))).toBe(false);
  });

  it('runs a program that thrashed the arena on the Pike VM for its next 64 matches, then tries the DFA again', () => {
    vm.exports.dfaReset(4096);
    const p = program('(a|b)*a(a|b){12}');
    const random = fc.sample(fc.array(fc.constantFrom('a', 'b'), { minLength: 2000, maxLength: 2000 }), { numRuns: 1, seed: 3 })[0]!.join('');
    const want = vm.matchPike(p, random);
    expect(vm.match(p, random)).toBe(want);
    expect(vm.stats()).toMatchObject({ pikeFallbacks: 1, pikeRuns: 1, dfaRuns: 1 });
    for (let i = 0; i < 64; i++) expect(vm.match(p, random)).toBe(want);
    expect(vm.stats()).toMatchObject({ pikeFallbacks: 1, pikeRuns: 65, dfaRuns: 1 });
    // The 66th match runs on the DFA again (and thrashes again).
    expect(vm.match(p, random)).toBe(want);
    expect(vm.stats()).toMatchObject({ pikeFallbacks: 2, pikeRuns: 66, dfaRuns: 2 });
    // A short input in the DFA's reach still runs on it once the Pike matches are used up.
    for (let i = 0; i < 64; i++) vm.match(p, 'ab');
    expect(vm.match(p, 'ab'.repeat(8))).toBe(false);
    expect(vm.stats()).toMatchObject({ pikeFallbacks: 2, dfaRuns: 3 });
  });

  it('clears its program entries when they fill their region, and stays right', () => {
    vm.exports.dfaReset(0);
    // 48 programs of about 8 KiB each: more than the 256 KiB of program entries.
    const programs = Array.from({ length: 48 }, (_, k) => program(`(?:a{1000}b{${k + 1}})+`));
    for (let round = 0; round < 2; round++) {
      programs.forEach((p, k) => {
        const hit = 'a'.repeat(1000) + 'b'.repeat(k + 1);
        expect(vm.match(p, hit + hit)).toBe(true);
        expect(vm.match(p, hit + 'b')).toBe(false);
      });
    }
    const stats = vm.stats();
    expect(stats.programResets).toBeGreaterThan(0);
    expect(stats.pikeRuns).toBe(0);
  });
});
