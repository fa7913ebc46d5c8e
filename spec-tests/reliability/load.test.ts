/**
 * Short versions of B7 (hot reload under load), B10 (slowloris, slow bodies) and B8 (drain under
 * load with slow requests in flight); `npm run soak` runs the full sizes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOffset, routeYaml } from '../../host-node/test-support.js';
import { reloadMemory, startFixture, type Fixture } from './battery.js';
import { get, percentiles, RawConnection, runLoad, sleep } from './support.js';

const SLOW_HEADERS_MS = 2_000;
const CHECK_MS = 500;
const SLOW_REQUEST_MS = 3_000;
let fixture: Fixture;

beforeAll(async () => {
  fixture = await startFixture(portOffset(22), { limits: { headersTimeoutMs: SLOW_HEADERS_MS, connectionsCheckingIntervalMs: CHECK_MS, requestTimeoutMs: SLOW_REQUEST_MS } });
});

afterAll(async () => {
  await fixture?.close();
});

/** `count` unrelated HTTPRoutes (`extra-<i>`, one rule each), or an invalid route when `invalid`. */
function extraRoutes(count: number, invalid: boolean): string[] {
  if (invalid) return [routeYaml('broken', `  - matches: [{ path: { type: PathPrefix, value: no-leading-slash } }]\n    backendRefs: [{ name: admin, port: 8080 }]`)];
  return Array.from({ length: count }, (_, i) =>
    routeYaml(`extra-${i}`, `  - matches: [{ path: { type: PathPrefix, value: /extra-${i} } }]\n    backendRefs: [{ name: admin, port: 8080 }]`, '  hostnames: [a.example]\n'),
  );
}

describe('B7 hot reload under load', () => {
  it('keeps steady routes at 0 errors through a reload every 500 ms, every 10th invalid', async () => {
    const durationMs = 6_000;
    const load = runLoad({ port: fixture.port, host: 'a.example', connections: 10, durationMs, rps: 500, path: (n) => `/public/steady?n=${n}` });
    let rejected = 0;
    let applied = 0;
    const reachable: number[] = [];
    for (let i = 1; i <= 11; i++) {
      await sleep(500);
      const invalid = i % 10 === 0;
      await fixture.dir.write('extra.yaml', ...extraRoutes(10 + (i % 3) * 20, invalid));
      const info = await fixture.gateway.reload();
      if (invalid) {
        expect(info.rejected, JSON.stringify(info.diagnostics)).toBe(true);
        rejected++;
      } else {
        expect(info.rejected, JSON.stringify(info.diagnostics)).toBe(false);
        applied++;
        const t0 = Date.now();
        expect((await get(fixture.port, '/extra-5/x')).status).toBe(200);
        reachable.push(Date.now() - t0);
      }
    }
    const result = await load;
    expect(result.errors).toEqual([]);
    expect(result.failures).toBe(0);
    expect(result.sent).toBeGreaterThan(500);
    expect(rejected).toBe(1);
    expect(applied).toBe(10);
    expect(percentiles(reachable).max).toBeLessThan(1_000);
    console.log(`B7: ${result.sent} requests, ${result.failures} failures, latency ${JSON.stringify(percentiles(result.latencies))} ms, ${applied} reloads applied, ${rejected} rejected`);
  });
});

describe('B7 snapshots', () => {
  it('finishes a request in flight on the snapshot it started on after a reload removed its route', async () => {
    await fixture.dir.write('extra.yaml', routeYaml('inflight', `  - matches: [{ path: { type: PathPrefix, value: /inflight } }]\n    backendRefs: [{ name: admin, port: 8080 }]`, '  hostnames: [a.example]\n'));
    expect((await fixture.gateway.reload()).changed).toBe(true);
    const before = fixture.backends.admin.requests.length;
    const slow = get(fixture.port, '/inflight/slow?delay=1500');
    for (let i = 0; i < 100 && fixture.backends.admin.requests.length === before; i++) await sleep(10);
    expect(fixture.backends.admin.requests.slice(before).map((r) => r.url)).toEqual(['/inflight/slow?delay=1500']);
    await fixture.dir.write('extra.yaml', '');
    const info = await fixture.gateway.reload();
    expect(info.changed).toBe(true);
    // New requests see the new table at once; the one in flight completes on the old one.
    expect((await get(fixture.port, '/inflight/new')).status).toBe(404);
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ backend: 'admin', url: '/inflight/slow?delay=1500' });
  });

  it('retains no memory across 200 reloads, each swapping in a new table (heap within +10%)', async () => {
    const reloads = Number(process.env.B7_RELOADS ?? 200);
    const figures = await reloadMemory(fixture, reloads);
    expect(figures.applied).toBe(reloads);
    expect(figures.heapAfterMiB).toBeLessThan(figures.heapBeforeMiB * 1.1);
    expect(figures.externalAfterMiB).toBeLessThan(figures.externalBeforeMiB * 1.1 + 1);
    console.log(`B7 memory: ${reloads} reloads in ${figures.durationMs} ms; retained heap ${figures.heapBeforeMiB} -> ${figures.heapAfterMiB} MiB; external (Wasm memories, buffers) ${figures.externalBeforeMiB} -> ${figures.externalAfterMiB} MiB; RSS ${figures.rssBeforeMiB} -> ${figures.rssAfterMiB} MiB`);
  });
});

