/**
 * Edge benchmark (performance.md §4, goals E1/E2 and the bundle budget): the Switchyard worker
 * (`createWorker` with the compiled table bundled) against a plain `fetch` forwarding worker,
 * both bundled by `wrangler deploy --dry-run` and run in workerd through Miniflare on loopback,
 * forwarding to one backend process.
 *
 * - Per table size (ROUTE_SIZES, default 1,000 and 10,000): manifests generated
 *   (bench/proxy/manifests.ts), `switchyard compile` (timed), backend map, bundle size (bytes
 *   wrangler would upload, and gzip).
 * - CPU per request: each worker's workerd process CPU (/proc utime+stime) over a bounded
 *   autocannon load (its own process), ROUNDS interleaved rounds, medians; ratio to the
 *   forwarder measured in the same round. workerd also runs Miniflare's entry worker, so both
 *   sides carry the same fixed overhead.
 * - Cold start: COLD fresh workerd instances per size; the core is instantiated and the table
 *   loaded on the first request, so cold start = first request latency − median of the next
 *   20 (the forwarder's figure is the same quantity without a table). Also measured in Node:
 *   WebAssembly compile + instantiate + table load (`createRouter`).
 *
 *   npm run bench:edge
 *   env: ROUTE_SIZES=1000,10000  DURATION=5  ROUNDS=3  CONNECTIONS=20  COLD=3  MAX_REQUESTS=500000
 *        RESULTS=bench/RESULTS.md (RESULTS= skips writing)  JSON_OUT=file
 *        BUNDLE_ONLY=1 (build and bundle, print table and bundle sizes, no workerd runs)
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { backendMapFor, backendMapModule } from '../../host-edge/backends.js';
import { startWorker, type EdgeWorker } from '../../host-edge/testing/miniflare.js';
import { compileTable } from '../../src/compile/compile.js';
import { resolvePaths } from '../../src/pipeline.js';
import { createRouter } from '../../src/runtime/router.js';
import { childrenNamed, cpuMicros, envList, envNumber, fmt, fmtBytes, fmtRate, load, log, median, minMax, REPO_ROOT, removeCompiledEntries, RunInfo, startNodeTarget, verdict, writeJson, writeSection, type Child } from '../proxy/common.js';
import { hitPath, writeManifests } from '../proxy/manifests.js';

const SIZES = envList('ROUTE_SIZES', [1000, 10000]);
const DURATION = envNumber('DURATION', 5);
const ROUNDS = envNumber('ROUNDS', 3);
const CONNECTIONS = envNumber('CONNECTIONS', 20);
const COLD = envNumber('COLD', 3);
const MAX_REQUESTS = envNumber('MAX_REQUESTS', 500_000);
const BUNDLE_ONLY = process.env.BUNDLE_ONLY === '1';
const E1_SIZE = SIZES.includes(1000) ? 1000 : SIZES[0];
const OFFLINE_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
const COMPATIBILITY_DATE = '2026-04-20';

interface Built {
  name: string;
  routes: number | null;
  dir: string;
  script: string;
  bytes: number;
  gzipBytes: number;
  tableBytes?: number;
  compileMs?: number;
}

async function bundle(dir: string, name: string, main: string, rules: boolean): Promise<Built> {
  const config = join(dir, `${name}.wrangler.json`);
  await writeFile(
    config,
    JSON.stringify({ name: `bench-${name}`, main, compatibility_date: COMPATIBILITY_DATE, send_metrics: false, ...(rules ? { rules: [{ type: 'Data', globs: ['**/*.bin'], fallthrough: true }] } : {}) }),
  );
  const out = join(dir, `${name}-dist`);
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--config', config, '--outdir', out], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...OFFLINE_ENV },
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const files = await readdir(out);
  const script = files.find((f) => f.endsWith('.js'));
  if (!script) throw new Error(`wrangler produced no script in ${out}`);
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    if (f.endsWith('.map') || f === 'README.md') continue;
    bytes += (await stat(join(out, f))).size;
    gzipBytes += gzipSync(await readFile(join(out, f))).length;
  }
  return { name, routes: null, dir: out, script: join(out, script), bytes, gzipBytes };
}

