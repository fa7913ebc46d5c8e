/**
 * Reload and memory benchmark (goal R1 and the Node RSS budget): the Node gateway in its own
 * process (bench/proxy/targets/gateway.ts) serving N generated routes (bench/proxy/manifests.ts)
 * from a temporary directory.
 *
 * - Watch path: the gateway watches the directory (`watch: true`, as `switchyard serve --watch`);
 *   each repetition rewrites routes.yaml with one more Exact route `/reload/{k}` and polls that
 *   path (sequential loopback requests, 2 ms apart) until it answers 200. Figure = time from the
 *   start of the file write to the first 200 (the gateway's pipeline starts at the first change
 *   event; the new table serves once the 25 ms quiet period is over and the file is unchanged).
 * - reload() alone: a second gateway without watching; after the same file write, `gateway.reload()`
 *   is called over IPC and timed inside the gateway process (pipeline + table compile + core
 *   load + swap), then the new route is checked.
 * - Memory: RSS (/proc/<pid>/status VmRSS) after start and after a bounded load through the hit
 *   route; VmHWM (peak, reloads included).
 *
 * Where a reload's time goes (load, validate + resolve, compile, core load): bench/reload/stages.ts.
 *
 *   npm run bench:reload
 *   env: ROUTE_SIZES=1000,10000  REPEATS=5  LOAD_SECONDS=3
 *        RESULTS=bench/RESULTS.md (RESULTS= skips writing)  JSON_OUT=file
 */
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { envList, envNumber, fmt, fmtBytes, freePort, load, log, median, memory, minMax, removeCompiledEntries, RunInfo, sleep, startNodeTarget, verdict, writeJson, writeSection, type Child } from '../proxy/common.js';
import { hitPath, routesYaml, writeManifests } from '../proxy/manifests.js';

const SIZES = envList('ROUTE_SIZES', [1000, 10000]);
const REPEATS = envNumber('REPEATS', 5);
const LOAD_SECONDS = envNumber('LOAD_SECONDS', 3);
const POLL_TIMEOUT_MS = 60_000;
const GATEWAY = fileURLToPath(new URL('../proxy/targets/gateway.ts', import.meta.url));

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function until200(port: number, path: string, from: number): Promise<number> {
  while (performance.now() - from < POLL_TIMEOUT_MS) {
    if ((await status(port, path)) === 200) return performance.now() - from;
    await sleep(2);
  }
  throw new Error(`${path} did not answer within ${POLL_TIMEOUT_MS} ms`);
}

export interface SizeResult {
  n: number;
  startMs: number;
  watchMs: number[];
  reloadMs: number[];
  rssStart: number;
  rssServing: number;
  peak: number;
  heapUsed: number;
  /** JS heap and RSS after a full collection (the gateway runs with --expose-gc). */
  liveHeap: number;
  rssAfterGc: number;
}

async function measureSize(n: number, backendPort: number): Promise<SizeResult> {
  // Watch path.
  const listenerPort = await freePort();
  const set = await writeManifests(n, listenerPort, backendPort);
  let gw: Child | undefined;
  try {
    gw = await startNodeTarget(GATEWAY, { env: { MANIFESTS: set.dir, WATCH: '1', TIME_MATCH: '0' }, nodeFlags: ['--expose-gc'], timeoutMs: 300_000 });
    const port = gw.ready.port as number;
    const startMs = gw.ready.startMs as number;
    await sleep(300);
    const rssStart = memory(gw.pid).rss;
    const watchMs: number[] = [];
    const extra: number[] = [];
    for (let k = 1; k <= REPEATS; k++) {
      extra.push(k);
      const text = routesYaml(n, extra);
      if ((await status(port, `/reload/${k}`)) !== 404) throw new Error(`/reload/${k} answered before the change`);
      const t0 = performance.now();
      await writeFile(set.routesFile, text);
      const ms = await until200(port, `/reload/${k}`, t0);
      watchMs.push(ms);
      log(`reload N=${n}: watch ${k}/${REPEATS}: ${fmt(ms)} ms`);
      await sleep(300);
    }
    await load(`http://127.0.0.1:${port}${hitPath(n)}`, { seconds: LOAD_SECONDS, connections: 20, maxRequests: 500_000 });
    const mem = memory(gw.pid);
    const heap = (await gw.ask({ cmd: 'memory' })) as { heapUsed: number };
    const live = (await gw.ask({ cmd: 'memory', gc: true })) as { heapUsed: number };
    const rssAfterGc = memory(gw.pid).rss;
    await gw.stop();
    gw = undefined;

    // reload() alone.
    await writeFile(set.routesFile, routesYaml(n));
    gw = await startNodeTarget(GATEWAY, { env: { MANIFESTS: set.dir, TIME_MATCH: '0' }, timeoutMs: 300_000 });
    const port2 = gw.ready.port as number;
    const reloadMs: number[] = [];
    const extra2: number[] = [];
    for (let k = 1; k <= REPEATS; k++) {
      extra2.push(k);
      await writeFile(set.routesFile, routesYaml(n, extra2));
      const r = (await gw.ask({ cmd: 'reload' }, 300_000)) as { ms: number; changed: boolean };
      if (!r.changed) throw new Error(`reload ${k} at N=${n} changed nothing`);
      // A keep-alive connection the gateway closed meanwhile answers 0 once: poll (bounded).
      await until200(port2, `/reload/${k}`, performance.now());
      reloadMs.push(r.ms);
      log(`reload N=${n}: reload() ${k}/${REPEATS}: ${fmt(r.ms)} ms`);
    }
    return { n, startMs, watchMs, reloadMs, rssStart, rssServing: mem.rss, peak: mem.peak, heapUsed: heap.heapUsed, liveHeap: live.heapUsed, rssAfterGc };
  } finally {
    await gw?.stop();
    await set.remove();
  }
}

