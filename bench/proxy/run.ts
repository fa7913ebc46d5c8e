/**
 * Proxy benchmark (performance.md §3, goals P1–P3): loopback, one backend process; the load
 * generator (autocannon) in its own process; every proxy in its own process so its CPU can be
 * read from /proc/<pid>/stat (utime+stime delta ÷ requests).
 *
 * Targets: direct to the backend; the Switchyard Node gateway (1,000 routes, the hit route with
 * a 90/10 weighted backend pick and a RequestHeaderModifier filter); a bare undici `Pool.stream`
 * proxy; fastify + @fastify/reply-from; nginx when `nginx` is on PATH. After a warm-up, ROUNDS
 * rounds run every target once in a rotated order (interleaved); figures are medians, ratios
 * are medians of per-round ratios. With ≥ 2 CPUs the proxy runs on CPU 0, the backend and the
 * load generator on CPU 1 (for "direct", the load generator on CPU 0).
 *
 * The share of matching + backend pick is `router.match` time (timed inside the gateway
 * process around every call) ÷ the gateway's CPU time. PROFILE=1 adds a `--cpu-prof` run of the
 * gateway and lists its top self-time functions.
 *
 *   npm run bench:proxy
 *   env: ROUTES=1000  DURATION=8 (s per measurement)  WARMUP=2 (s)  ROUNDS=3  CONNECTIONS=50
 *        MAX_REQUESTS=2000000 (cap per measurement)  TARGETS=gateway,undici (name filter)
 *        PROFILE=1  PROFILE_OUT=file (keeps the .cpuprofile)  BACKEND=echo (conformance echo backend instead of the 51-byte JSON)
 *        RESULTS=bench/RESULTS.md (RESULTS= skips writing)  JSON_OUT=file (raw figures)
 */
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuMicros,
  envNumber,
  fmt,
  fmtRate,
  freePort,
  load,
  log,
  median,
  minMax,
  onPath,
  pinned,
  RunInfo,
  startChild,
  removeCompiledEntries,
  startNodeTarget,
  treeCpuMicros,
  verdict,
  writeJson,
  writeSection,
  type Child,
  type LoadResult,
} from './common.js';
import { hitPath, writeManifests } from './manifests.js';
import { nginxConfig } from './targets/nginx.js';

const ROUTES = envNumber('ROUTES', 1000);
const DURATION = envNumber('DURATION', 8);
const WARMUP = envNumber('WARMUP', 2);
const ROUNDS = envNumber('ROUNDS', 3);
const CONNECTIONS = envNumber('CONNECTIONS', 50);
const MAX_REQUESTS = envNumber('MAX_REQUESTS', 2_000_000);
const FILTER = process.env.TARGETS?.split(',').filter(Boolean);
const PROFILE = process.env.PROFILE === '1';
const PROXY_CPU = 0;
const SIDE_CPU = 1;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface Target {
  name: string;
  label: string;
  /** The process whose CPU is the proxy's (the backend for "direct"). */
  pid: number;
  port: number;
  isProxy: boolean;
  child?: Child;
}

export interface Measurement {
  round: number;
  load: LoadResult;
  /** Proxy process CPU µs per request (for "direct": the backend's). */
  cpuPerRequest: number;
  backendCpuPerRequest: number;
  /** Gateway only: router.match ns per request and its share of the proxy CPU. */
  matchNsPerRequest?: number;
  matchShare?: number;
}

