/**
 * B6 (Node adapter vs edge adapter): 2,000 generated raw requests (`requests.ts`, fixed seed)
 * sent to the Node gateway and to the edge worker serving the same table: identical (status,
 * backend, forwarded target, Location) for every target the Workers runtime passes through
 * as written. Targets its WHATWG URL parser rewrites before the worker runs (raw `\`, `%2e`
 * dot segments, empty segments next to `..`) can differ, since the worker never sees their raw
 * form; they are counted and reported, not hidden. `npm run soak` sends 10,000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOffset } from '../../host-node/test-support.js';
import { startFixture, type Fixture } from './battery.js';
import { alteredByWhatwg, runParity, startEdgeFor, type Edge } from './parity.js';
import { generateTargets } from './requests.js';

let fixture: Fixture;
let edge: Edge;

beforeAll(async () => {
  fixture = await startFixture(portOffset(27));
  edge = await startEdgeFor(fixture);
}, 120_000);

afterAll(async () => {
  await edge?.close();
  await fixture?.close();
});

describe('B6 Node and edge agree on generated requests', () => {
  it('gives identical (status, backend, forwarded target, Location) for 2,000 generated targets the runtime passes as written', async () => {
    const targets = generateTargets(0x5eed, 2_000);
    expect(new Set(targets).size).toBeGreaterThan(1_000);
    const figures = await runParity(fixture.port, edge.port, targets);
    expect(figures.unaltered).toBeGreaterThan(900);
    expect(figures.mismatches.filter((m) => !alteredByWhatwg(m.target)).slice(0, 10)).toEqual([]);
    // The generated set reaches both backends and the gateway's own answers.
    expect(Object.keys(figures.statuses).sort()).toEqual(expect.arrayContaining(['200', '307', '400', '404']));
    console.log(
      `B6: ${figures.sent} generated targets on Node and edge in ${figures.durationMs} ms: 0 mismatches among ${figures.unaltered} passed as written; ${figures.mismatches.length} mismatches among ${figures.sent - figures.unaltered} rewritten by the runtime's URL parser (e.g. ${figures.mismatches.slice(0, 3).map((m) => m.target).join(' ')}); outcomes ${JSON.stringify(figures.statuses)}`,
    );
  });
});
