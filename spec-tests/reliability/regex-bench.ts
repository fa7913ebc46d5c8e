/**
 * B5 timings: every pattern × input of regex-cases.ts through router.match on the table the
 * gateway would serve (the real core, build/switchyard.wasm). With REGEX_BENCH_BASELINE set to
 * another core module (e.g. one built from an earlier assembly/), both cores run the same
 * requests interleaved in this process and the table shows their ratio, so machine load affects
 * both alike. `npx tsx spec-tests/reliability/regex-bench.ts` (REGEX_BENCH_RUNS, default 21).
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { compile } from '../../src/pipeline.js';
import { createRouter, type Router } from '../../src/runtime/router.js';
import { REDOS_PATTERNS, SIZES, redosExpected, redosInputs, redosManifests, timeMatch } from './regex-cases.js';

const RUNS = Number(process.env.REGEX_BENCH_RUNS ?? 21);
const BASELINE = process.env.REGEX_BENCH_BASELINE;

/** timeMatch after two more untimed calls (the first runs in V8's baseline tier); throws on a wrong answer. */
function time(router: Router, host: string, path: string, expected: boolean): { median: number; max: number } {
  for (let i = 0; i < 2; i++) router.match({ method: 'GET', host, path, port: 80 });
  const t = timeMatch(router, host, path, RUNS);
  if (t.matched !== expected) throw new Error(`wrong answer for ${host} ${path.slice(0, 20)}… (${path.length} B)`);
  return t;
}

async function main(): Promise<void> {
  const compiled = compile(redosManifests(8080).join('\n---\n'));
  if (compiled.diagnostics.length > 0) throw new Error(JSON.stringify(compiled.diagnostics));
  const current = await createRouter(compiled.table);
  const baseline = BASELINE ? await createRouter(compiled.table, { module: await WebAssembly.compile(await readFile(BASELINE)) }) : undefined;
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`B5 router.match timings, ${RUNS} runs each, ms (median / max); load average ${load}; ${new Date().toISOString()}`);
  console.log(baseline ? `| pattern | path | answer | baseline core | this core | baseline / this |` : `| pattern | path | answer | this core |`);
  console.log(baseline ? `|---|---|---|---|---|---|` : `|---|---|---|---|`);
  let worst = 0;
  for (const [i, pattern] of REDOS_PATTERNS.entries()) {
    for (const n of SIZES) {
      for (const path of redosInputs(n)) {
        const expected = redosExpected(i, path);
        const host = `r${i}.example`;
        const before = baseline && time(baseline, host, path, expected);
        const after = time(current, host, path, expected);
        worst = Math.max(worst, after.median);
        const shown = `\`${path.slice(0, 6)}…\` (${path.length} B)`;
        const cell = (t: { median: number; max: number }) => `${t.median.toFixed(4)} / ${t.max.toFixed(4)}`;
        const answer = expected ? 'match' : 'no match';
        console.log(
          before
            ? `| \`${pattern}\` | ${shown} | ${answer} | ${cell(before)} | ${cell(after)} | ${(before.median / after.median).toFixed(1)}× |`
            : `| \`${pattern}\` | ${shown} | ${answer} | ${cell(after)} |`,
        );
      }
    }
  }
  console.log(`slowest median of this core: ${worst.toFixed(4)} ms (B5 budget 5 ms)`);
}

await main();
