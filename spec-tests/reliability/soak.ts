/**
 * The battery at full size (`npm run soak`): B1 ×20, B2, B7 (reload every second under load,
 * then memory after 600 reloads), B10 (1,000 header-dripping sockets at the default 10 s header
 * timeout) against an in-process gateway, and B6 (100,000 generated requests, Node vs edge
 * worker); figures go to spec-tests/reliability/RESULTS.md. Sizes can be lowered with
 * SOAK_B1_REPS, SOAK_B7_SECONDS, SOAK_B7_RPS, SOAK_B7_RELOADS, SOAK_B10_SOCKETS, SOAK_B6_REQUESTS.
 * B10 slow bodies (200 sockets sending a body at 1 B/s, cut by the request timeout):
 * SOAK_B10_BODIES, SOAK_B10_REQUEST_TIMEOUT_S (default 30).
 * B15 (1,000 HTTPRoutes on 64 listeners: rebuild, match p99, time-to-ready over 100 additions)
 * sizes: SOAK_B15_ROUTES, SOAK_B15_MATCHES, SOAK_B15_ADDITIONS.
 * B14 (soak of `switchyard serve` as a child process: keep-alive load with 5% malformed requests
 * and a manifest change every 30 s, the gateway process sampled every 10 s) sizes: SOAK_B14_SECONDS (default 3,600), SOAK_B14_RPS (default 1,000),
 * SOAK_B14_WARMUP_SECONDS (default 300, at most a third of the run).
 * B9 (connect-timeout lateness to a black-holed endpoint; one of two endpoint processes
 * `kill -9`'d under load): SOAK_B9_CONNECTS, SOAK_B9_KILL_SECONDS, SOAK_B9_RPS.
 * SOAK_ONLY=B15 (comma-separated IDs among B1, B2, B6, B7, B9, B10, B14, B15) runs only those rows and
 * replaces only their lines in RESULTS.md, keeping the others.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildConnector } from 'undici';
import { timedConnector } from '../../host-node/connector.js';
import { CLASS, gatewayYaml, ManifestDir, routeYaml, serviceYaml, startGateway } from '../../host-node/test-support.js';
import { reloadMemory, runMalformedBattery, runPathMatrix, startFixture } from './battery.js';
import { runParity, startEdgeFor } from './parity.js';
import { generateTargets } from './requests.js';
import { MALFORMED } from './malformed.js';
import { PATH_MATRIX, PATH_MATRIX_HOST, pathMatrixRules } from './path-matrix.js';
import { startBackendProcess, startServeProcess } from './processes.js';
import { get, percentiles, RawConnection, runLoad, rssMiB, sleep, startBlackHole, startRecordingBackend, type LoadResult } from './support.js';
import { measureMatch, measureRebuild, measureTimeToReady, startScaleGateway } from './scale.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const only = process.env.SOAK_ONLY ? new Set(process.env.SOAK_ONLY.split(',').map((id) => id.trim())) : undefined;
const runs = (id: string) => only === undefined || only.has(id);
const lines: string[] = [];
const record = (line: string) => {
  lines.push(line);
  process.stdout.write(line + '\n');
};

async function main(): Promise<void> {
  let failed = false;
  if (runs('B1') || runs('B2') || runs('B7')) {
    const fixture = await startFixture(31_000);
    try {
      const reps = env('SOAK_B1_REPS', 20);
      await runMalformedBattery(fixture, 1);
      const b1 = await runMalformedBattery(fixture, reps);
      failed ||= b1.failures.length > 0;
      record(`| B1 | ${MALFORMED.length} kinds × ${reps}: ${b1.malformedSent} malformed + ${b1.validSent} valid in ${b1.durationMs} ms | ${b1.failures.length} failures${b1.failures.length ? ` (${b1.failures.slice(0, 5).join('; ')})` : ''}; RSS ${b1.rssBeforeMiB} → ${b1.rssAfterMiB} MiB; retained heap ${b1.heapBeforeMiB} → ${b1.heapAfterMiB} MiB |`);

      const b2 = await runPathMatrix(fixture);
      failed ||= b2.length > 0;
      record(`| B2 | ${PATH_MATRIX.length} targets (Node) | ${b2.length} mismatches${b2.length ? ` (${b2.join('; ')})` : ''} |`);

      const seconds = env('SOAK_B7_SECONDS', 60);
      const rps = env('SOAK_B7_RPS', 2_000);
      const rssBefore = rssMiB();
      const load = runLoad({ port: fixture.port, host: 'a.example', connections: 50, durationMs: seconds * 1_000, rps, path: (n) => `/public/steady?n=${n}` });
      let rejected = 0;
      let applied = 0;
      for (let i = 1; i <= seconds - 1; i++) {
        await sleep(1_000);
        const invalid = i % 10 === 0;
        const docs = invalid
          ? [routeYaml('broken', `  - matches: [{ path: { type: PathPrefix, value: no-slash } }]\n    backendRefs: [{ name: admin, port: 8080 }]`)]
          : Array.from({ length: 10 + (i % 10) * 10 }, (_, k) => routeYaml(`extra-${k}`, `  - matches: [{ path: { type: PathPrefix, value: /extra-${k} } }]\n    backendRefs: [{ name: admin, port: 8080 }]`, '  hostnames: [a.example]\n'));
        await fixture.dir.write('extra.yaml', ...docs);
        const info = await fixture.gateway.reload();
        if (info.rejected) rejected++;
        else applied++;
      }
      const b7 = await load;
      failed ||= b7.failures > 0;
      record(`| B7 | ${seconds} s, 50 keep-alive connections, target ${rps} rps: ${b7.sent} requests (${Math.round(b7.sent / seconds)} rps); ${applied} reloads applied, ${rejected} invalid rejected | ${b7.failures} failures; latency ms ${JSON.stringify(percentiles(b7.latencies))}; RSS ${rssBefore} → ${rssMiB()} MiB |`);
      await fixture.dir.write('extra.yaml', '');
      await fixture.gateway.reload();

      const reloads = env('SOAK_B7_RELOADS', 600);
      const memory = await reloadMemory(fixture, reloads);
      const heapHeld = memory.heapAfterMiB < memory.heapBeforeMiB * 1.1;
      failed ||= memory.applied !== reloads || !heapHeld;
      record(`| B7 | ${reloads} reloads, each a new table (1–20 extra routes), in ${memory.durationMs} ms | ${memory.applied} applied; retained heap ${memory.heapBeforeMiB} → ${memory.heapAfterMiB} MiB (${heapHeld ? 'within' : 'over'} +10%); external ${memory.externalBeforeMiB} → ${memory.externalAfterMiB} MiB; RSS ${memory.rssBeforeMiB} → ${memory.rssAfterMiB} MiB |`);
    } finally {
      await fixture.close();
    }
  }

  if (runs('B6')) {
    const parityFixture = await startFixture(31_200);
    try {
      const edge = await startEdgeFor(parityFixture);
      try {
        const count = env('SOAK_B6_REQUESTS', 100_000);
        const b6 = await runParity(parityFixture.port, edge.port, generateTargets(0x5eed, count));
        const defects = b6.mismatches.filter((m) => m.class === 'as-written' || m.class === 'unexplained');
        failed ||= defects.length > 0;
        record(
          `| B6 | ${b6.sent} generated raw requests, Node gateway vs edge worker (Miniflare), in ${b6.durationMs} ms | ${b6.byClass['as-written']} mismatches among ${b6.unaltered} targets passed as written, ${b6.byClass.unexplained} unexplained among the ${b6.sent - b6.unaltered} the Workers runtime rewrites${defects.length ? ` (first: ${defects.slice(0, 3).map((m) => `${m.target} ${JSON.stringify(m.node)} vs ${JSON.stringify(m.edge)}`).join('; ')})` : ''}; counted apart, the edge answering as Node does for the target the worker received: ${b6.byClass['removed-control']} removed-control (Node 400 for an encoded control byte in a segment the runtime's parser removed), ${b6.byClass['runtime-parse']} runtime-parse (workerd resolves literal .. before \\ and %2e count); outcomes ${JSON.stringify(b6.statuses)} |`,
        );
      } finally {
        await edge.close();
      }
    } finally {
      await parityFixture.close();
    }
  }

  if (runs('B10')) {
    const drips = env('SOAK_B10_SOCKETS', 1_000);
    const slow = await startFixture(31_100);
    try {
      const sockets = Array.from({ length: drips }, () => new RawConnection(slow.port));
      await Promise.all(sockets.map((c) => c.connected.catch(() => undefined)));
      const started = Date.now();
      const text = 'GET /public/slow HTTP/1.1\r\nHost: a.example\r\nX-Slow: ' + 'a'.repeat(200);
      let byte = 0;
      const timer = setInterval(() => {
        for (const c of sockets) if (!c.closed) c.write(text[Math.min(byte, text.length - 1)]!);
        byte++;
      }, 500);
      const load = runLoad({ port: slow.port, host: 'a.example', connections: 10, durationMs: 13_000, rps: 500, path: (n) => `/public/legit?n=${n}` });
      const closedAt: number[] = [];
      await Promise.all(sockets.map(async (c) => (await c.waitClose(15_000)) && closedAt.push(Date.now() - started)));
      clearInterval(timer);
      for (const c of sockets) c.destroy();
      const b10 = await load;
      failed ||= b10.failures > 0 || closedAt.length !== drips;
      record(`| B10 | ${drips} sockets dripping 1 header byte / 500 ms (headersTimeout 10 s, check 1 s) + 500 rps legit | ${closedAt.length}/${drips} closed after ${Math.min(...closedAt)}–${Math.max(...closedAt)} ms; legit ${b10.sent} requests, ${b10.failures} failures, latency ms ${JSON.stringify(percentiles(b10.latencies))} |`);
    } finally {
      await slow.close();
    }
  }

  if (runs('B10')) failed = (await slowBodies()) || failed;

  if (runs('B9')) failed = (await connectTimeouts()) || failed;
  if (runs('B9')) failed = (await killUnderLoad()) || failed;

  if (runs('B14')) failed = (await endurance()) || failed;

  if (runs('B15')) failed = (await scale()) || failed;

  const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const stamp = `Written by \`npm run soak\` on ${new Date().toISOString()} (Node ${process.version}, in-process gateway, loopback).`;
  if (only === undefined) {
    await writeFile(out, `# Reliability battery: full-size figures\n\n${stamp}\n\n| ID | Load | Result |\n|---|---|---|\n${lines.join('\n')}\n`);
  } else {
    // Only some rows ran: replace their lines, keep every other line (and the notes) as it was.
    const previous = (await readFile(out, 'utf8')).split('\n');
    const tableEnd = previous.findLastIndex((l) => l.startsWith('| B'));
    const kept = previous.filter((l, i) => !(l.startsWith('| ') && only.has(l.split('|')[1]!.trim())) || i > tableEnd);
    const insertAt = kept.findLastIndex((l) => l.startsWith('| B')) + 1;
    kept.splice(insertAt, 0, ...lines.map((l) => l.replace(/ \|$/, ` (run alone, SOAK_ONLY=${[...only].join(',')}, on ${new Date().toISOString()}) |`)));
    await writeFile(out, kept.join('\n'));
  }
  process.exitCode = failed ? 1 : 0;
}

/**
 * B10 slow bodies: `SOAK_B10_BODIES` connections (default 200) each send a request head
 * announcing 1,000 body bytes, then 1 byte per second, against a gateway whose request timeout
 * is `SOAK_B10_REQUEST_TIMEOUT_S` (default 30 s), with 500 rps of legit load for the whole time.
 * True when a pass criterion does not hold.
 */