function render(info: RunInfo, command: string, sizes: SizeResult[]): string {
  const lines: string[] = [];
  const range = (v: number[]) => {
    const [lo, hi] = minMax(v);
    return `**${fmt(median(v))}** (${fmt(lo)}–${fmt(hi)})`;
  };
  lines.push('## Reload and memory: Node gateway', '', info.line(), '', `Command: \`${command}\``, '');
  lines.push(
    'The gateway runs in its own process on N generated routes (one HTTPRoute each, bench/proxy/manifests.ts). "Write → serving" = from',
    'the start of rewriting routes.yaml (one more Exact route) to the first 200 on that route, with the gateway watching the directory',
    '(the pipeline runs at the first change event; its table serves once the file has been quiet for 25 ms and still holds what was read).',
    '"reload() alone" = `gateway.reload()` called directly after the',
    `same write, timed in the gateway process. ${REPEATS} repetitions each, median (min–max), ms. RSS from /proc/<pid>/status after start and`,
    `after ${LOAD_SECONDS} s of load through the hit route (the ${REPEATS} reloads before it), then again after a full GC; peak = VmHWM (reloads included).`,
    '',
  );
  lines.push('| routes | start ms | write → serving ms | reload() alone ms | RSS after start | RSS serving | peak RSS | JS heap used | RSS after GC | live heap after GC |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of sizes) {
    lines.push(
      `| ${s.n.toLocaleString('en-US')} | ${fmt(s.startMs, 0)} | ${range(s.watchMs)} | ${range(s.reloadMs)} | ${fmtBytes(s.rssStart)} | ${fmtBytes(s.rssServing)} | ${fmtBytes(s.peak)} | ${fmtBytes(s.heapUsed)} | ${fmtBytes(s.rssAfterGc)} | ${fmtBytes(s.liveHeap)} |`,
    );
  }
  lines.push('');
  const at = (n: number) => sizes.find((s) => s.n === n);
  const ok = (v: number | undefined, pass: (x: number) => boolean) => (v !== undefined && Number.isFinite(v) ? pass(v) : undefined);
  const w1 = at(1000) ? median(at(1000)!.watchMs) : undefined;
  const w10 = at(10000) ? median(at(10000)!.watchMs) : undefined;
  const r1 = at(1000) ? median(at(1000)!.reloadMs) : undefined;
  const r10 = at(10000) ? median(at(10000)!.reloadMs) : undefined;
  const rss10 = at(10000)?.rssServing;
  lines.push('**Targets**', '', '| target | figure | verdict |', '|---|---|---|');
  lines.push(`| R1: manifest write → serving ≤ 50 ms at 1,000 routes | ${fmt(w1 ?? NaN)} ms (reload() alone ${fmt(r1 ?? NaN)} ms) | ${verdict(ok(w1, (x) => x <= 50))} |`);
  lines.push(`| R1: manifest write → serving ≤ 500 ms at 10,000 routes | ${fmt(w10 ?? NaN)} ms (reload() alone ${fmt(r10 ?? NaN)} ms) | ${verdict(ok(w10, (x) => x <= 500))} |`);
  lines.push(`| S1: Node gateway RSS serving 10,000 routes ≤ 120 MB | ${rss10 !== undefined ? `${fmtBytes(rss10)} (after GC ${fmtBytes(at(10000)!.rssAfterGc)}, after start ${fmtBytes(at(10000)!.rssStart)}, peak ${fmtBytes(at(10000)!.peak)})` : '–'} | ${verdict(ok(rss10, (x) => x <= 120 * 1024 * 1024))} |`);
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const info = new RunInfo();
  const backend = await startNodeTarget(fileURLToPath(new URL('../proxy/backend.ts', import.meta.url)));
  try {
    const sizes: SizeResult[] = [];
    for (const n of SIZES) sizes.push(await measureSize(n, backend.ready.port as number));
    const command = `ROUTE_SIZES=${SIZES.join(',')} REPEATS=${REPEATS} LOAD_SECONDS=${LOAD_SECONDS} npm run bench:reload`;
    const markdown = render(info, command, sizes);
    process.stdout.write(markdown + '\n');
    writeSection('reload', 'npm run bench:reload', markdown);
    writeJson({ sizes });
  } finally {
    agent.destroy();
    await backend.stop();
    removeCompiledEntries();
  }
}

await main();
