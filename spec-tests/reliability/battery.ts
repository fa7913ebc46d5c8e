/**
 * The battery's gateway fixture and its runners, shared by the `npm test` sizes
 * (`*.test.ts` here) and the full sizes (`soak.ts`, `npm run soak`).
 */
import { CLASS, gatewayYaml, ManifestDir, routeYaml, serviceYaml, startGateway } from '../../host-node/test-support.js';
import type { NodeGateway, NodeGatewayOptions } from '../../host-node/index.js';
import { MALFORMED, type MalformedRow } from './malformed.js';
import { PATH_MATRIX, PATH_MATRIX_HOST, pathMatrixRules, type PathCase } from './path-matrix.js';
import { externalMiB, get, RawConnection, retainedHeapMiB, rssMiB, startRecordingBackend, type RawResponse, type RecordingBackend } from './support.js';

export interface Fixture {
  gateway: NodeGateway;
  port: number;
  dir: ManifestDir;
  backends: { public: RecordingBackend; admin: RecordingBackend };
  close(): Promise<void>;
}

/** The path-matrix routes on one HTTP listener (port 80 + offset), one recording backend per service. */
export async function startFixture(offset: number, options: Partial<NodeGatewayOptions> = {}): Promise<Fixture> {
  const backends = { public: await startRecordingBackend('public'), admin: await startRecordingBackend('admin') };
  const dir = await ManifestDir.create();
  await dir.write(
    'all.yaml',
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    serviceYaml('public', [backends.public.port]),
    serviceYaml('admin', [backends.admin.port]),
    routeYaml('matrix', pathMatrixRules((b) => b), `  hostnames: [${PATH_MATRIX_HOST}]\n`),
  );
  const { gateway } = await startGateway(dir, offset, options);
  return {
    gateway,
    port: 80 + offset,
    dir,
    backends,
    async close() {
      await gateway.close();
      await backends.public.close();
      await backends.admin.close();
      await dir.remove();
    },
  };
}

