/**
 * B5: regular expressions that backtrack catastrophically in V8 (`^(a+)+$` on 26 characters
 * takes 0.69 s there), each as an HTTPRoute RegularExpression path match (RE2 full match),
 * against `a`×N + `!` for N = 26, 1,000 and a 64 KiB path (regex-cases.ts). The match itself is
 * timed in-process on the router of the table the gateway serves; the same requests then go
 * through the gateway to show none of them hangs. (Patterns the engine cannot run are rejected at
 * load: processes.test.ts checks it through `switchyard serve`.) regex-bench.ts prints the
 * timings with more runs, against another core if given one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/pipeline.js';
import { createRouter, type Router } from '../../src/runtime/router.js';
import { ManifestDir, portOffset, startGateway } from '../../host-node/test-support.js';
import type { NodeGateway } from '../../host-node/index.js';
import { REDOS_PATTERNS, SIZES, redosExpected, redosInputs, redosManifests, timeMatch } from './regex-cases.js';
import { RawConnection, startRecordingBackend, type RecordingBackend } from './support.js';

const OFFSET = portOffset(25);
let dir: ManifestDir;
let backend: RecordingBackend;
let gateway: NodeGateway;
let router: Router;
let docs: string[];

beforeAll(async () => {
  backend = await startRecordingBackend('regex');
  docs = redosManifests(backend.port);
  dir = await ManifestDir.create();
  await dir.write('all.yaml', ...docs);
  // Targets up to 64 KiB + a little reach the router (the default limits answer 414 past 16 KiB).
  ({ gateway } = await startGateway(dir, OFFSET, { limits: { maxUrlBytes: 70 * 1024, maxHeaderSize: 80 * 1024 } }));
  const compiled = compile(docs.join('\n---\n'));
  expect(compiled.diagnostics).toEqual([]);
  expect(compiled.hash).toBe(gateway.tableHash);
  router = await createRouter(compiled.table);
});

afterAll(async () => {
  await gateway?.close();
  await backend?.close();
  await dir?.remove();
});

const time = (host: string, path: string) => timeMatch(router, host, path, 5);

describe('B5 regular expressions on the linear-time engine', () => {
  it('matches each pattern against a×N+! far below 5 ms (N = 26, 1,000 and 64 KiB), in time linear in the input', () => {
    const rows: string[] = [];
    const perByte: number[] = [];
    for (const [i, pattern] of REDOS_PATTERNS.entries()) {
      for (const n of SIZES) {
        for (const path of redosInputs(n)) {
          const t = time(`r${i}.example`, path);
          rows.push(`${pattern} ${path.slice(0, 5)}…(${path.length} B) ${t.matched ? 'match' : 'no match'} median ${t.median.toFixed(3)} ms max ${t.max.toFixed(3)} ms`);
          expect(t.matched).toBe(redosExpected(i, path));
          expect(t.median, `${pattern} on ${path.length} B`).toBeLessThan(5);
          // `(.*a){20}` reads its whole input (the others fail within a few bytes): 20 nested `.*a` loops.
          if (i === 4 && n === 64 * 1024) perByte.push(t.median / path.length);
        }
      }
      const small = time(`r${i}.example`, redosInputs(1_000)[0]!);
      if (i === 4) perByte.unshift(small.median / 1_001);
    }
    // Linear, not exponential or quadratic (which would be ×65 here): cost per byte at 64 KiB stays within 8× of that at 1,000.
    expect(Math.max(...perByte.slice(1)) / perByte[0]!).toBeLessThan(8);
    console.log(`B5 match timings (router.match, in-process):\n${rows.join('\n')}`);
  });

  it('answers every one of those requests through the gateway (404 or the route), none hangs', async () => {
    const before = backend.requests.length;
    let forwarded = 0;
    const slowest: number[] = [];
    for (const [i] of REDOS_PATTERNS.entries()) {
      for (const n of SIZES) {
        for (const path of redosInputs(n)) {
          const c = new RawConnection(gateway.listeners[0]!.port);
          const t0 = performance.now();
          c.write(`GET ${path} HTTP/1.1\r\nHost: r${i}.example\r\nConnection: close\r\n\r\n`);
          const answer = await c.response(5_000);
          c.destroy();
          slowest.push(performance.now() - t0);
          const want = redosExpected(i, path) ? 200 : 404;
          expect(typeof answer === 'string' ? answer : answer.status, `r${i} ${path.length} B`).toBe(want);
          if (want === 200) forwarded++;
        }
      }
    }
    expect(backend.requests.length - before).toBe(forwarded);
    expect(Math.max(...slowest)).toBeLessThan(2_000);
    console.log(`B5 through the gateway: ${slowest.length} requests, ${forwarded} forwarded, slowest ${Math.max(...slowest).toFixed(1)} ms`);
  });
});
