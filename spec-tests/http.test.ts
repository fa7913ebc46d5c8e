/**
 * The Gateway API v1.6.1 conformance suite's HTTP requests, sent to a real `switchyard serve`
 * over loopback sockets: every `http[]` case of every test that routes plain HTTP/HTTPS
 * (profile GATEWAY-HTTP, and the HTTP cases of other tests where they apply), plus the HTTP
 * traffic checks (weighted distribution, per-backend header consistency, mirror percentages).
 *
 * Each conformance test gets its own gateway process, echo backends and EndpointSlices
 * (support/http-runner.ts): tests share base Gateways and reuse route paths and hostnames, so
 * one process per test keeps their manifests from colliding (and lets a test's mutations reload
 * only its own gateway). GATEWAY_CONCURRENCY processes run
 * at a time, each on its own loopback /24 and port offset.
 *
 * Tests that need gRPC, TLS passthrough, TCP or UDP traffic run in spec-tests/grpc.test.ts and
 * spec-tests/l4.test.ts instead and are excluded here, with the reason printed. A test in KNOWN_GAPS cannot pass here for a reason outside the
 * gateway (it needs a live cluster); its test asserts that it still fails, so the list stays
 * honest. Everything else must pass.
 *
 * At the end a table prints each test's cases and the totals per profile and per feature,
 * closing with `http: N passed, N failed` (counting cases; a traffic check counts as one case).
 */
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { allConformanceTests, skipReason } from './support/corpus.js';
import { expectationCount, httpTestPassed, passedCases, runHttpTest, SlotPool, type HttpTest, type HttpTestOutcome } from './support/http-runner.js';
import { serveCommand } from './support/http-gateway.js';
import { renderSummary, type SummaryRow } from './support/summary.js';

/** Features whose traffic another runner sends: tests needing any of them are excluded here. */
const EXCLUDED_FEATURES: Readonly<Record<string, string>> = {
  GRPCRoute: 'gRPC traffic runs in spec-tests/grpc.test.ts',
  TLSRoute: 'TLSRoute traffic runs in spec-tests/l4.test.ts',
  TCPRoute: 'TCP traffic runs in spec-tests/l4.test.ts',
  UDPRoute: 'UDP traffic runs in spec-tests/l4.test.ts',
};

/** Conformance tests that cannot pass without a live cluster: name -> reason. */
const KNOWN_GAPS: Readonly<Record<string, string>> = {};

/** Gateway processes at a time (each test's cases also run concurrently inside it). */
const GATEWAY_CONCURRENCY = Math.max(2, Math.min(4, availableParallelism() + 1));
/** Per test, including the wait for a gateway slot. */
const TEST_TIMEOUT_MS = 200_000;

function excludedBy(test: HttpTest): string | undefined {
  const feature = test.features.find((f) => f in EXCLUDED_FEATURES);
  return feature ? `excluded: ${EXCLUDED_FEATURES[feature]} (feature ${feature})` : undefined;
}

const tests = (allConformanceTests() as HttpTest[]).filter((t) => expectationCount(t) > 0);
const pool = new SlotPool(GATEWAY_CONCURRENCY);
const outcomes = new Map<string, HttpTestOutcome>();

describe('conformance HTTP requests against switchyard serve', () => {
  it('covers every test of the corpus that has HTTP cases', () => {
    expect(tests.length).toBeGreaterThan(0);
    for (const name of Object.keys(KNOWN_GAPS)) expect(tests.map((t) => t.name), `KNOWN_GAPS names an unknown test ${name}`).toContain(name);
    console.log(`http: gateway from ${serveCommand().from}, ${GATEWAY_CONCURRENCY} gateway processes at a time`);
  });

  for (const test of tests) {
    const skip = skipReason(test) ?? excludedBy(test);
    if (skip) {
      it.skip(`${test.name} — ${skip}`, () => {});
      continue;
    }
    const gap = KNOWN_GAPS[test.name];
    it.concurrent(
      gap ? `${test.name} (known gap)` : test.name,
      async () => {
        const outcome = await pool.use((slot) => runHttpTest(test, slot));
        outcomes.set(test.name, outcome);
        if (gap) {
          expect(httpTestPassed(outcome), `${test.name} passes now: remove it from KNOWN_GAPS (${gap})`).toBe(false);
          expect(outcome.crash, `${test.name} crashed instead of failing for its known reason`).toBeUndefined();
        } else {
          expect(failureReport(outcome), `${test.name}: ${passedCases(outcome)}/${expectationCount(test)} cases passed`).toBe('');
        }
      },
      TEST_TIMEOUT_MS,
    );
  }

  afterAll(() => {
    if (outcomes.size === 0) return;
    const rows: SummaryRow[] = tests.map((test) => {
      const skipped = skipReason(test) ?? excludedBy(test);
      const outcome = outcomes.get(test.name);
      const gap = KNOWN_GAPS[test.name];
      return { test, ...(skipped ? { skipped } : {}), ...(gap ? { gap } : {}), ...(outcome ? { outcome } : {}) };
    });
    console.log(renderSummary('Conformance HTTP requests against switchyard serve (Gateway API v1.6.1)', 'http', rows, expectationCount));
  });
});

function failureReport(o: HttpTestOutcome): string {
  const lines: string[] = [];
  if (o.crash) lines.push(`crashed: ${o.crash}`);
  for (const c of o.cases) if (!c.passed) lines.push(`FAIL ${c.description} (${c.attempts} attempts)\n    ${c.message ?? ''}`);
  if (lines.length > 0 && o.gatewayLog) lines.push(`gateway stderr (tail):\n    ${o.gatewayLog.trim().split('\n').slice(-20).join('\n    ')}`);
  return lines.join('\n');
}