export interface TargetResult {
  name: string;
  label: string;
  installed: boolean;
  runs: Measurement[];
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function startTargets(backend: Child, backendPort: number, manifestsDir: string, listenerPort: number, cleanups: (() => Promise<void>)[]): Promise<{ targets: Target[]; missing: TargetResult[] }> {
  const targets: Target[] = [];
  const missing: TargetResult[] = [];
  const want = (name: string) => !FILTER || FILTER.includes(name);
  if (want('direct')) targets.push({ name: 'direct', label: 'direct to the backend', pid: backend.pid, port: backendPort, isProxy: false });
  if (want('gateway')) {
    const child = await startNodeTarget(here('./targets/gateway.ts'), { cpu: PROXY_CPU, env: { MANIFESTS: manifestsDir } });
    targets.push({ name: 'gateway', label: `Switchyard Node gateway (${ROUTES.toLocaleString('en-US')} routes, weighted pick + 1 filter)`, pid: child.pid, port: child.ready.port as number, isProxy: true, child });
  }
  if (want('undici')) {
    const child = await startNodeTarget(here('./targets/undici.ts'), { cpu: PROXY_CPU, env: { BACKEND_PORT: String(backendPort) } });
    targets.push({ name: 'undici', label: 'undici `Pool.stream` (bare proxy)', pid: child.pid, port: child.ready.port as number, isProxy: true, child });
  }
  if (want('fastify')) {
    const child = await startNodeTarget(here('./targets/fastify.ts'), { cpu: PROXY_CPU, env: { BACKEND_PORT: String(backendPort) } });
    targets.push({ name: 'fastify', label: 'fastify + @fastify/reply-from', pid: child.pid, port: child.ready.port as number, isProxy: true, child });
  }
  if (want('nginx')) {
    if (!onPath('nginx')) missing.push({ name: 'nginx', label: 'nginx (1 worker)', installed: false, runs: [] });
    else {
      const port = await freePort();
      const { prefix, conf } = await nginxConfig(port, backendPort);
      cleanups.push(() => rm(prefix, { recursive: true, force: true }));
      const child = await startChild(pinned(PROXY_CPU, ['nginx', '-p', prefix, '-c', conf]), { readyWhen: async () => (await get(port, '/')) === 200 });
      targets.push({ name: 'nginx', label: 'nginx (1 worker)', pid: child.pid, port, isProxy: true, child });
    }
  }
  void listenerPort;
  return { targets, missing };
}

async function measure(target: Target, backendPid: number, seconds: number, round: number): Promise<Measurement> {
  if (target.name === 'gateway') await target.child!.ask({ cmd: 'reset' });
  const cpu0 = treeCpuMicros(target.pid);
  const backend0 = cpuMicros(backendPid);
  const result = await load(`http://127.0.0.1:${target.port}${hitPath(ROUTES)}`, {
    seconds,
    connections: CONNECTIONS,
    maxRequests: MAX_REQUESTS,
    cpu: target.isProxy ? SIDE_CPU : PROXY_CPU,
  });
  const cpu = treeCpuMicros(target.pid) - cpu0;
  const backendCpu = cpuMicros(backendPid) - backend0;
  const n = Math.max(result.requests, 1);
  const m: Measurement = { round, load: result, cpuPerRequest: cpu / n, backendCpuPerRequest: backendCpu / n };
  if (target.name === 'gateway') {
    const stats = (await target.child!.ask({ cmd: 'stats' })) as { matchNs: number; matches: number };
    m.matchNsPerRequest = stats.matchNs / Math.max(stats.matches, 1);
    m.matchShare = stats.matchNs / 1000 / Math.max(cpu, 1);
  }
  log(
    `round ${round + 1} ${target.name}: ${fmtRate(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, CPU ${fmt(m.cpuPerRequest)} µs/req` +
      (m.matchNsPerRequest !== undefined ? `, match ${fmt(m.matchNsPerRequest / 1000, 2)} µs/req (${fmt(m.matchShare! * 100)}%)` : '') +
      (result.errors || result.non2xx ? `, ${result.errors} errors, ${result.non2xx} non-2xx` : ''),
  );
  return m;
}

/** Self time per function of a .cpuprofile, and the inclusive share of `router.match`. */
async function summarizeProfile(dir: string): Promise<{ top: { name: string; share: number }[]; matchShare: number; samples: number } | undefined> {
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return undefined;
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(node_modules\/)?/, '$1').replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
    return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const self = new Map<string, number>();
  let total = 0;
  let inMatch = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      if (name === '(idle)') {
        idle += dt;
        return;
      }
    }
    total += dt;
    self.set(label(id), (self.get(label(id)) ?? 0) + dt);
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const f = byId.get(p)!.callFrame;
      if (f.functionName === 'match' && f.url.includes('runtime/router')) {
        inMatch += dt;
        break;
      }
    }
  });
  void idle;
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, t]) => ({ name, share: t / total }));
  return { top, matchShare: inMatch / total, samples: profile.samples.length };
}

function pairedRatio(results: TargetResult[], a: string, b: string, pick: (m: Measurement) => number): number {
  const ra = results.find((r) => r.name === a)?.runs ?? [];
  const rb = results.find((r) => r.name === b)?.runs ?? [];
  const ratios: number[] = [];
  for (const m of ra) {
    const o = rb.find((x) => x.round === m.round);
    if (o) ratios.push(pick(m) / pick(o));
  }
  return median(ratios);
}

