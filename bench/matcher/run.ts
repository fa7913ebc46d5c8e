/**
 * Matcher benchmark: the Switchyard core (through `router.match`, encoding and Decision
 * included) against find-my-way (tree and compile()), memoirist, koa-tree-router, hono
 * RegExpRouter/TrieRouter, a plain JS segment walk and the TS reference matcher, on the
 * performance.md table shape at several sizes. One child process per table size; inside it
 * every router is built (build time, heap delta), checked for identical answers on every
 * workload, then timed interleaved: each round runs every workload for every router in a
 * rotated order, so load from other processes hits all of them alike. Figures are medians of
 * the rounds, net of fresh-string creation (measured in the same rotation).
 *
 *   npm run bench:match
 *   env: SIZES=10,1000,10000  TIME=250 (ms per measurement)  ROUNDS=3
 *        ADAPTERS=switchyard,find-my-way (name filter)  WORKLOADS=mixed,miss
 *        RESULTS=bench/RESULTS.md (file whose generated section is rewritten; RESULTS= skips)
 *        BUILD_ROUNDS=2 (rebuilds per router; build time = median of all builds)
 *        CHECK_ONLY=1 (build and check every adapter, no timing)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectAdapters, type Adapter, type Built } from './adapters.js';
import { identity, measure, median, task, toBuffers, type Task } from './measure.js';
import { renderMarkdown, type AdapterResult, type SizeResult } from './report.js';
import { lookups, routeDefs, WORKLOADS } from './routes.js';

const SIZES = (process.env.SIZES ?? '10,1000,10000').split(',').map(Number);
const TIME = Number(process.env.TIME ?? 250);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BUILD_ROUNDS = Number(process.env.BUILD_ROUNDS ?? 2);
const CHECK_ONLY = process.env.CHECK_ONLY === '1';
const WORKLOAD_FILTER = process.env.WORKLOADS?.split(',').filter(Boolean);
const SELECTED_WORKLOADS = WORKLOADS.filter((w) => !WORKLOAD_FILTER || WORKLOAD_FILTER.includes(w));

const log = (text: string): void => void process.stderr.write(`${text}\n`);

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Verifies an adapter answers every lookup of every workload correctly. */
function check(adapter: Adapter, built: Built, n: number): void {
  for (const w of WORKLOADS) {
    for (const l of lookups(n, w)) {
      const path = adapter.full ? `${l.path}?debug=0` : l.path;
      const got = built.answer(path);
      if (got !== l.expected) throw new Error(`${adapter.name} at N=${n}, ${w}: ${path} answered ${got}, expected ${l.expected}`);
    }
  }
}