async function slowBodies(): Promise<boolean> {
  const count = env('SOAK_B10_BODIES', 200);
  const timeoutMs = env('SOAK_B10_REQUEST_TIMEOUT_S', 30) * 1_000;
  const fixture = await startFixture(31_300, { limits: { requestTimeoutMs: timeoutMs } });
  try {
    const baseline = await runLoad({ port: fixture.port, host: 'a.example', connections: 10, durationMs: 5_000, rps: 500, path: (n) => `/public/baseline?n=${n}` });
    const sockets = Array.from({ length: count }, () => new RawConnection(fixture.port));
    await Promise.all(sockets.map((c) => c.connected.catch(() => undefined)));
    const started = Date.now();
    for (const [i, c] of sockets.entries()) c.write(`POST /public/slow-body?r=${i} HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1000\r\n\r\n`);
    const timer = setInterval(() => {
      for (const c of sockets) c.write('b');
    }, 1_000);
    const load = runLoad({ port: fixture.port, host: 'a.example', connections: 10, durationMs: timeoutMs + 3_000, rps: 500, path: (n) => `/public/legit?n=${n}` });
    const answered: number[] = [];
    const statuses = new Map<string, number>();
    await Promise.all(
      sockets.map(async (c) => {
        const answer = await c.response(timeoutMs + 10_000);
        const key = typeof answer === 'string' ? answer : String(answer.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if ((await c.waitClose(2_000)) && key === '408') answered.push(Date.now() - started);
      }),
    );
    clearInterval(timer);
    for (const c of sockets) c.destroy();
    const b10 = await load;
    const complete = fixture.backends.public.requests.filter((r) => r.url.includes('/slow-body') && r.bodySha256 !== undefined).length;
    const base = percentiles(baseline.latencies);
    const during = percentiles(b10.latencies);
    const latencyHolds = during.p99 < 2 * base.p99;
    const cut = answered.length === count && complete === 0;
    record(
      `| B10 | ${count} sockets sending a 1,000-byte body at 1 B/s (requestTimeout ${timeoutMs / 1_000} s, check 1 s) + 500 rps legit | ` +
        `${answered.length}/${count} answered 408 and closed after ${Math.min(...answered)}–${Math.max(...answered)} ms (outcomes ${JSON.stringify(Object.fromEntries(statuses))}); ${complete} complete slow bodies reached the backend: ${cut ? 'holds' : 'does not hold'}; ` +
        `legit ${b10.sent} requests, ${b10.failures} failures, latency ms ${JSON.stringify(during)} vs ${JSON.stringify(base)} before the slow bodies: p99 ${latencyHolds ? 'holds' : 'over'} 2× baseline |`,
    );
    return !cut || b10.failures > 0 || !latencyHolds;
  } finally {
    await fixture.close();
  }
}

/** One HTTP listener; per service, a Service on `ports` and a rule `PathPrefix /<name>` to it (host a.example). */
async function writeServices(dir: ManifestDir, services: Record<string, number[]>): Promise<void> {
  await dir.write(
    'all.yaml',
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    ...Object.entries(services).map(([name, ports]) => serviceYaml(name, ports)),
    routeYaml('r', Object.keys(services).map((name) => `  - matches: [{ path: { type: PathPrefix, value: /${name} } }]\n    backendRefs: [{ name: ${name}, port: 8080 }]`).join('\n'), '  hostnames: [a.example]\n'),
  );
}

/** Milliseconds until `connect` reports an error for a connect to the black hole on `port`, `count` at a time. */
async function connectErrors(connect: buildConnector.connector, port: number, count: number): Promise<{ ms: number[]; codes: Set<string> }> {
  const codes = new Set<string>();
  const ms = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<number>((resolve) => {
          const t0 = performance.now();
          connect({ hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'http:', port: String(port) }, (err, socket) => {
            codes.add((err as { code?: string } | null)?.code ?? 'connected');
            socket?.destroy();
            resolve(performance.now() - t0);
          });
        }),
    ),
  );
  return { ms, codes };
}