function render(results: TargetResult[], info: RunInfo, command: string, profile: Awaited<ReturnType<typeof summarizeProfile>>): string {
  const lines: string[] = [];
  lines.push('## Proxy: Node gateway against Node proxies and nginx', '');
  lines.push(info.line(), '', `Command: \`${command}\``, '');
  lines.push(
    `Loopback; one backend process (\`node:http\`, 51-byte JSON, keep-alive); load = autocannon in its own process, ${CONNECTIONS} connections,`,
    `${DURATION} s per measurement (≤ ${MAX_REQUESTS.toLocaleString('en-US')} requests), ${WARMUP} s warm-up per target, ${ROUNDS} interleaved rounds (rotated order).`,
    'Proxy on CPU 0, backend and load generator on CPU 1 (taskset). Request: `GET ' + hitPath(ROUTES) + '` (middle of the table).',
    'CPU µs/req = Δ(utime+stime) of the proxy process from /proc/<pid>/stat ÷ requests answered in the measurement; medians',
    '(min–max); ratios are medians of per-round ratios against the target measured in the same round.',
    '',
  );
  lines.push('| target | req/s median (min–max) | p50 ms | p99 ms | proxy CPU µs/req (min–max) | backend CPU µs/req | CPU ÷ undici | CPU ÷ fastify | req/s ÷ fastify | errors / non-2xx |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const has = (n: string) => results.some((r) => r.name === n && r.runs.length);
  for (const r of results) {
    if (!r.installed) {
      lines.push(`| ${r.label} | not installed | | | | | | | | |`);
      continue;
    }
    const rps = r.runs.map((m) => m.load.rps);
    const cpu = r.runs.map((m) => m.cpuPerRequest);
    const [rlo, rhi] = minMax(rps);
    const [clo, chi] = minMax(cpu);
    const cpuCell = r.name === 'direct' ? `backend itself ${fmt(median(cpu))}` : `**${fmt(median(cpu))}** (${fmt(clo)}–${fmt(chi)})`;
    const ratio = (other: string, pick: (m: Measurement) => number) => (r.name !== 'direct' && has(other) ? `${fmt(pairedRatio(results, r.name, other, pick), 2)}×` : '–');
    const errors = r.runs.reduce((s, m) => s + m.load.errors, 0);
    const non2xx = r.runs.reduce((s, m) => s + m.load.non2xx, 0);
    lines.push(
      `| ${r.label} | ${fmtRate(median(rps))} (${fmtRate(rlo)}–${fmtRate(rhi)}) | ${fmt(median(r.runs.map((m) => m.load.p50)), 2)} | ${fmt(median(r.runs.map((m) => m.load.p99)), 2)} | ${cpuCell} | ${fmt(median(r.runs.map((m) => m.backendCpuPerRequest)))} | ${ratio('undici', (m) => m.cpuPerRequest)} | ${ratio('fastify', (m) => m.cpuPerRequest)} | ${has('fastify') ? `${fmt(pairedRatio(results, r.name, 'fastify', (m) => m.load.rps), 2)}×` : '–'} | ${errors} / ${non2xx} |`,
    );
  }
  lines.push('');
  const gw = results.find((r) => r.name === 'gateway');
  const matchNs = gw?.runs.length ? median(gw.runs.map((m) => m.matchNsPerRequest ?? NaN)) : NaN;
  const matchShare = gw?.runs.length ? median(gw.runs.map((m) => m.matchShare ?? NaN)) : NaN;
  if (gw?.runs.length) {
    lines.push(
      `Matching + backend pick inside the gateway: \`router.match\` takes **${fmt(matchNs / 1000, 2)} µs per request** (timed around every call with`,
      `\`performance.now()\`, timer overhead included), **${fmt(matchShare * 100)}%** of the gateway's CPU per request (median of rounds).`,
      '',
    );
  }
  if (profile) {
    lines.push(
      `Profile of the gateway (V8 CPU profiler over one ${DURATION} s load after a warm-up, ${profile.samples.toLocaleString('en-US')} samples): \`router.match\` and its callees ${fmt(profile.matchShare * 100)}% of non-idle samples. Top self time:`,
      '',
      '| function | self share |',
      '|---|---:|',
      ...profile.top.map((t) => `| \`${t.name}\` | ${fmt(t.share * 100)}% |`),
      '',
    );
  }
  const cpuVs = (other: string) => (gw?.runs.length && has(other) ? pairedRatio(results, 'gateway', other, (m) => m.cpuPerRequest) : NaN);
  const rpsVsFastify = gw?.runs.length && has('fastify') ? pairedRatio(results, 'gateway', 'fastify', (m) => m.load.rps) : NaN;
  const p99 = (n: string) => median(results.find((r) => r.name === n)?.runs.map((m) => m.load.p99) ?? []);
  const ok = (v: number, pass: (x: number) => boolean) => (Number.isFinite(v) ? pass(v) : undefined);
  lines.push('**Targets**', '', '| target | figure | verdict |', '|---|---|---|');
  lines.push(`| P1: gateway CPU/request ≤ 1.3× bare undici \`Pool.stream\` | ${fmt(cpuVs('undici'), 2)}× | ${verdict(ok(cpuVs('undici'), (x) => x <= 1.3))} |`);
  lines.push(`| P1: gateway CPU/request ≤ 0.7× fastify + reply-from | ${fmt(cpuVs('fastify'), 2)}× | ${verdict(ok(cpuVs('fastify'), (x) => x <= 0.7))} |`);
  lines.push(`| P2: gateway req/s ≥ 1.3× fastify + reply-from | ${fmt(rpsVsFastify, 2)}× | ${verdict(ok(rpsVsFastify, (x) => x >= 1.3))} |`);
  const p99ok = has('gateway') && has('fastify') ? p99('gateway') <= p99('fastify') : undefined;
  lines.push(`| P2: gateway p99 ≤ fastify + reply-from p99 | ${fmt(p99('gateway'), 2)} ms vs ${fmt(p99('fastify'), 2)} ms | ${verdict(p99ok)} |`);
  lines.push(`| P3: match + backend pick ≤ 5% of the gateway's CPU/request | ${fmt(matchShare * 100)}% (${fmt(matchNs / 1000, 2)} µs) | ${verdict(ok(matchShare, (x) => x <= 0.05))} |`);
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const info = new RunInfo();
  const cleanups: (() => Promise<void>)[] = [];
  const children: Child[] = [];
  try {
    const backend = await startNodeTarget(here('./backend.ts'), { cpu: SIDE_CPU });
    children.push(backend);
    const backendPort = backend.ready.port as number;
    const listenerPort = (await freePort()) as number;
    const manifests = await writeManifests(ROUTES, listenerPort, backendPort);
    cleanups.push(manifests.remove);
    const { targets, missing } = await startTargets(backend, backendPort, manifests.dir, listenerPort, cleanups);
    for (const t of targets) if (t.child) children.push(t.child);
    for (const t of targets) {
      const status = await get(t.port, hitPath(ROUTES));
      if (status !== 200) throw new Error(`${t.name} answered ${status} for ${hitPath(ROUTES)}`);
    }
    if (WARMUP > 0) for (const t of targets) await load(`http://127.0.0.1:${t.port}${hitPath(ROUTES)}`, { seconds: WARMUP, connections: CONNECTIONS, maxRequests: MAX_REQUESTS, cpu: t.isProxy ? SIDE_CPU : PROXY_CPU });
    const results: TargetResult[] = targets.map((t) => ({ name: t.name, label: t.label, installed: true, runs: [] }));
    for (let round = 0; round < ROUNDS; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const t of order) results.find((r) => r.name === t.name)!.runs.push(await measure(t, backend.pid, DURATION, round));
    }
    results.push(...missing);
    let profile: Awaited<ReturnType<typeof summarizeProfile>>;
    const measured = targets.find((t) => t.name === 'gateway');
    if (PROFILE && measured) {
      // The profiled gateway binds the same listener port.
      await measured.child!.stop();
      const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-prof-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      // Source locations kept (tsx); the profile covers only the measured load, after a warm-up.
      const child = await startNodeTarget(here('./targets/gateway.ts'), { tsx: true, cpu: PROXY_CPU, env: { MANIFESTS: manifests.dir, TIME_MATCH: '0' } });
      try {
        const url = `http://127.0.0.1:${child.ready.port}${hitPath(ROUTES)}`;
        await load(url, { seconds: WARMUP || 1, connections: CONNECTIONS, maxRequests: MAX_REQUESTS, cpu: SIDE_CPU });
        await child.ask({ cmd: 'profile-start' });
        await load(url, { seconds: DURATION, connections: CONNECTIONS, maxRequests: MAX_REQUESTS, cpu: SIDE_CPU });
        await child.ask({ cmd: 'profile-stop', file: join(dir, 'gateway.cpuprofile') });
        if (process.env.PROFILE_OUT) await copyFile(join(dir, 'gateway.cpuprofile'), process.env.PROFILE_OUT);
      } finally {
        await child.stop();
      }
      profile = await summarizeProfile(dir);
    }
    const env = [`ROUTES=${ROUTES}`, `DURATION=${DURATION}`, `ROUNDS=${ROUNDS}`, `CONNECTIONS=${CONNECTIONS}`, PROFILE ? 'PROFILE=1' : '', process.env.TARGETS ? `TARGETS=${process.env.TARGETS}` : '']
      .filter(Boolean)
      .join(' ');
    const command = `${env} npm run bench:proxy`;
    const markdown = render(results, info, command, profile);
    process.stdout.write(markdown + '\n');
    writeSection('proxy', 'npm run bench:proxy', markdown);
    writeJson({ routes: ROUTES, results, profile });
  } finally {
    for (const c of children.reverse()) await c.stop();
    for (const c of cleanups) await c();
    removeCompiledEntries();
  }
}

await main();