/** Manifests → `switchyard compile` → backend map → worker entry → wrangler bundle. */
async function buildSwitchyard(n: number, backendPort: number, cleanups: (() => Promise<void>)[]): Promise<Built> {
  const manifests = await writeManifests(n, 8080, backendPort);
  cleanups.push(manifests.remove);
  const work = join(manifests.dir, 'worker');
  await mkdir(work);
  const table = join(work, 'table.bin');
  const t0 = performance.now();
  await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/bin.ts'), 'compile', manifests.dir, '-o', table], { cwd: REPO_ROOT, timeout: 300_000 });
  const compileMs = performance.now() - t0;
  const resolved = await resolvePaths([manifests.dir]);
  await writeFile(join(work, 'backends.generated.ts'), backendMapModule(backendMapFor(resolved.objects, compileTable(resolved.resolution).manifest)));
  await writeFile(
    join(work, 'worker.ts'),
    `import wasm from ${JSON.stringify(join(REPO_ROOT, 'build/switchyard.wasm'))};
import { createWorker } from ${JSON.stringify(join(REPO_ROOT, 'host-edge/index.js'))};
import backends from './backends.generated.js';
import table from './table.bin';

export default createWorker({ table, wasm, backends, port: 8080, kv: false });
`,
  );
  const built = await bundle(work, `switchyard-${n}`, 'worker.ts', true);
  return { ...built, routes: n, tableBytes: (await stat(table)).size, compileMs };
}

async function buildForwarder(backendPort: number, dir: string): Promise<Built> {
  await writeFile(
    join(dir, 'forwarder.ts'),
    `const ORIGIN = 'http://127.0.0.1:${backendPort}';

export default {
  fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    return fetch(ORIGIN + url.pathname + url.search, request);
  },
};
`,
  );
  return bundle(dir, 'forwarder', 'forwarder.ts', false);
}

interface Running {
  built: Built;
  worker: EdgeWorker;
  pid: number;
}

async function run(built: Built): Promise<Running> {
  const before = new Set(childrenNamed(process.pid, 'workerd'));
  const worker = await startWorker({ dir: built.dir, script: built.script, bytes: built.bytes, remove: async () => undefined });
  const pid = childrenNamed(process.pid, 'workerd').find((p) => !before.has(p));
  if (pid === undefined) throw new Error('no workerd process found for the worker');
  return { built, worker, pid };
}

async function timed(worker: EdgeWorker, path: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(new URL(path, worker.url));
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`worker answered ${res.status} for ${path}`);
  return performance.now() - t;
}

interface Cold {
  readyMs: number;
  firstMs: number;
  warmMs: number;
}

async function coldStart(built: Built, path: string): Promise<Cold> {
  const t0 = performance.now();
  const r = await run(built);
  const readyMs = performance.now() - t0;
  try {
    const firstMs = await timed(r.worker, path);
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) warm.push(await timed(r.worker, path));
    return { readyMs, firstMs, warmMs: median(warm) };
  } finally {
    await r.worker.dispose();
  }
}

/** WebAssembly compile + instantiate + table load in Node, the same work the worker does on its first request. */
async function nodeLoadMs(table: Uint8Array, wasm: Uint8Array<ArrayBuffer>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const module = await WebAssembly.compile(wasm);
    await createRouter(table, { module });
    times.push(performance.now() - t);
  }
  return median(times);
}

interface CpuRun {
  round: number;
  rps: number;
  p99: number;
  requests: number;
  errors: number;
  cpuPerRequest: number;
}

