/**
 * B1 (malformed requests), B2 (path matrix), B12 (limits) and the header-hygiene part of B4
 * against an in-process Node gateway with recording backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOffset } from '../../host-node/test-support.js';
import { runMalformedBattery, runPathMatrix, startFixture, type Fixture } from './battery.js';
import { MALFORMED } from './malformed.js';
import { PATH_MATRIX } from './path-matrix.js';
import { rawOnce, RawConnection } from './support.js';

const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);
let fixture: Fixture;

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  fixture = await startFixture(portOffset(20), { limits: { maxRequestBodyBytes: 1024 } });
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await fixture?.close();
});

describe('B1 malformed requests', () => {
  it('answers every S/H/A row as specified, 4 times each on fresh and keep-alive connections; backends see only what was forwarded', async () => {
    // A first round warms the process up (JIT, pools), so the memory figure is the battery's.
    expect((await runMalformedBattery(fixture, 1)).failures).toEqual([]);
    const figures = await runMalformedBattery(fixture, 4);
    expect(figures.failures).toEqual([]);
    expect(figures.malformedSent).toBe(MALFORMED.length * 4);
    expect(figures.validSent).toBeGreaterThan(figures.malformedSent);
    expect(uncaught).toEqual([]);
    // Retained memory, not RSS: the test process also holds the clients and V8 keeps freed pages.
    expect(figures.heapAfterMiB - figures.heapBeforeMiB).toBeLessThan(20);
    console.log(`B1: ${figures.malformedSent} malformed + ${figures.validSent} valid in ${figures.durationMs} ms; RSS ${figures.rssBeforeMiB} -> ${figures.rssAfterMiB} MiB, heap ${figures.heapBeforeMiB} -> ${figures.heapAfterMiB} MiB`);
  });
});

describe('B2 path matrix', () => {
  it('matches and forwards the same canonical path for every P row', async () => {
    expect(PATH_MATRIX.length).toBeGreaterThanOrEqual(30);
    expect(await runPathMatrix(fixture)).toEqual([]);
  });
});

describe('B12 limits', () => {
  const post = (length: number) => `POST /public/limit?r=B12 HTTP/1.1\r\nHost: a.example\r\nContent-Length: ${length}\r\n\r\n${'x'.repeat(length)}`;

  it('answers 413 to a declared body over the limit and forwards one at the limit', async () => {
    const before = fixture.backends.public.requests.length;
    const over = await rawOnce(fixture.port, post(1025));
    expect(over.answer).toMatchObject({ status: 413 });
    expect(over.closedAfter).toBe(true);
    const at = await rawOnce(fixture.port, post(1024));
    expect(at.answer).toMatchObject({ status: 200 });
    expect(fixture.backends.public.requests.slice(before).map((r) => r.bodyBytes)).toEqual([1024]);
  });

  it('answers 413 to a chunked body growing over the limit; the backend never gets a complete request', async () => {
    const before = fixture.backends.public.requests.length;
    const c = new RawConnection(fixture.port);
    await c.connected;
    c.write('POST /public/limit?r=chunked HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 3; i++) c.write(`200\r\n${'y'.repeat(512)}\r\n`);
    const answer = await c.response(5_000);
    c.destroy();
    expect(answer).toMatchObject({ status: 413 });
    expect(fixture.backends.public.requests.slice(before).filter((r) => r.bodySha256 !== undefined)).toEqual([]);
  });

  it('answers 431 past 60 KiB of headers and past 100 header lines, 414 past 16 KiB of target', async () => {
    const before = fixture.backends.public.requests.length;
    const big = await rawOnce(fixture.port, `GET /public/x HTTP/1.1\r\nHost: a.example\r\nX: ${'a'.repeat(60 * 1024)}\r\n\r\n`);
    expect(big.answer).toMatchObject({ status: 431 });
    const lines = await rawOnce(fixture.port, `GET /public/x HTTP/1.1\r\nHost: a.example\r\n${'h: v\r\n'.repeat(100)}\r\n`);
    expect(lines.answer).toMatchObject({ status: 431 });
    const url = await rawOnce(fixture.port, `GET /public/${'u'.repeat(16 * 1024)} HTTP/1.1\r\nHost: a.example\r\n\r\n`);
    expect(url.answer).toMatchObject({ status: 414 });
    expect(fixture.backends.public.requests.length).toBe(before);
  });
});
