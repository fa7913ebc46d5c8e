/**
 * The battery at full size (`npm run soak`): B1 ×20, B2, B7 (reload every second under load,
 * then memory after 600 reloads), B10 (1,000 header-dripping sockets at the default 10 s header
 * timeout) against an in-process gateway, and B6 (10,000 generated requests, Node vs edge
 * worker); figures go to spec-tests/reliability/RESULTS.md. Sizes can be lowered with
 * SOAK_B1_REPS, SOAK_B7_SECONDS, SOAK_B7_RPS, SOAK_B7_RELOADS, SOAK_B10_SOCKETS, SOAK_B6_REQUESTS.
 * B15 (1,000 HTTPRoutes on 64 listeners: rebuild, match p99, time-to-ready over 100 additions)
 * sizes: SOAK_B15_ROUTES, SOAK_B15_MATCHES, SOAK_B15_ADDITIONS.
 * SOAK_ONLY=B15 (comma-separated IDs among B1, B2, B6, B7, B10, B15) runs only those rows and
 * replaces only their lines in RESULTS.md, keeping the others.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { routeYaml } from '../../host-node/test-support.js';
import { reloadMemory, runMalformedBattery, runPathMatrix, startFixture } from './battery.js';
import { alteredByWhatwg, runParity, startEdgeFor } from './parity.js';
import { generateTargets } from './requests.js';
import { MALFORMED } from './malformed.js';
import { PATH_MATRIX } from './path-matrix.js';
import { percentiles, RawConnection, runLoad, rssMiB, sleep } from './support.js';
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
        const count = env('SOAK_B6_REQUESTS', 10_000);
        const b6 = await runParity(parityFixture.port, edge.port, generateTargets(0x5eed, count));
        const asWritten = b6.mismatches.filter((m) => !alteredByWhatwg(m.target));
        const kinds = new Map<string, number>();
        for (const m of asWritten) kinds.set(`${m.node.status}/${m.edge.status}`, (kinds.get(`${m.node.status}/${m.edge.status}`) ?? 0) + 1);
        failed ||= asWritten.length > 0;
        record(
          `| B6 | ${b6.sent} generated raw requests, Node gateway vs edge worker (Miniflare), in ${b6.durationMs} ms | ${asWritten.length} mismatches among ${b6.unaltered} targets passed as written${asWritten.length ? ` (Node/edge status: ${JSON.stringify(Object.fromEntries(kinds))}; first: ${asWritten.slice(0, 3).map((m) => `${m.target} ${JSON.stringify(m.node)} vs ${JSON.stringify(m.edge)}`).join('; ')})` : ''}; ${b6.mismatches.length} among ${b6.sent - b6.unaltered} the Workers runtime's URL parser rewrites (raw \\, %2e dot segments: the worker never sees the raw target); outcomes ${JSON.stringify(b6.statuses)} |`,
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