function render(info: RunInfo, command: string, builds: Built[], cpu: Map<string, CpuRun[]>, cold: Map<string, Cold[]>, nodeLoad: Map<number, number>): string {
  const lines: string[] = [];
  const fwd = cpu.get('forwarder') ?? [];
  const paired = (runs: CpuRun[]) => median(runs.map((m) => m.cpuPerRequest / (fwd.find((f) => f.round === m.round)?.cpuPerRequest ?? NaN)));
  lines.push('## Edge: the Switchyard worker in workerd', '', info.line(), '', `Command: \`${command}\``, '');
  lines.push(
    `workerd through Miniflare (\`wrangler deploy --dry-run\` bundles), loopback, one backend process (51-byte JSON). Load: autocannon in its own`,
    `process, ${CONNECTIONS} connections, ${DURATION} s per measurement, ${ROUNDS} interleaved rounds; CPU µs/req = Δ(utime+stime) of the worker's`,
    'workerd process ÷ requests (that process also runs Miniflare\'s entry worker, equally for every row). Request: `GET ' + hitPath(E1_SIZE) + '`',
    '(for N routes, the middle route of that table: a 90/10 weighted pick and a header filter).',
    '',
  );
  lines.push('| worker | req/s median (min–max) | p99 ms | workerd CPU µs/req (min–max) | CPU ÷ forwarder | errors |', '|---|---:|---:|---:|---:|---:|');
  for (const [name, runs] of cpu) {
    const c = runs.map((m) => m.cpuPerRequest);
    const [lo, hi] = minMax(c);
    const r = runs.map((m) => m.rps);
    const [rlo, rhi] = minMax(r);
    lines.push(
      `| ${name === 'forwarder' ? 'plain `fetch` forwarder' : `Switchyard, ${Number(name.replace('switchyard-', '')).toLocaleString('en-US')} routes`} | ${fmtRate(median(r))} (${fmtRate(rlo)}–${fmtRate(rhi)}) | ${fmt(median(runs.map((m) => m.p99)), 1)} | **${fmt(median(c))}** (${fmt(lo)}–${fmt(hi)}) | ${name === 'forwarder' ? '1.00×' : `${fmt(paired(runs), 2)}×`} | ${runs.reduce((s, m) => s + m.errors, 0)} |`,
    );
  }
  lines.push('');
  lines.push(
    '**Build, bundle and cold start** (cold start: first request latency − median of the next 20, median of ' + COLD + ' fresh workerd',
    'instances; "workerd ready" = Miniflare start until the socket answers, module evaluation included; Node load = WebAssembly compile +',
    'instantiate + table load with `createRouter`, median of 5)',
    '',
    '| worker | table | `switchyard compile` | bundle (gzip) | workerd ready ms | first request ms | warm request ms | cold start ms | Node load ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const b of builds) {
    const c = cold.get(b.name) ?? [];
    const coldMs = median(c.map((x) => x.firstMs - x.warmMs));
    lines.push(
      `| ${b.routes === null ? 'plain `fetch` forwarder' : `Switchyard, ${b.routes.toLocaleString('en-US')} routes`} | ${b.tableBytes !== undefined ? fmtBytes(b.tableBytes) : '–'} | ${b.compileMs !== undefined ? `${fmt(b.compileMs, 0)} ms` : '–'} | ${fmtBytes(b.bytes)} (${fmtBytes(b.gzipBytes)}) | ${fmt(median(c.map((x) => x.readyMs)), 0)} | ${fmt(median(c.map((x) => x.firstMs)))} | ${fmt(median(c.map((x) => x.warmMs)), 2)} | **${fmt(coldMs)}** | ${b.routes !== null ? fmt(nodeLoad.get(b.routes) ?? NaN) : '–'} |`,
    );
  }
  lines.push('');
  const e1 = cpu.get(`switchyard-${E1_SIZE}`);
  const e1Ratio = e1 ? paired(e1) : NaN;
  const big = builds.find((b) => b.routes === 10000);
  const bigCold = big ? median((cold.get(big.name) ?? []).map((x) => x.firstMs - x.warmMs)) : NaN;
  const ok = (v: number, pass: (x: number) => boolean) => (Number.isFinite(v) ? pass(v) : undefined);
  lines.push('**Targets**', '', '| target | figure | verdict |', '|---|---|---|');
  lines.push(`| E1: worker CPU/request at ${E1_SIZE.toLocaleString('en-US')} routes ≤ 1.1× plain \`fetch\` forwarder | ${fmt(e1Ratio, 2)}× | ${verdict(ok(e1Ratio, (x) => x <= 1.1))} |`);
  lines.push(`| cold start (instantiate + table load) ≤ 50 ms at 10,000 routes | ${fmt(bigCold)} ms in workerd (Node: ${fmt(nodeLoad.get(10000) ?? NaN)} ms) | ${verdict(ok(bigCold, (x) => x <= 50))} |`);
  lines.push(`| bundle ≤ 1 MB at 10,000 routes | ${big ? `${fmtBytes(big.bytes)} (gzip ${fmtBytes(big.gzipBytes)})` : '–'} | ${verdict(big ? big.bytes <= 1_000_000 : undefined)} |`);
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const info = new RunInfo();
  const cleanups: (() => Promise<void>)[] = [];
  const running: Running[] = [];
  let backend: Child | undefined;
  try {
    backend = await startNodeTarget(fileURLToPath(new URL('../proxy/backend.ts', import.meta.url)));
    const backendPort = backend.ready.port as number;
    const builds: Built[] = [];
    for (const n of SIZES) {
      log(`edge: building the worker for ${n} routes`);
      builds.push(await buildSwitchyard(n, backendPort, cleanups));
    }
    const forwarder = await buildForwarder(backendPort, join(builds[0]?.dir ?? REPO_ROOT, '..'));
    builds.unshift(forwarder);
    if (BUNDLE_ONLY) {
      for (const b of builds) {
        const table = b.tableBytes !== undefined ? `table ${b.tableBytes} B (${fmt(b.tableBytes / b.routes!, 1)} B/route), ` : '';
        process.stdout.write(`${b.name}: ${table}bundle ${b.bytes} B (gzip ${b.gzipBytes} B), bundle ${verdict(b.bytes <= 1_000_000)} against 1 MB\n`);
      }
      return;
    }
    const wasm = new Uint8Array(await readFile(join(REPO_ROOT, 'build/switchyard.wasm')));
    const nodeLoad = new Map<number, number>();
    for (const b of builds) if (b.routes !== null) nodeLoad.set(b.routes, await nodeLoadMs(new Uint8Array(await readFile(join(b.dir, '..', 'table.bin'))), wasm));

    const pathFor = (b: Built) => hitPath(b.routes ?? E1_SIZE);
    // Warm this process's own fetch client so the first cold request does not pay for it.
    for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${backendPort}/`)).arrayBuffer();
    const cold = new Map<string, Cold[]>();
    for (let i = 0; i < COLD; i++) {
      for (const b of builds) {
        const list = cold.get(b.name) ?? [];
        list.push(await coldStart(b, pathFor(b)));
        cold.set(b.name, list);
        log(`edge: cold ${b.name}: first ${fmt(list[list.length - 1].firstMs)} ms, warm ${fmt(list[list.length - 1].warmMs, 2)} ms`);
      }
    }

    for (const b of builds) running.push(await run(b));
    for (const r of running) await timed(r.worker, pathFor(r.built));
    for (const r of running) await load(new URL(pathFor(r.built), r.worker.url).href, { seconds: Math.min(2, DURATION), connections: CONNECTIONS, maxRequests: MAX_REQUESTS });
    const cpu = new Map<string, CpuRun[]>(running.map((r) => [r.built.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = running.map((_, i) => running[(i + round) % running.length]);
      for (const r of order) {
        const c0 = cpuMicros(r.pid);
        const res = await load(new URL(pathFor(r.built), r.worker.url).href, { seconds: DURATION, connections: CONNECTIONS, maxRequests: MAX_REQUESTS });
        const used = cpuMicros(r.pid) - c0;
        const m: CpuRun = { round, rps: res.rps, p99: res.p99, requests: res.requests, errors: res.errors + res.non2xx, cpuPerRequest: used / Math.max(res.requests, 1) };
        cpu.get(r.built.name)!.push(m);
        log(`edge: round ${round + 1} ${r.built.name}: ${fmtRate(m.rps)} req/s, ${fmt(m.cpuPerRequest)} µs/req`);
      }
    }
    const command = `ROUTE_SIZES=${SIZES.join(',')} DURATION=${DURATION} ROUNDS=${ROUNDS} CONNECTIONS=${CONNECTIONS} COLD=${COLD} npm run bench:edge`;
    const markdown = render(info, command, builds, cpu, cold, nodeLoad);
    process.stdout.write(markdown + '\n');
    writeSection('edge', 'npm run bench:edge', markdown);
    writeJson({ builds, cpu: Object.fromEntries(cpu), cold: Object.fromEntries(cold), nodeLoad: Object.fromEntries(nodeLoad) });
  } finally {
    for (const r of running) await r.worker.dispose().catch(() => undefined);
    await backend?.stop();
    for (const c of cleanups) await c();
    removeCompiledEntries();
  }
}

await main();