describe('B10 slowloris', () => {
  it('closes 200 header-dripping connections by the header timeout while normal load succeeds', async () => {
    const drips: RawConnection[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      const c = new RawConnection(fixture.port);
      drips.push(c);
    }
    await Promise.all(drips.map((c) => c.connected));
    const request = 'GET /public/slow HTTP/1.1\r\nHost: a.example\r\nX-Slow: ' + 'a'.repeat(64);
    let byte = 0;
    const drip = setInterval(() => {
      for (const c of drips) if (!c.closed) c.write(request[Math.min(byte, request.length - 1)]!);
      byte++;
    }, 250);
    const load = runLoad({ port: fixture.port, host: 'a.example', connections: 5, durationMs: 4_000, rps: 200, path: (n) => `/public/legit?n=${n}` });
    const waits = drips.map(async (c) => {
      await c.waitClose(SLOW_HEADERS_MS + CHECK_MS + 2_500);
      if (c.closed) closedAt.push(Date.now() - started);
    });
    await Promise.all(waits);
    clearInterval(drip);
    const result = await load;
    for (const c of drips) c.destroy();
    expect(closedAt.length).toBe(200);
    expect(Math.max(...closedAt)).toBeLessThan(SLOW_HEADERS_MS + CHECK_MS + 1_500);
    expect(result.failures).toBe(0);
    expect(result.sent).toBeGreaterThan(400);
    console.log(`B10: 200 drip sockets closed after ${Math.min(...closedAt)}-${Math.max(...closedAt)} ms; legit ${result.sent} requests, ${result.failures} failures, latency ${JSON.stringify(percentiles(result.latencies))} ms`);
  });
});

describe('B10 slow bodies', () => {
  it('answers 408 to 40 connections dripping a body by the request timeout while normal load succeeds; no complete body reaches the backend', async () => {
    const before = fixture.backends.public.requests.length;
    const drips = Array.from({ length: 40 }, () => new RawConnection(fixture.port));
    await Promise.all(drips.map((c) => c.connected));
    for (const [i, c] of drips.entries()) c.write(`POST /public/slow-body?r=${i} HTTP/1.1\r\nHost: a.example\r\nContent-Length: 100\r\n\r\n`);
    const drip = setInterval(() => {
      for (const c of drips) c.write('b');
    }, 250);
    const load = runLoad({ port: fixture.port, host: 'a.example', connections: 5, durationMs: 4_000, rps: 200, path: (n) => `/public/legit?n=${n}` });
    const answers = await Promise.all(drips.map((c) => c.response(SLOW_REQUEST_MS + CHECK_MS + 5_000)));
    const closed = await Promise.all(drips.map((c) => c.waitClose(2_000)));
    clearInterval(drip);
    const result = await load;
    for (const c of drips) c.destroy();
    expect(answers.map((a) => (typeof a === 'string' ? a : a.status))).toEqual(drips.map(() => 408));
    expect(closed.every(Boolean)).toBe(true);
    const slow = fixture.backends.public.requests.slice(before).filter((r) => r.url.includes('/slow-body'));
    expect(slow.filter((r) => r.bodySha256 !== undefined)).toEqual([]);
    expect(result.failures).toBe(0);
    expect(result.sent).toBeGreaterThan(100);
    console.log(`B10 slow bodies: 40 connections answered 408 and closed; legit ${result.sent} requests, ${result.failures} failures, latency ${JSON.stringify(percentiles(result.latencies))} ms`);
  });
});

describe('B8 drain under load', () => {
  it('finishes every request in flight, slow ones included, and closes', async () => {
    const drained = await startFixture(portOffset(23));
    try {
      let draining: Promise<void> | undefined;
      const stop = sleep(1_500);
      const load = runLoad({ port: drained.port, host: 'a.example', connections: 10, durationMs: 3_000, rps: 400, path: (n) => `/public/steady?n=${n}`, stop });
      const slow = Array.from({ length: 20 }, (_, i) => sleep(i * 50).then(() => get(drained.port, `/public/slow?delay=1500&i=${i}`)));
      await stop;
      draining = drained.gateway.drain(10_000);
      const [result, slowAnswers] = await Promise.all([load, Promise.all(slow)]);
      await draining;
      expect(result.errors).toEqual([]);
      expect(result.failures).toBe(0);
      expect(result.sent).toBeGreaterThan(100);
      expect(slowAnswers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect((await get(drained.port, '/public/after', 'a.example', 1_000)).status).toBe(0);
      console.log(`B8: ${result.sent} requests + 20 slow (1.5 s) in flight at drain, ${result.failures} failures`);
    } finally {
      await drained.close();
    }
  });
});

describe('B14 keep-alive expiry', () => {
  it('answers a request sent within the announced keep-alive timeout although the event loop was busy until after the idle deadline, and still closes idle connections', async () => {
    // Announced `Keep-Alive: timeout=3`; Node closes after 3 s plus its 1 s buffer.
    const expiring = await startFixture(portOffset(33), { limits: { keepAliveTimeoutMs: 3_000 } });
    try {
      const request = 'GET /public/again HTTP/1.1\r\nHost: a.example\r\n\r\n';
      const c = new RawConnection(expiring.port);
      await c.connected;
      c.write(request);
      const first = await c.response();
      expect(typeof first === 'string' ? first : [first.status, first.headers['keep-alive']]).toEqual([200, 'timeout=3']);
      await sleep(1_000);
      expect(c.closed).toBe(false);
      // The request reaches the socket, then the loop is blocked past the idle deadline (4 s):
      // the next loop turn runs the idle timer before it reads the socket.
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          c.write(request);
          const until = Date.now() + 3_300;
          while (Date.now() < until);
          resolve();
        }),
      );
      const second = await c.response();
      expect(typeof second === 'string' ? second : second.status).toBe(200);
      // Idle again: closed by the keep-alive timeout.
      expect(await c.waitClose(8_000)).toBe(true);
      c.destroy();
    } finally {
      await expiring.close();
    }
  });
});
