import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConformanceTest } from './corpus.js';
import { sleep } from './echo/index.js';
import { FAKE_GATEWAY_COMMAND as FAKE_GATEWAY } from './http-fake-gateway.js';
import { describeCase, FAIL_LIMIT, gatewaySlot, httpTestPassed, mapLimit, REQUIRED_SUCCESSES, runHttpTest, SlotPool, withQueryParam, type HttpTest } from './http-runner.js';

describe('runner helpers', () => {
  it('adds the mirror request id in Go url.Values encoding', () => {
    expect(withQueryParam('/mirror', 'gateway-api-conformance-request-id', 'u-1')).toBe('/mirror?gateway-api-conformance-request-id=u-1');
    expect(withQueryParam('/p?z=1&a=b c', 'm', 'x')).toBe('/p?a=b+c&m=x&z=1');
  });

  it('gives every gateway slot its own /24 and offset, all ports below the ephemeral range', () => {
    const slots = [0, 1, 2, 3, 4, 5].map((i) => gatewaySlot(i));
    expect(new Set(slots.map((s) => s.addressPool)).size).toBe(6);
    expect(new Set(slots.map((s) => s.portOffset)).size).toBe(6);
    for (const s of slots) expect(8443 + s.portOffset).toBeLessThan(32768);
    expect(() => gatewaySlot(6)).toThrow(/out of range/);
    expect(gatewaySlot(2, 240).addressPool).toBe('127.240.2.0/24');
  });

  it('hands out at most `size` slots at a time', async () => {
    const pool = new SlotPool(2, 240);
    let active = 0;
    let peak = 0;
    const seen = new Set<string>();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        pool.use(async (slot) => {
          seen.add(slot.addressPool);
          peak = Math.max(peak, ++active);
          await sleep(10);
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect([...seen].sort()).toEqual(['127.240.0.0/24', '127.240.1.0/24']);
  });

  it('maps with bounded concurrency, keeping the order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2], 2, async (x) => {
      peak = Math.max(peak, ++active);
      await sleep(x);
      active--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 30, 20]);
    expect(peak).toBe(2);
  });

  it('describes cases with phase, subtest and expectation', () => {
    const t = loadConformanceTest('HTTPRouteReferenceGrant') as HttpTest;
    expect(describeCase(t.http[1]!, 1)).toBe('#1 [afterMutation] HTTP GET <gateway>/ -> 500');
  });
});

describe('runHttpTest against a stand-in gateway', () => {
  it('passes a test the stand-in serves (3 consecutive successes)', async () => {
    const outcome = await runHttpTest(loadConformanceTest('HTTPRouteSimpleSameNamespace') as HttpTest, gatewaySlot(4), { command: FAKE_GATEWAY });
    expect(outcome.crash).toBeUndefined();
    expect(outcome.cases).toEqual([expect.objectContaining({ index: 0, passed: true, attempts: REQUIRED_SUCCESSES })]);
    expect(httpTestPassed(outcome)).toBe(true);
  });

  it('reloads for mutation phases and gives a failing case up after FAIL_LIMIT attempts', async () => {
    const started = Date.now();
    const outcome = await runHttpTest(loadConformanceTest('HTTPRouteReferenceGrant') as HttpTest, gatewaySlot(4), { command: FAKE_GATEWAY });
    expect(outcome.crash).toBeUndefined();
    expect(outcome.cases[0]).toMatchObject({ index: 0, passed: true });
    // The stand-in ignores ReferenceGrants: after the grant is deleted it still proxies.
    expect(outcome.cases[1]).toMatchObject({
      index: 1,
      passed: false,
      attempts: FAIL_LIMIT,
      message: expect.stringMatching(/^expected status code to be one of \[500\], got 200/),
    });
    expect(httpTestPassed(outcome)).toBe(false);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('runs WebSocket probes through the gateway', async () => {
    const test = loadConformanceTest('HTTPRouteBackendProtocolWebSocket') as HttpTest;
    const outcome = await runHttpTest(test, gatewaySlot(4), { command: FAKE_GATEWAY });
    expect(outcome.crash).toBeUndefined();
    expect(outcome.cases).toEqual([expect.objectContaining({ index: 0, passed: true, attempts: REQUIRED_SUCCESSES })]);
    expect(outcome.durationMs).toBeGreaterThan(0);
  });

  it('moves to another loopback network when the addresses of its slot are taken', async () => {
    const slot = gatewaySlot(3);
    const squatter = createServer();
    // The stand-in gives the first Gateway (namespace/name order) the pool's .1 address.
    await new Promise<void>((resolve) => squatter.listen(80 + slot.portOffset, '127.231.3.1', () => resolve()));
    try {
      const outcome = await runHttpTest(loadConformanceTest('HTTPRouteSimpleSameNamespace') as HttpTest, slot, { command: FAKE_GATEWAY });
      expect(outcome.crash).toBeUndefined();
      expect(httpTestPassed(outcome)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('reports a gateway that does not start as a crash', async () => {
    const exits = { command: process.execPath, args: ['-e', 'process.exit(2)', '--'] };
    const outcome = await runHttpTest(loadConformanceTest('HTTPRouteSimpleSameNamespace') as HttpTest, gatewaySlot(4), { command: exits });
    expect(outcome.crash).toMatch(/switchyard serve exited \(code 2\)/);
    expect(httpTestPassed(outcome)).toBe(false);
  });
});
