/**
 * B6 (Node adapter vs edge adapter): 2,000 generated raw requests (`requests.ts`, fixed seed)
 * sent to the Node gateway and to the edge worker serving the same table: identical (status,
 * backend, forwarded target, Location) for every target the Workers runtime passes through
 * as written. A target the runtime rewrites before the worker runs (raw `\`, dot segments) may
 * differ only in the two classes of parity.ts `MismatchClass` (an encoded control byte in a
 * removed segment; workerd's own parse order), and then the edge must give what Node gives for
 * the target the worker received; they are counted and reported, not hidden. B2: the path
 * matrix on both hosts. `npm run soak` sends 100,000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOffset } from '../../host-node/test-support.js';
import { startFixture, type Fixture } from './battery.js';
import { runParity, runPathMatrixOnHosts, startEdgeFor, type Edge } from './parity.js';
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

describe('B2 on both hosts', () => {
  it('gives every path-matrix target its (status, backend, forwarded target, Location) on Node and on the edge, except P6b, which workerd rewrites', async () => {
    const figures = await runPathMatrixOnHosts(fixture.port, edge.port);
    expect(figures.failures).toEqual([]);
    // workerd resolves `/#/../admin` to `/admin` before the worker runs (the URL standard reads
    // path `/`, fragment `#/../admin`); the edge then routes `/admin` as Node would.
    expect(figures.runtimeParsed.map((c) => [c.id, c.received])).toEqual([['P6b', '/admin']]);
  });
});

describe('B6 Node and edge agree on generated requests', () => {
  it('gives identical (status, backend, forwarded target, Location) for 2,000 generated targets, except where the runtime rewrote the target in a way no canonical rule sees through', async () => {
    const targets = generateTargets(0x5eed, 2_000);
    expect(new Set(targets).size).toBeGreaterThan(1_000);
    const figures = await runParity(fixture.port, edge.port, targets);
    expect(figures.unaltered).toBeGreaterThan(900);
    expect(figures.mismatches.filter((m) => m.class === 'as-written' || m.class === 'unexplained').slice(0, 10)).toEqual([]);
    // Each remaining mismatch is the edge answering what Node answers for the target the worker received.
    for (const m of figures.mismatches) expect(m.nodeOnReceived, m.target).toMatchObject({ status: m.edge.status, backend: m.edge.backend, target: m.edge.target, location: m.edge.location });
    // The generated set reaches both backends and the gateway's own answers.
    expect(Object.keys(figures.statuses).sort()).toEqual(expect.arrayContaining(['200', '307', '400', '404']));
    console.log(
      `B6: ${figures.sent} generated targets on Node and edge in ${figures.durationMs} ms (${figures.unaltered} passed as written by the runtime): mismatches by class ${JSON.stringify(figures.byClass)} (e.g. ${figures.mismatches.slice(0, 3).map((m) => `${m.class} ${m.target}`).join(', ')}); outcomes ${JSON.stringify(figures.statuses)}`,
    );
  });
});