/**
 * B9 connect timeouts: how late a connect to a black-holed endpoint is given up, with undici's
 * own connect timeout (its coarse timer) and with the gateway's connector (host-node/connector.ts),
 * in the same run, for timeouts of 1 s and 2.5 s; then through a gateway with a 1 s connect
 * timeout (503s). `SOAK_B9_CONNECTS` connects per case (default 20). True when a 503 comes
 * 100 ms or more after the timeout.
 */
async function connectTimeouts(): Promise<boolean> {
  const count = env('SOAK_B9_CONNECTS', 20);
  const hole = await startBlackHole();
  const steady = await startRecordingBackend('steady');
  const dir = await ManifestDir.create();
  try {
    const cases: string[] = [];
    for (const timeoutMs of [1_000, 2_500]) {
      for (const [name, connect] of [
        ['undici timer', buildConnector({ timeout: timeoutMs })],
        ['gateway connector', timedConnector({}, timeoutMs)],
      ] as const) {
        const { ms, codes } = await connectErrors(connect, hole.port, count);
        const late = percentiles(ms.map((m) => m - timeoutMs));
        cases.push(`${name}, ${timeoutMs} ms: late by p50 ${late.p50} p99 ${late.p99} max ${late.max} ms (${[...codes].join(', ')})`);
      }
    }
    await writeServices(dir, { hole: [hole.port], steady: [steady.port] });
    const { gateway } = await startGateway(dir, 31_600, { upstream: { connectTimeoutMs: 1_000, outlierProbeIntervalMs: 60_000 } });
    try {
      // Warm: the first requests of a process pay for compiling the request path.
      for (let i = 0; i < 50; i++) await get(31_680, `/steady/${i}`);
      // One endpoint only: it stays in rotation (the panic rule), so every request tries to connect.
      const answers: { status: number; ms: number }[] = [];
      for (let i = 0; i < count; i++) answers.push(await get(31_680, `/hole/${i}`));
      const late = percentiles(answers.map((a) => a.ms - 1_000));
      const statuses = [...new Set(answers.map((a) => a.status))];
      const holds = statuses.length === 1 && statuses[0] === 503 && late.max < 100;
      record(
        `| B9 | connect timeouts to a black-holed endpoint, ${count} connects per case at once; then ${count} requests one after another through a gateway with a 1 s connect timeout | ` +
          `${cases.join('; ')}; gateway: ${JSON.stringify(statuses)} after the timeout plus p50 ${late.p50} p99 ${late.p99} max ${late.max} ms: ${holds ? 'holds' : 'does not hold'} (< 100 ms late) |`,
      );
      return !holds;
    } finally {
      await gateway.close();
    }
  } finally {
    await dir.remove();
    await steady.close();
    await hole.close();
  }
}

