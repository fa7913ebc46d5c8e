/**
 * The regex engine alone (build/regex.wasm): the lazy DFA the core runs against the Pike VM on
 * the same program and input, for the B5 patterns and for typical route patterns on short paths
 * (where the DFA's per-call cost, finding the program's cached entry, matters most), and for a
 * pattern whose DFA does not fit its cache (the first call fills half of it, then finishes in the
 * Pike VM; the program's next 64 calls run on the Pike VM).
 * `npx tsx spec-tests/reliability/regex-engine-bench.ts` (REGEX_BENCH_RUNS, default 21).
 */
import { loadavg } from 'node:os';
import { compileRegex } from '../../src/compile/regex/index.js';
import { loadRegexVm } from '../../src/compile/regex/testing.js';

const RUNS = Number(process.env.REGEX_BENCH_RUNS ?? 21);

const CASES: [pattern: string, input: string][] = [
  ['/files/[a-z]+\\.png', '/files/holiday.png'],
  ['/api/v[0-9]+/users/[0-9a-f-]{36}', '/api/v2/users/3f2b8c1e-9d4a-4b7e-8f00-1c2d3e4f5a6b'],
  ['(?i)/static/.*\\.(css|js|map)', '/static/app/vendor/Bundle.4f2a.JS'],
  ['/shop/(cart|checkout|orders/[0-9]+)(/.*)?', '/shop/orders/12345/items/7'],
  ['.*/health(z)?', '/internal/service/healthz'],
  ['(.*a){20}', 'a'.repeat(1000)],
  ['(.*a){20}', 'a'.repeat(64 * 1024)],
  ['^/api/(.*)*/v1$', '/api/' + 'a'.repeat(64 * 1024) + '!'],
];

/** Median ns per call over RUNS batches of calls lasting about 1 ms each. */
function nsPerCall(run: () => boolean): number {
  let batch = 1;
  for (let t0 = performance.now(); performance.now() - t0 < 1; batch *= 2) for (let i = 0; i < batch; i++) run();
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) run();
    samples.push(((performance.now() - t0) * 1e6) / batch);
  }
  return samples.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const vm = await loadRegexVm();
console.log(`regex engine alone, median ns per call; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`);
console.log('| pattern | input | answer | Pike VM | DFA | Pike / DFA |');
console.log('|---|---|---|---|---|---|');
for (const [pattern, input] of CASES) {
  const compiled = compileRegex(pattern);
  if (!compiled.ok) throw new Error(compiled.error);
  const pike = vm.prepare(compiled.program, input, 'pike');
  const dfa = vm.prepare(compiled.program, input, 'dfa');
  if (pike() !== dfa()) throw new Error(`DFA and Pike VM disagree on ${pattern}`);
  const p = nsPerCall(pike);
  const d = nsPerCall(dfa);
  const shown = input.length > 40 ? `${JSON.stringify(input.slice(0, 12))}… (${input.length} B)` : JSON.stringify(input);
  console.log(`| \`${pattern}\` | ${shown} | ${dfa() ? 'match' : 'no match'} | ${p.toFixed(0)} | ${d.toFixed(0)} | ${(p / d).toFixed(1)}× |`);
}

// (a|b)*a(a|b){18} on 64 KiB of random a/b: about one new DFA state per byte, 2^19 possible.
const thrash = compileRegex('(a|b)*a(a|b){18}');
if (!thrash.ok) throw new Error(thrash.error);
let seed = 1;
const random = Array.from({ length: 64 * 1024 }, () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) & 0x40000000 ? 'a' : 'b')).join('');
const firstCalls: number[] = [];
const pikeCalls: number[] = [];
for (let r = 0; r < 5; r++) {
  vm.exports.dfaReset(0);
  const dfa = vm.prepare(thrash.program, random, 'dfa');
  const pike = vm.prepare(thrash.program, random, 'pike');
  let t0 = performance.now();
  const answer = dfa();
  firstCalls.push(performance.now() - t0);
  t0 = performance.now();
  if (pike() !== answer) throw new Error('DFA and Pike VM disagree on the thrashing pattern');
  pikeCalls.push(performance.now() - t0);
}
const stats = vm.stats();
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(3);
console.log(
  `(a|b)*a(a|b){18} on 64 KiB random a/b, fresh cache each time: first DFA call ${median(firstCalls)} ms, Pike VM ${median(pikeCalls)} ms (medians of 5); DFA counters of the last: ${JSON.stringify(stats)}`,
);

