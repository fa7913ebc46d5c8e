/**
 * B15 at `npm test` size: 1,000 HTTPRoutes on 64 listeners (scale.ts). Asserts correctness
 * (every sampled decision, routes reachable through the gateway, added routes served) and only
 * generous sanity bounds on time; the figures against the pass criteria of design/security.md
 * (rebuild < 1 s, time-to-ready p99 < 1 s, match p99 < 50 µs) are recorded by soak.ts in RESULTS.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOffset } from '../../host-node/test-support.js';
import { hostOf, LISTENERS, measureMatch, measureRebuild, measureTimeToReady, startScaleGateway, type ScaleGateway } from './scale.js';
import { get } from './support.js';

const ROUTES = 1_000;
let scale: ScaleGateway;

beforeAll(async () => {
  scale = await startScaleGateway(ROUTES, portOffset(26));
}, 60_000);

afterAll(async () => {
  await scale?.close();
});

describe('B15 scale: 1,000 HTTPRoutes on 64 listeners', () => {
  it('rebuilds the whole snapshot without errors within a sanity bound, and matches every sampled request to its route and rule', async () => {
    const rebuild = await measureRebuild(ROUTES, 1);
    expect(rebuild.errors).toEqual([]);
    expect(rebuild.router.manifest.listeners.length).toBeGreaterThanOrEqual(LISTENERS);
    expect(Math.max(...rebuild.compileMs)).toBeLessThan(10_000);
    const match = measureMatch(rebuild.router, ROUTES, 20_000);
    expect(match.wrong).toEqual([]);
    // Sanity only: a match taking a millisecond at p99 would be a different algorithm.
    expect(match.p99Ns).toBeLessThan(1_000_000);
    console.log(`B15: rebuild ${rebuild.compileMs.map((ms) => ms.toFixed(0)).join('/')} ms + router ${rebuild.routerMs.map((ms) => ms.toFixed(1)).join('/')} ms, table ${rebuild.tableBytes} B; match p50 ${match.p50Ns} ns p99 ${match.p99Ns} ns`);
  }, 60_000);

  it('serves routes spread over every listener through the gateway', async () => {
    const problems: string[] = [];
    for (let i = 0; i < ROUTES; i += 7) {
      const answer = await get(scale.port, `/r${i}/x`, hostOf(i));
      if (answer.status !== 200) problems.push(`${hostOf(i)}/r${i}/x: ${answer.status}`);
    }
    // The host of one route with another route's path: no route.
    expect((await get(scale.port, '/r2/x', hostOf(1))).status).toBe(404);
    expect(problems).toEqual([]);
  }, 60_000);

  // Each addition is a full rebuild of 1,001 routes (about 1 s): 5 here, 100 in soak.ts.
  it('serves each route added to the running gateway (5 additions) within a sanity bound', async () => {
    const ready = await measureTimeToReady(scale, ROUTES, 5);
    expect(ready.missed).toBe(0);
    expect(ready.readyMs).toHaveLength(5);
    expect(ready.max).toBeLessThan(10_000);
    // The routes added earlier still answer.
    for (let i = ROUTES; i < ROUTES + 5; i++) expect((await get(scale.port, `/r${i}/again`, hostOf(i))).status).toBe(200);
    console.log(`B15: time-to-ready over 5 additions: p50 ${ready.p50} ms, p99 ${ready.p99} ms, max ${ready.max} ms`);
  }, 120_000);
});