/**
 * B9 kill -9: `switchyard serve` (child process) in front of two backend processes; GETs and
 * POSTs (4 KiB bodies) to them and GETs to a third backend under keep-alive load for
 * `SOAK_B9_KILL_SECONDS` (default 20) at `SOAK_B9_RPS` (default 1,000); halfway through one
 * of the two is `kill -9`'d, and at three quarters a backend listens on its port again.
 * True when a pass criterion does not hold.
 */
async function killUnderLoad(): Promise<boolean> {
  const durationMs = env('SOAK_B9_KILL_SECONDS', 20) * 1_000;
  const rps = env('SOAK_B9_RPS', 1_000);
  const [a, b] = await Promise.all([startBackendProcess('pair-a'), startBackendProcess('pair-b')]);
  const steady = await startRecordingBackend('steady');
  const dir = await ManifestDir.create();
  let served: Awaited<ReturnType<typeof startServeProcess>> | undefined;
  try {
    await writeServices(dir, { pair: [a.port, b.port], steady: [steady.port] });
    served = await startServeProcess(dir, '--no-watch');
    const { port } = served;
    const load = (share: number, connections: number, path: string, body?: Buffer) =>
      runLoad({ port, host: 'a.example', connections, durationMs, rps: rps * share, path: (n) => `${path}?n=${n}`, ok: (status) => status === 200, ...(body ? { body } : {}) });
    const gets = load(0.6, 30, '/pair/get');
    const posts = load(0.2, 10, '/pair/post', Buffer.alloc(4096, 'p'));
    const other = load(0.2, 10, '/steady/get');
    await sleep(durationMs / 2);
    const killedAt = Date.now();
    await b.kill9();
    await sleep(durationMs / 4);
    const revived = await startRecordingBackend('revived', b.port);
    const backAt = Date.now();
    let firstMs = -1;
    while (firstMs < 0 && Date.now() - backAt < 5_000) {
      if (revived.requests.length > 0) firstMs = Date.now() - backAt;
      else await sleep(10);
    }
    const [g, p, o] = await Promise.all([gets, posts, other]);
    await revived.close();
    const describe = (r: LoadResult) => `${r.sent} sent, ${r.failures} failed${r.failures ? ` (statuses ${JSON.stringify(Object.fromEntries([...r.statuses].filter(([st]) => st !== 200)))}, started ${r.failed.map((f) => f.startedAt - killedAt).join('/')} ms from the kill)` : ''}`;
    // A request fails only if it was on the killed endpoint's connection when it died.
    const onlyInFlight = (r: LoadResult) => r.failed.every((f) => f.startedAt <= killedAt + 50 && f.status !== 500);
    const holds = g.failures === 0 && onlyInFlight(p) && o.failures === 0 && firstMs >= 0 && firstMs <= 1_000;
    record(
      `| B9 | \`switchyard serve\` (child process), 2 backend processes, ${durationMs / 1_000} s at ${rps} rps: GETs (60%) and 4 KiB POSTs (20%) to the pair, GETs to another backend (20%); one of the pair \`kill -9\`'d at ${durationMs / 2_000} s, listening again at ${(durationMs * 3) / 4_000} s | ` +
        `pair GETs: ${describe(g)}; pair POSTs: ${describe(p)}; other route: ${describe(o)}; first request on the returned endpoint ${firstMs} ms after it listened: ${holds ? 'holds' : 'does not hold'} (GETs and other route 0 failures, POSTs only those in flight at the kill, never 500, back ≤ 1 s) |`,
    );
    return !holds;
  } finally {
    served?.child.kill();
    await served?.child.exited;
    await a.kill9();
    await b.kill9();
    await steady.close();
    await dir.remove();
  }
}