export interface BatteryFigures {
  malformedSent: number;
  validSent: number;
  /** Human-readable descriptions of every violated expectation. */
  failures: string[];
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** Live heap after a full collection, before and after (the backends' request logs included). */
  heapBeforeMiB: number;
  heapAfterMiB: number;
  durationMs: number;
}

/** Makes every marker unique across runs on the same fixture. */
let sequence = 0;

const VALID = (marker: string) => `GET /public/ok?v=${marker} HTTP/1.1\r\nHost: ${PATH_MATRIX_HOST}\r\n\r\n`;

function describe(answer: RawResponse | 'closed' | 'timeout'): string {
  return typeof answer === 'string' ? answer : String(answer.status);
}

/** Whether the bytes that came back start an HTTP/2 SETTINGS frame (type 4 at offset 3). */
function isH2Settings(bytes: Buffer): boolean {
  return bytes.length >= 9 && bytes[3] === 0x04;
}

/**
 * B1: every malformed row `repetitions` times, alternating a fresh connection and a keep-alive
 * connection that carried a valid request first; a valid request after each (on the same
 * connection when it stays open). Afterwards, the backends' logs are compared with what was sent.
 */
export async function runMalformedBattery(fixture: Fixture, repetitions: number, rows: readonly MalformedRow[] = MALFORMED): Promise<BatteryFigures> {
  const failures: string[] = [];
  const started = Date.now();
  const heapBeforeMiB = retainedHeapMiB();
  const rssBeforeMiB = rssMiB();
  let malformedSent = 0;
  let validSent = 0;
  const validMarkers = new Set<string>();
  const rowMarkers = new Map<string, MalformedRow>();
  const firstSeen = { public: fixture.backends.public.requests.length, admin: fixture.backends.admin.requests.length };
  const valid = async (c: RawConnection, where: string) => {
    validSent++;
    const marker = `${sequence++}`;
    validMarkers.add(marker);
    c.write(VALID(marker));
    const answer = await c.response(5_000);
    if (typeof answer === 'string' || answer.status !== 200) failures.push(`valid request ${where}: ${describe(answer)}`);
  };
  for (let rep = 0; rep < repetitions; rep++) {
    for (const row of rows) {
      const keepAlive = rep % 2 === 1;
      const marker = `${row.id}-${sequence++}`;
      rowMarkers.set(marker, row);
      const c = new RawConnection(fixture.port);
      try {
        await c.connected;
        if (keepAlive) await valid(c, `before ${marker}`);
        c.write(row.request(marker));
        malformedSent++;
        const want = keepAlive && row.afterRequest !== undefined ? row.afterRequest : row.want;
        if (want === 'h2') {
          const deadline = Date.now() + 2_000;
          while (!isH2Settings(c.pending) && !c.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          if (!isH2Settings(c.pending)) failures.push(`${marker}: no HTTP/2 SETTINGS frame`);
          continue;
        }
        let last: RawResponse | 'closed' | 'timeout' = 'timeout';
        for (let i = 0; i < (row.responses ?? 1); i++) {
          last = await c.response(5_000);
          if (typeof last === 'string') break;
        }
        if (typeof last === 'string' || !want.includes(last.status)) {
          failures.push(`${marker}: got ${describe(last)}, want ${want.join('/')}`);
          continue;
        }
        if (row.close) {
          if (!(await c.waitClose(2_000))) failures.push(`${marker}: connection left open after ${last.status}`);
          continue;
        }
        if (c.closed) continue;
        await valid(c, `after ${marker}`);
      } finally {
        c.destroy();
      }
      // Every refused request is followed by a valid one on a fresh connection too.
      const fresh = new RawConnection(fixture.port);
      try {
        await fresh.connected;
        await valid(fresh, `fresh after ${marker}`);
      } finally {
        fresh.destroy();
      }
    }
  }
  // Give aborted upstream requests a moment to be logged.
  await new Promise((r) => setTimeout(r, 200));
  const seen = [...fixture.backends.public.requests.slice(firstSeen.public), ...fixture.backends.admin.requests.slice(firstSeen.admin)];
  const validSeen = new Set<string>();
  const forwardedByMarker = new Map<string, number>();
  for (const r of seen) {
    const v = /[?&]v=([0-9]+)$/.exec(r.url)?.[1];
    if (v !== undefined && r.backend === 'public' && validMarkers.has(v)) {
      if (validSeen.has(v)) failures.push(`valid request ${v} reached the backend twice`);
      validSeen.add(v);
      continue;
    }
    const m = /[?&]r=([A-Za-z0-9]+-[0-9]+)/.exec(r.url)?.[1];
    const row = m !== undefined ? rowMarkers.get(m) : undefined;
    if (row === undefined || m === undefined) {
      failures.push(`backend ${r.backend} saw an unexpected request ${r.method} ${r.url.slice(0, 80)}`);
      continue;
    }
    if (row.forwarded !== undefined && r.backend === 'public') {
      forwardedByMarker.set(m, (forwardedByMarker.get(m) ?? 0) + 1);
      const problem = row.forwarded.check?.(r);
      if (problem !== undefined) failures.push(`${m}: ${problem}`);
    } else if (row.bodyError && r.bodySha256 === undefined) {
      // The head of a request whose body turned out malformed: aborted, never completed.
    } else {
      failures.push(`${m}: reached backend ${r.backend} (${r.bodySha256 === undefined ? 'head only' : 'complete'})`);
    }
  }
  for (const v of validMarkers) if (!validSeen.has(v)) failures.push(`valid request ${v} never reached the backend`);
  for (const [marker, row] of rowMarkers) {
    if (row.forwarded === undefined) continue;
    const count = forwardedByMarker.get(marker) ?? 0;
    if (count !== row.forwarded.count) failures.push(`${marker}: backend saw ${count} requests, want ${row.forwarded.count}`);
  }
  const durationMs = Date.now() - started;
  return { malformedSent, validSent, failures, rssBeforeMiB, rssAfterMiB: rssMiB(), heapBeforeMiB, heapAfterMiB: retainedHeapMiB(), durationMs };
}

/** B2: the path matrix through the gateway; returns one line per case that does not hold. */
export async function runPathMatrix(fixture: Fixture, cases: readonly PathCase[] = PATH_MATRIX): Promise<string[]> {
  const problems: string[] = [];
  for (const item of cases) {
    const before = { public: fixture.backends.public.requests.length, admin: fixture.backends.admin.requests.length };
    const c = new RawConnection(fixture.port);
    let answer: RawResponse | 'closed' | 'timeout';
    try {
      await c.connected;
      c.write(`GET ${item.target} HTTP/1.1\r\nHost: ${PATH_MATRIX_HOST}\r\nConnection: close\r\n\r\n`);
      answer = await c.response(5_000);
    } finally {
      c.destroy();
    }
    const arrived = [
      ...fixture.backends.public.requests.slice(before.public),
      ...fixture.backends.admin.requests.slice(before.admin),
    ];
    const want = item.want;
    if (typeof answer === 'string' || answer.status !== want.status) {
      problems.push(`${item.id} ${item.target}: got ${describe(answer)}, want ${want.status}`);
      continue;
    }
    if (want.status === 200) {
      if (arrived.length !== 1 || arrived[0]!.backend !== want.backend || arrived[0]!.url !== want.target) {
        problems.push(`${item.id} ${item.target}: backend saw ${JSON.stringify(arrived.map((r) => `${r.backend} ${r.url}`))}, want ${want.backend} ${want.target}`);
      }
    } else {
      if (arrived.length > 0) problems.push(`${item.id} ${item.target}: answered ${want.status} but reached ${arrived.map((r) => `${r.backend} ${r.url}`).join(', ')}`);
      if (want.status === 307 && answer.headers.location !== want.location) problems.push(`${item.id}: location ${answer.headers.location}, want ${want.location}`);
    }
  }
  return problems;
}

export interface ReloadMemoryFigures {
  applied: number;
  durationMs: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  /** Memory outside the JS heap: Wasm instance memories, buffers. */
  externalBeforeMiB: number;
  externalAfterMiB: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
}

/**
 * B7 memory: `reloads` reloads, each writing a different `extra.yaml` (1 to 20 extra routes),
 * so each swaps in a new generation (router instance, endpoints). The baseline is taken after
 * 20 warm-up reloads; a request after every 10th reload keeps the generations in use.
 */
export async function reloadMemory(fixture: Fixture, reloads: number): Promise<ReloadMemoryFigures> {
  const write = (i: number) =>
    fixture.dir.write(
      'extra.yaml',
      ...Array.from({ length: 1 + (i % 20) }, (_, k) =>
        routeYaml(`mem-${k}`, `  - matches: [{ path: { type: PathPrefix, value: /mem-${k} } }]\n    backendRefs: [{ name: admin, port: 8080 }]`, '  hostnames: [a.example]\n'),
      ),
    );
  const cycle = async (i: number) => {
    await write(i);
    const info = await fixture.gateway.reload();
    if (i % 10 === 0 && (await get(fixture.port, '/mem-0/x')).status !== 200) throw new Error(`route /mem-0 not served after reload ${i}`);
    return info.changed && !info.rejected;
  };
  for (let i = 0; i < 20; i++) await cycle(i);
  const heapBeforeMiB = retainedHeapMiB();
  const externalBeforeMiB = externalMiB();
  const rssBeforeMiB = rssMiB();
  const started = Date.now();
  let applied = 0;
  for (let i = 20; i < 20 + reloads; i++) if (await cycle(i)) applied++;
  const durationMs = Date.now() - started;
  await fixture.dir.write('extra.yaml', '');
  await fixture.gateway.reload();
  return { applied, durationMs, heapBeforeMiB, heapAfterMiB: retainedHeapMiB(), externalBeforeMiB, externalAfterMiB: externalMiB(), rssBeforeMiB, rssAfterMiB: rssMiB() };
}