async function runSize(n: number): Promise<SizeResult> {
  const routes = routeDefs(n);
  // The small-table twin only makes sense next to a larger table.
  const adapters = selectAdapters(process.env.ADAPTERS).filter((a) => n <= a.maxRoutes && (a.fixedRoutes === undefined || a.fixedRoutes < n));
  const sizeOf = (a: Adapter): number => a.fixedRoutes ?? n;
  const results: AdapterResult[] = [];
  const builts: Built[] = [];
  for (const adapter of adapters) {
    log(`N=${n}: building ${adapter.name}`);
    gc();
    const before = memory();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const built = await adapter.build(adapter.fixedRoutes !== undefined ? routeDefs(adapter.fixedRoutes) : routes);
    const buildMs = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    const buildCpuMs = (c1.user + c1.system) / 1000;
    gc();
    const heapBytes = memory() - before;
    check(adapter, built, sizeOf(adapter));
    builts.push(built);
    results.push({
      name: adapter.name,
      full: adapter.full,
      buildMs,
      buildCpuMs,
      builds: [{ wall: buildMs, cpu: buildCpuMs, phases: built.phases }],
      phases: built.phases ? { ...built.phases } : undefined,
      heapBytes,
      tableBytes: built.tableBytes,
      rates: {},
    });
  }
  // Rebuilds, round-robin so no router is always the JIT-coldest: build time is the median of
  // the first build and these.
  for (let round = 0; round < (CHECK_ONLY ? 0 : BUILD_ROUNDS); round++) {
    log(`N=${n}: rebuild round ${round + 1}/${BUILD_ROUNDS}`);
    for (let k = 0; k < adapters.length; k++) {
      const i = (k + round + 1) % adapters.length;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const a = adapters[i];
      const built = await a.build(a.fixedRoutes !== undefined ? routeDefs(a.fixedRoutes) : routes);
      const wall = performance.now() - t0;
      const c1 = process.cpuUsage(c0);
      results[i].builds.push({ wall, cpu: (c1.user + c1.system) / 1000, phases: built.phases });
    }
  }
  for (const r of results) {
    r.buildMs = median(r.builds.map((b) => b.wall));
    r.buildCpuMs = median(r.builds.map((b) => b.cpu));
    if (r.phases) for (const key of Object.keys(r.phases)) r.phases[key] = median(r.builds.map((b) => b.phases?.[key] ?? 0));
  }
  const strings: SizeResult['strings'] = { path: {}, full: {} };
  if (!CHECK_ONLY) {
    const buffers = new Map<string, Buffer[]>();
    for (const size of new Set([n, ...adapters.map(sizeOf)])) {
      for (const w of SELECTED_WORKLOADS) {
        buffers.set(`path:${size}:${w}`, toBuffers(lookups(size, w).map((l) => l.path)));
        buffers.set(`full:${size}:${w}`, toBuffers(lookups(size, w).map((l) => `${l.path}?debug=0`)));
      }
    }
    // Tasks: every adapter and two string-only baselines, per workload.
    const tasks = new Map<string, Task>();
    for (const w of SELECTED_WORKLOADS) {
      log(`N=${n}: calibrating ${w}`);
      tasks.set(`strings:path:${w}`, task(identity, buffers.get(`path:${n}:${w}`)!));
      tasks.set(`strings:full:${w}`, task(identity, buffers.get(`full:${n}:${w}`)!));
      adapters.forEach((a, i) => tasks.set(`${i}:${w}`, task(builts[i].lookup, buffers.get(`${a.full ? 'full' : 'path'}:${sizeOf(a)}:${w}`)!)));
    }
    const keys = [...adapters.map((_, i) => String(i)), 'strings:path', 'strings:full'];
    for (let round = 0; round < ROUNDS; round++) {
      log(`N=${n}: round ${round + 1}/${ROUNDS} (load ${loadavg()[0].toFixed(2)})`);
      for (const w of SELECTED_WORKLOADS) {
        for (let k = 0; k < keys.length; k++) {
          const key = keys[(k + round) % keys.length];
          const rate = measure(tasks.get(`${key}:${w}`)!, TIME);
          if (key.startsWith('strings:')) {
            const set = key === 'strings:path' ? strings.path : strings.full;
            (set[w] ??= []).push(rate);
          } else {
            (results[Number(key)].rates[w] ??= []).push(rate);
          }
        }
      }
    }
  }
  return { n, strings, adapters: results, load: loadavg() };
}

function childMain(): void {
  const n = Number(process.env.BENCH_SIZE);
  runSize(n).then(
    (r) => writeFileSync(process.env.BENCH_OUT!, JSON.stringify(r)),
    (err: Error) => {
      log(err.stack ?? String(err));
      process.exitCode = 1;
    },
  );
}

function runChild(n: number, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_SIZE: String(n), BENCH_OUT: out },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`benchmark at N=${n} exited with ${code}`))));
  });
}

const MARK_START = '<!-- bench:match:start (generated by `npm run bench:match`; edits inside are overwritten) -->';
const MARK_END = '<!-- bench:match:end -->';

async function parentMain(): Promise<void> {
  const loadBefore = loadavg();
  const sizes: SizeResult[] = [];
  for (const n of SIZES) {
    const out = join(tmpdir(), `switchyard-bench-match-${process.pid}-${n}.json`);
    await runChild(n, out);
    sizes.push(JSON.parse(readFileSync(out, 'utf8')) as SizeResult);
    rmSync(out);
  }
  if (CHECK_ONLY) {
    log(`all adapters agree on every workload at N=${SIZES.join(', ')}`);
    return;
  }
  const markdown = renderMarkdown(sizes, {
    machine: `${cpus().length} cores (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
    load: `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`,
    command: `SIZES=${SIZES.join(',')} TIME=${TIME} ROUNDS=${ROUNDS}${process.env.ADAPTERS ? ` ADAPTERS=${process.env.ADAPTERS}` : ''}${process.env.WORKLOADS ? ` WORKLOADS=${process.env.WORKLOADS}` : ''} npm run bench:match`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  });
  process.stdout.write(markdown);
  const target = process.env.RESULTS ?? fileURLToPath(new URL('../RESULTS.md', import.meta.url));
  if (target) {
    const previous = existsSync(target) ? readFileSync(target, 'utf8') : `# Benchmark results\n\n${MARK_START}\n${MARK_END}\n`;
    const start = previous.indexOf(MARK_START);
    const end = previous.indexOf(MARK_END);
    const next =
      start >= 0 && end > start
        ? `${previous.slice(0, start + MARK_START.length)}\n${markdown}${previous.slice(end)}`
        : `${previous.trimEnd()}\n\n${MARK_START}\n${markdown}${MARK_END}\n`;
    writeFileSync(target, next);
    log(`updated ${target}`);
  }
}

if (process.env.BENCH_SIZE) childMain();
else await parentMain();