/** One B14 sample of the gateway process: RSS, open file descriptors, event-loop delay p99 over the 10 s before it. */
interface Sample {
  atS: number;
  rssMiB: number;
  fds: number;
  lagP99Ms: number;
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** The malformed rows B14 mixes in: one response each, answered on a fresh connection. */
const SOAK_MALFORMED = MALFORMED.filter((row): row is typeof row & { want: readonly number[] } => row.want !== 'h2' && (row.responses ?? 1) === 1);

/** The B14 manifests: the battery fixture's routes (B1's rows expect them) plus `count` extra routes that each reload changes. */
async function writeSoakManifests(dir: ManifestDir, backends: { public: number; admin: number }, count: number): Promise<void> {
  await dir.write(
    'all.yaml',
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    serviceYaml('public', [backends.public]),
    serviceYaml('admin', [backends.admin]),
    routeYaml('matrix', pathMatrixRules((b) => b), `  hostnames: [${PATH_MATRIX_HOST}]\n`),
    ...Array.from({ length: count }, (_, k) => routeYaml(`soak-${k}`, `  - matches: [{ path: { type: PathPrefix, value: /soak-${k} } }]\n    backendRefs: [{ name: admin, port: 8080 }]`, `  hostnames: [${PATH_MATRIX_HOST}]\n`)),
  );
}

/**
 * B14: `switchyard serve` as a child process (watching its manifests, loop-probe.ts loaded so
 * it reports its own RSS, open fds and event-loop delay every 10 s) under `SOAK_B14_SECONDS`
 * of valid keep-alive load (95% of the rate, 50 connections) plus malformed requests (5%, the
 * B1 rows in turn, each on a fresh connection), with a valid manifest change every 30 s.
 * Backends and load generators run in this process. True when a pass criterion does not hold.
 */
async function endurance(): Promise<boolean> {
  const seconds = env('SOAK_B14_SECONDS', 3_600);
  const rps = env('SOAK_B14_RPS', 1_000);
  const warmupS = Math.min(env('SOAK_B14_WARMUP_SECONDS', 300), Math.floor(seconds / 3));
  const malformedRps = rps * 0.05;
  const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ');
  const backends = { public: await startRecordingBackend('public'), admin: await startRecordingBackend('admin') };
  const dir = await ManifestDir.create();
  let served: Awaited<ReturnType<typeof startServeProcess>> | undefined;
  try {
    await writeSoakManifests(dir, { public: backends.public.port, admin: backends.admin.port }, 0);
    const nodeOptions = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --import tsx --import ${fileURLToPath(new URL('./loop-probe.ts', import.meta.url))}`.trim();
    try {
      served = await startServeProcess(dir);
    } finally {
      if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = nodeOptions;
    }
    const { child, port } = served;
    let exit: string | undefined;
    void child.exited.then(({ code, signal }) => (exit = `exited ${signal ?? code}`));
    const started = Date.now();
    const end = started + seconds * 1_000;
    const latency = createHistogram();
    const load = runLoad({ port, host: PATH_MATRIX_HOST, connections: 50, durationMs: seconds * 1_000, rps: rps - malformedRps, path: (n) => `/public/soak?n=${n}`, histogram: latency });

    const malformed = { sent: 0, answered: 0, wrong: new Map<string, number>() };
    const miss = (key: string) => malformed.wrong.set(key, (malformed.wrong.get(key) ?? 0) + 1);
    const malformedWorkers = 5;
    const interval = (1_000 * malformedWorkers) / malformedRps;
    const sendMalformed = async (w: number) => {
      let next = started + (interval * w) / malformedWorkers;
      for (let i = w; ; i += malformedWorkers) {
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        next += interval;
        if (Date.now() >= end) return;
        const row = SOAK_MALFORMED[i % SOAK_MALFORMED.length]!;
        const c = new RawConnection(port);
        try {
          await c.connected;
          c.write(row.request(`${row.id}-${i}`));
          malformed.sent++;
          const answer = await c.response(5_000);
          if (typeof answer !== 'string' && row.want.includes(answer.status)) malformed.answered++;
          else miss(`${row.id}:${typeof answer === 'string' ? answer : answer.status}`);
        } catch {
          miss(`${row.id}:connect`);
        } finally {
          c.destroy();
        }
      }
    };
    const malformedDone = Promise.all(Array.from({ length: malformedWorkers }, (_, w) => sendMalformed(w)));

    let changes = 0;
    const reloads = (async () => {
      while (Date.now() + 30_000 < end) {
        await sleep(30_000);
        changes++;
        await writeSoakManifests(dir, { public: backends.public.port, admin: backends.admin.port }, 1 + (changes % 20));
      }
    })();

    const samples: Sample[] = [];
    const samplesDone = (async () => {
      let seen = 0;
      while (Date.now() < end + 5_000 && exit === undefined) {
        await sleep(1_000);
        // The backends' request logs are not needed here; they would grow for the whole run.
        backends.public.requests.length = 0;
        backends.admin.requests.length = 0;
        for (const line of child.json().slice(seen)) {
          if (line.event !== 'probe') continue;
          const sample = { atS: Math.round((Date.now() - started) / 1_000), rssMiB: Number(line.rssMiB), fds: Number(line.fds), lagP99Ms: Number(line.lagP99Ms) };
          if (sample.atS <= seconds) samples.push(sample);
          process.stderr.write(`B14 ${JSON.stringify(sample)}\n`);
        }
        seen = child.json().length;
      }
    })();
    const [b14] = await Promise.all([load, malformedDone, reloads, samplesDone]);
    // When each failed request started, in seconds from the start (a reload is written every 30 s).
    for (const f of b14.failed) process.stderr.write(`B14 failed ${JSON.stringify({ atS: (f.startedAt - started) / 1_000, ms: f.endedAt - f.startedAt, status: f.status, path: f.path })}\n`);
    const reloaded = child.json().filter((l) => l.event === 'reloaded').length;
    const alive = exit === undefined && (await get(port, '/public/after-soak', PATH_MATRIX_HOST)).status === 200;

    const settled = samples.filter((s) => s.atS >= warmupS);
    const rssSlope = slope(settled.map((s) => ({ x: s.atS, y: s.rssMiB }))) * 600;
    const fdsSorted = settled.map((s) => s.fds).sort((a, b) => a - b);
    const fdsMedian = fdsSorted[Math.floor(fdsSorted.length / 2)] ?? 0;
    const fdsSpread = fdsMedian === 0 ? 0 : Math.max(...fdsSorted.map((f) => Math.abs(f - fdsMedian) / fdsMedian)) * 100;
    const lags = samples.map((s) => s.lagP99Ms).sort((a, b) => a - b);
    const lagMedian = lags[Math.floor(lags.length / 2)] ?? 0;
    const windowsOver = lags.filter((l) => l >= 20).length;
    const malformedWrong = [...malformed.wrong].map(([k, v]) => `${k} ×${v}`);
    const holds = {
      requests: b14.failures === 0 && malformedWrong.length === 0,
      rss: settled.length >= 2 && rssSlope < 1,
      fds: settled.length >= 1 && fdsSpread <= 5,
      lag: windowsOver === 0 && samples.length > 0,
      crashes: alive && reloaded === changes,
    };
    const loadAtEnd = loadavg().map((l) => l.toFixed(2)).join(' ');
    const verdict = (ok: boolean) => (ok ? 'holds' : 'does not hold');
    const range = (values: number[]) => `${Math.min(...values)}–${Math.max(...values)}`;
    record(
      `| B14 | ${seconds} s, target ${rps} rps against \`switchyard serve\` as a child process (watching its manifests): ${b14.sent} valid requests on 50 keep-alive connections + ${malformed.sent} malformed (${SOAK_MALFORMED.length} B1 rows in turn, fresh connections) = ${Math.round((b14.sent + malformed.sent) / seconds)} rps; a valid manifest change every 30 s (${changes} written, ${reloaded} reloads reported); ${samples.length} samples of the gateway process every 10 s, ${warmupS} s warm-up; load average (1/5/15 min) ${loadAtStart} at start, ${loadAtEnd} at end (the machine's 2 cores shared with other work; backends and load generators on the same cores) | ` +
        `valid: ${b14.failures} failures${b14.failures ? ` (statuses ${JSON.stringify(Object.fromEntries(b14.statuses))}; first errors: ${b14.errors.slice(0, 3).join('; ')})` : ''}, latency ms p50 ${(latency.percentile(50) / 1_000).toFixed(2)} p99 ${(latency.percentile(99) / 1_000).toFixed(2)} max ${(latency.max / 1_000).toFixed(2)}; malformed: ${malformed.answered}/${malformed.sent} with the expected status${malformedWrong.length ? ` (other: ${malformedWrong.slice(0, 8).join(', ')})` : ''}: ${verdict(holds.requests)}; ` +
        `RSS ${samples[0]?.rssMiB} → ${samples.at(-1)?.rssMiB} MiB (range ${range(samples.map((s) => s.rssMiB))}), least-squares slope after warm-up ${rssSlope.toFixed(2)} MiB / 10 min: ${verdict(holds.rss)} (< 1); ` +
        `open fds ${range(samples.map((s) => s.fds))}, after warm-up median ${fdsMedian}, farthest ${fdsSpread.toFixed(1)}% from it: ${verdict(holds.fds)} (±5%); ` +
        `event-loop delay p99 per 10 s window: median ${lagMedian} ms, worst ${lags.at(-1)} ms, ${windowsOver}/${samples.length} windows ≥ 20 ms: ${verdict(holds.lag)} (< 20); ` +
        `gateway ${exit ?? 'running'} and ${alive ? 'answering' : 'not answering'} at the end: ${verdict(holds.crashes)} |`,
    );
    return !Object.values(holds).every(Boolean);
  } catch (err) {
    process.stderr.write(`B14 stopped: ${(err as Error).stack ?? String(err)}\n`);
    throw err;
  } finally {
    served?.child.kill();
    await served?.child.exited;
    await backends.public.close();
    await backends.admin.close();
    await dir.remove();
  }
}

