/**
 * Route matching benchmark (tinybench): the performance.md table shape at N rules
 * (default 1,000): rule i in group team⌊i/10⌋, even i Exact `/api/v1/team{t}/svc{i}/status`,
 * odd i PathPrefix `/api/v1/team{t}/svc{i}`. Workload "mixed": 256 distinct paths cycled
 * (50% deep prefix hits, 25% exact hits, 25% boundary misses). Each tinybench iteration runs
 * the whole pool, so numbers are reported per lookup. The Wasm router is measured through the
 * real host path (`router.match()`: host normalisation, encodeInto, one core call, decision
 * object); the reference matcher runs on the same requests. Also prints the time of the
 * regular-expression linearity probes through the core.
 *
 *   npm run bench:match            env: SIZES=10,1000,10000 TIME=1000 (ms per task)
 */
import { Bench } from 'tinybench';
import { compileTable } from '../src/compile/compile.js';
import { ReferenceMatcher } from '../src/reference/matcher.js';
import { ResolutionBuilder } from '../src/runtime/resolution-builder.js';
import { createRouter } from '../src/runtime/router.js';
import type { Matcher, MatchRequest } from '../src/runtime/types.js';

const SIZES = (process.env.SIZES ?? '1000').split(',').map(Number);
const TIME = Number(process.env.TIME ?? 1000);
const GW = 'bench/gw';

function table(n: number, extra = false) {
  const b = new ResolutionBuilder().gateway(GW, [{ name: 'http', port: 80 }]);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(i / 10);
    const base = `/api/v1/team${t}/svc${i}`;
    b.httpRoute({
      name: `r${i}`,
      listeners: [`${GW}/http`],
      hostnames: extra ? ['api.example.com'] : undefined,
      rules: [
        {
          matches: [
            i % 2 === 0
              ? { path: { type: 'Exact', value: `${base}/status` }, ...(extra ? full : {}) }
              : { path: { type: 'PathPrefix', value: base }, ...(extra ? full : {}) },
          ],
          backends: [{ name: `svc${i}`, weight: 1 }, { name: `svc${i}-canary`, weight: 1 }],
        },
      ],
    });
  }
  return b.build();
}

/** M3: method + 2 header matches + 1 query match on every rule. */
const full = {
  method: 'GET' as const,
  headers: [
    { type: 'Exact' as const, name: 'x-tenant', value: 'blue' },
    { type: 'RegularExpression' as const, name: 'x-version', value: 'v[0-9]+' },
  ],
  queryParams: [{ type: 'Exact' as const, name: 'debug', value: '0' }],
};

function mixed(n: number, extra: boolean): MatchRequest[] {
  const out: MatchRequest[] = [];
  const mid = Math.floor(n / 2);
  for (let k = 0; k < 256; k++) {
    const i = (mid + k * 7) % n;
    const odd = i % 2 === 1 ? i : i + 1 < n ? i + 1 : i - 1;
    const even = i - (i % 2);
    const t = (j: number) => Math.floor(j / 10);
    let path: string;
    const kind = k % 4;
    if (kind < 2) path = `/api/v1/team${t(odd)}/svc${odd}/a/b/c/d/e/f/g/h`;
    else if (kind === 2) path = `/api/v1/team${t(even)}/svc${even}/status`;
    else path = `/api/v1/team${t(odd)}/svc${odd}x/a`;
    out.push({
      method: 'GET',
      host: extra ? 'api.example.com' : 'example.com',
      path: extra ? `${path}?debug=0` : path,
      port: 80,
      headers: extra ? { 'x-tenant': 'blue', 'x-version': 'v2' } : {},
    });
  }
  return out;
}

function check(a: Matcher, b: Matcher, requests: MatchRequest[]): void {
  a.seed(1);
  b.seed(1);
  for (const r of requests) {
    const x = a.match(r);
    const y = b.match(r);
    const sx = x.matched ? `${x.id}:${x.backendIndex}` : x.reason;
    const sy = y.matched ? `${y.id}:${y.backendIndex}` : y.reason;
    if (sx !== sy) throw new Error(`matchers disagree on ${r.path}: ${sx} vs ${sy}`);
  }
}

async function main(): Promise<void> {
  for (const n of SIZES) {
    for (const extra of [false, true]) {
      const resolution = table(n, extra);
      const t0 = performance.now();
      const compiled = compileTable(resolution);
      const compileMs = performance.now() - t0;
      const router = await createRouter(compiled.table);
      const reference = new ReferenceMatcher(resolution);
      const requests = mixed(n, extra);
      check(router, reference, requests);
      const hits = requests.filter((r) => router.match(r).matched).length;
      const bench = new Bench({ time: TIME, warmup: true });
      let sink = 0;
      bench.add('wasm router (host path)', () => {
        for (let i = 0; i < requests.length; i++) if (router.match(requests[i]).matched) sink++;
      });
      if (n <= 1000) {
        bench.add('reference matcher', () => {
          for (let i = 0; i < 16; i++) if (reference.match(requests[i]).matched) sink++;
        });
      }
      await bench.run();
      console.log(
        `\nN=${n} ${extra ? 'full match (host + method + 2 headers + 1 query)' : 'path only'}: table ${compiled.table.length} bytes, compiled in ${compileMs.toFixed(1)} ms, ${hits}/256 hits, sha256 ${compiled.sha256.slice(0, 16)}…`,
      );
      for (const task of bench.tasks) {
        const r = task.result as { throughput?: { mean: number } } | undefined;
        const batch = task.name.startsWith('reference') ? 16 : requests.length;
        const perSec = (r?.throughput?.mean ?? 0) * batch;
        console.log(`  ${task.name.padEnd(26)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} lookups/s  (${(1e9 / perSec).toFixed(1)} ns/lookup)`);
      }
      if (sink < 0) console.log(sink);
    }
  }

  // Regular-expression linearity through the core (full match): nested quantifiers.
  const evil = new ResolutionBuilder()
    .gateway(GW, [{ name: 'http', port: 80 }])
    .httpRoute({ name: 'evil', listeners: [`${GW}/http`], rules: [{ matches: [{ path: { type: 'RegularExpression', value: '^/(a+)+$' } }], backends: [{ name: 'v' }] }] })
    .build();
  const router = await createRouter(compileTable(evil).table);
  console.log('\nregex linearity through the core, pattern ^/(a+)+$ (median of 21 runs):');
  for (const [label, path] of [
    ["'/' + 'a'x26 + '!'", '/' + 'a'.repeat(26) + '!'],
    ["'/' + 64 KiB of 'a'", '/' + 'a'.repeat(64 * 1024)],
    ["'/' + 64 KiB of 'a' + '!'", '/' + 'a'.repeat(64 * 1024) + '!'],
  ] as const) {
    const times: number[] = [];
    let matched = false;
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      matched = router.match({ method: 'GET', host: 'x', path, port: 80 }).matched;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(28)} ${matched ? 'match   ' : 'no match'} ${times[10].toFixed(3)} ms`);
  }
}

await main();
