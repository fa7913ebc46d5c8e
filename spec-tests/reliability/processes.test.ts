/**
 * The battery with `switchyard serve` as a real child process:
 * - its hardening options (`--connect-timeout`, `--max-body`, `--trusted-proxies`,
 *   `--request-timeout`), a black-holed endpoint answered 503 within the connect timeout (B9), and routes with regular
 *   expressions the engine cannot run reported on stderr with their field while the rest serves (B5);
 * - B9: one of two backend processes `kill -9`'d under keep-alive load: no request fails;
 * - B8: SIGTERM under load with slow requests in flight: readiness fails first, 0 failed
 *   requests, exit 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, type Child } from '../../host-node/ops/test-support.js';
import { CLASS, gatewayYaml, ManifestDir, routeYaml, serviceYaml } from '../../host-node/test-support.js';
import { startBackendProcess, startServeProcess, type BackendProcess } from './processes.js';
import { get, percentiles, RawConnection, runLoad, sleep, startBlackHole, startRecordingBackend, type BlackHole, type RecordingBackend } from './support.js';

const rule = (prefix: string, service: string) => `  - matches: [{ path: { type: PathPrefix, value: ${prefix} } }]\n    backendRefs: [{ name: ${service}, port: 8080 }]`;
const regexRoute = (name: string, pattern: string) =>
  routeYaml(name, `  - matches: [{ path: { type: RegularExpression, value: ${JSON.stringify(pattern)} } }]\n    backendRefs: [{ name: steady, port: 8080 }]`);

const children: Child[] = [];
const dirs: ManifestDir[] = [];

async function serve(dir: ManifestDir, ...extra: string[]): Promise<{ child: Child; port: number; admin: string }> {
  const served = await startServeProcess(dir, '--no-watch', ...extra);
  children.push(served.child);
  return served;
}

afterAll(async () => {
  for (const child of children) child.kill();
  await Promise.all(children.map((c) => c.exited));
  for (const dir of dirs) await dir.remove();
});

describe('switchyard serve hardening options and rejected routes', () => {
  let steady: RecordingBackend;
  let hole: BlackHole;
  let port: number;
  let child: Child;

  beforeAll(async () => {
    steady = await startRecordingBackend('steady');
    hole = await startBlackHole();
    const dir = await ManifestDir.create();
    dirs.push(dir);
    await dir.write(
      'all.yaml',
      CLASS,
      gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
      serviceYaml('steady', [steady.port]),
      serviceYaml('hole', [hole.port]),
      routeYaml('r', [rule('/steady', 'steady'), rule('/hole', 'hole')].join('\n'), '  hostnames: [a.example]\n'),
      // A backreference, and a pattern compiling past the engine's instruction cap (4,096).
      regexRoute('bad-backref', '^/(a+)\\1$'),
      regexRoute('bad-size', '/(abcde){1000}'),
      regexRoute('good-regex', '/re/[0-9]+'),
    );
    ({ child, port } = await serve(dir, '--connect-timeout', '1s', '--max-body', '1Ki', '--trusted-proxies', '127.0.0.1/32', '--request-timeout', '2s'));
  });

  afterAll(async () => {
    await hole?.close();
    await steady?.close();
  });

  it('reports the routes whose regular expression cannot run, with their field path, and serves the rest', async () => {
    const stderr = child.stderr();
    expect(stderr).toMatch(/HTTPRoute infra\/bad-backref spec\.rules\[0\]\.matches\[0\]\.path\.value: .*backreference/);
    expect(stderr).toMatch(/HTTPRoute infra\/bad-size spec\.rules\[0\]\.matches\[0\]\.path\.value: .*pattern too large/);
    expect(stderr).not.toContain('good-regex');
    expect((await get(port, '/steady/x')).status).toBe(200);
    expect((await get(port, '/re/42')).status).toBe(200);
    expect((await get(port, '/aa')).status).toBe(404);
    expect((await get(port, '/' + 'abcde'.repeat(1000))).status).toBe(404);
  });

  it('answers 503 for a black-holed endpoint within --connect-timeout while other routes answer at once', async () => {
    const holeAnswers = [get(port, '/hole/1'), sleep(100).then(() => get(port, '/hole/2'))];
    const steadyTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await get(port, `/steady/during-hole?i=${i}`);
      expect(answer.status).toBe(200);
      steadyTimes.push(answer.ms);
    }
    const answers = await Promise.all(holeAnswers);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeGreaterThanOrEqual(950);
      expect(answer.ms).toBeLessThan(2_500);
    }
    expect(percentiles(steadyTimes).max).toBeLessThan(500);
    console.log(`B9 black hole (serve --connect-timeout 1s): 503 after ${answers.map((a) => Math.round(a.ms)).join(', ')} ms; other route max ${percentiles(steadyTimes).max} ms`);
  });

  it('answers 413 past --max-body and forwards a body at the limit', async () => {
    const before = steady.requests.length;
    const post = (length: number) => {
      const c = new RawConnection(port);
      c.write(`POST /steady/body HTTP/1.1\r\nHost: a.example\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${'x'.repeat(length)}`);
      return c.response(5_000).finally(() => c.destroy());
    };
    expect(await post(1025)).toMatchObject({ status: 413 });
    expect(await post(1024)).toMatchObject({ status: 200 });
    expect(steady.requests.slice(before).map((r) => r.bodyBytes)).toEqual([1024]);
  });

  it('answers 408 and closes when a request body is still arriving after --request-timeout; the backend never gets it whole', async () => {
    const before = steady.requests.length;
    const c = new RawConnection(port);
    await c.connected;
    c.write('POST /steady/slow-body HTTP/1.1\r\nHost: a.example\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => c.write('b'), 200);
    const answer = await c.response(10_000);
    const closed = await c.waitClose(2_000);
    clearInterval(drip);
    c.destroy();
    expect(answer).toMatchObject({ status: 408 });
    expect(closed).toBe(true);
    expect(steady.requests.slice(before).filter((r) => r.bodySha256 !== undefined)).toEqual([]);
  });

    it('keeps X-Forwarded-For from a peer in --trusted-proxies and appends the peer', async () => {
    const c = new RawConnection(port);
    c.write('GET /steady/xff HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 203.0.113.7\r\nX-Request-Id: trusted-id\r\nConnection: close\r\n\r\n');
    const answer = await c.response(5_000);
    c.destroy();
    expect(answer).toMatchObject({ status: 200 });
    const headers = (JSON.parse((answer as { body: Buffer }).body.toString()) as { headers: string[] }).headers;
    const field = (name: string) => headers[headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name) + 1];
    expect(field('x-forwarded-for')).toBe('203.0.113.7, 127.0.0.1');
    expect(field('x-request-id')).toBe('trusted-id');
  });
});

describe('B9 and B8 with real processes', () => {
  let pairA: BackendProcess;
  let pairB: BackendProcess;
  let port: number;
  let admin: string;
  let child: Child;

  beforeAll(async () => {
    [pairA, pairB] = await Promise.all([startBackendProcess('pair-a'), startBackendProcess('pair-b')]);
    const dir = await ManifestDir.create();
    dirs.push(dir);
    await dir.write(
      'all.yaml',
      CLASS,
      gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
      serviceYaml('pair', [pairA.port, pairB.port]),
      routeYaml('r', rule('/pair', 'pair'), '  hostnames: [a.example]\n'),
    );
    ({ child, port, admin } = await serve(dir, '--drain-timeout', '20s', '--drain-delay', '1s'));
  });

  afterAll(async () => {
    await pairA?.kill9();
    await pairB?.kill9();
  });

  it('B9: kill -9 of one of two endpoint processes fails no request', async () => {
    const durationMs = 3_000;
    const connections = 8;
    const load = runLoad({ port, host: 'a.example', connections, durationMs, rps: 400, path: (n) => `/pair/x?n=${n}`, ok: (s) => s === 200 });
    await sleep(1_000);
    const killedAt = Date.now();
    await pairB.kill9();
    const result = await load;
    expect(result.sent).toBeGreaterThan(400);
    expect(result.statuses.get(500) ?? 0).toBe(0);
    // A GET in flight on the killed endpoint is retried once after the reset; one that picked it
    // before it was ejected, once on the live endpoint after the refused connect.
    expect(result.failed).toEqual([]);
    expect(result.failures).toBe(0);
    expect((await get(port, '/pair/after')).status).toBe(200);
    console.log(
      `B9 kill -9 (serve child, 2 endpoint processes): ${result.sent} requests, ${result.failures} failed (${JSON.stringify(Object.fromEntries(result.statuses))}), failed started ${result.failed.map((f) => f.startedAt - killedAt).join(',')} ms after the kill`,
    );
  });

  it('B8: SIGTERM under load with slow requests in flight: readiness fails first, 0 failed requests, exit 0', async () => {
    expect((await send(`${admin}/readyz`)).status).toBe(200);
    // The load balancer in front stops sending once /readyz fails; requests it sent before must all succeed.
    let unreadyAt = 0;
    let resolveUnready: () => void = () => undefined;
    const unready = new Promise<void>((resolve) => (resolveUnready = resolve));
    const load = runLoad({ port, host: 'a.example', connections: 10, durationMs: 8_000, rps: 400, path: (n) => `/pair/steady?n=${n}`, stop: unready });
    const slow = Array.from({ length: 20 }, (_, i) => sleep(i * 40).then(() => get(port, `/pair/slow?delay=2000&i=${i}`, 'a.example', 10_000)));
    await sleep(1_000);
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    // Poll readiness and a fresh connection: readiness must fail while the listener still accepts.
    let closedAt = 0;
    const deadline = Date.now() + 6_000;
    while ((unreadyAt === 0 || closedAt === 0) && Date.now() < deadline) {
      if (unreadyAt === 0) {
        const ready = await send(`${admin}/readyz`).catch(() => ({ status: 0 }));
        if (ready.status === 503) {
          unreadyAt = Date.now();
          resolveUnready();
        }
      }
      if (closedAt === 0 && (await get(port, '/pair/probe', 'a.example', 1_000)).status === 0) closedAt = Date.now();
      await sleep(50);
    }
    resolveUnready();
    const [result, slowAnswers] = await Promise.all([load, Promise.all(slow)]);
    const exit = await child.exited;
    const exitedAt = Date.now();
    expect(unreadyAt).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThan(unreadyAt);
    expect(result.errors).toEqual([]);
    expect(result.failures).toBe(0);
    expect(result.sent).toBeGreaterThan(200);
    expect(slowAnswers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(exit).toEqual({ code: 0, signal: null });
    console.log(
      `B8 SIGTERM (serve child, drain-delay 1 s): ${result.sent} requests + 20 slow (2 s) in flight, ${result.failures} failed; /readyz 503 after ${unreadyAt - signalledAt} ms, listener closed after ${closedAt - signalledAt} ms, exit 0 after ${exitedAt - signalledAt} ms`,
    );
  });
});