/** B15: 1,000 HTTPRoutes on 64 listeners (scale.ts); true when a pass criterion does not hold. */
async function scale(): Promise<boolean> {
  const routes = env('SOAK_B15_ROUTES', 1_000);
  const rebuild = await measureRebuild(routes, 5);
  const rebuildP = percentiles(rebuild.compileMs);
  const match = measureMatch(rebuild.router, routes, env('SOAK_B15_MATCHES', 200_000));
  const gateway = await startScaleGateway(routes, 31_400);
  let ready;
  try {
    ready = await measureTimeToReady(gateway, routes, env('SOAK_B15_ADDITIONS', 100));
  } finally {
    await gateway.close();
  }
  const holds = { rebuild: rebuildP.max < 1_000, ready: ready.missed === 0 && ready.p99 < 1_000, match: match.p99Ns < 50_000 && match.wrong.length === 0 };
  record(
    `| B15 | ${routes} HTTPRoutes on 64 listeners (${rebuild.tableBytes} B table); rebuild ×${rebuild.compileMs.length}; ${match.samples} router.match calls; ${ready.additions} routes added one at a time to a watching gateway | ` +
      `rebuild (load+validate+resolve+compile) ms ${JSON.stringify(rebuildP)} + router ${percentiles(rebuild.routerMs).max} ms: ${holds.rebuild ? 'holds' : 'over'} 1 s; ` +
      `time-to-ready ms p50 ${ready.p50} p99 ${ready.p99} max ${ready.max}, ${ready.missed} missed: ${holds.ready ? 'holds' : 'over'} 1 s; ` +
      `match ns p50 ${match.p50Ns} p99 ${match.p99Ns} max ${match.maxNs}, ${match.wrong.length} wrong decisions: ${holds.match ? 'holds' : 'over'} 50 µs |`,
  );
  return !(holds.rebuild && holds.ready && holds.match);
}

await main();
