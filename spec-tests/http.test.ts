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
import { allConformanceTests, skipReason, TARGET_PROFILES } from './support/corpus.js';
import { expectationCount, httpTestPassed, passedCases, runHttpTest, SlotPool, type HttpTest, type HttpTestOutcome } from './support/http-runner.js';
import { serveCommand } from './support/http-gateway.js';

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
    console.log(renderSummary(tests));
  });
});

function failureReport(o: HttpTestOutcome): string {
  const lines: string[] = [];
  if (o.crash) lines.push(`crashed: ${o.crash}`);
  for (const c of o.cases) if (!c.passed) lines.push(`FAIL ${c.description} (${c.attempts} attempts)\n    ${c.message ?? ''}`);
  if (lines.length > 0 && o.gatewayLog) lines.push(`gateway stderr (tail):\n    ${o.gatewayLog.trim().split('\n').slice(-20).join('\n    ')}`);
  return lines.join('\n');
}

type Row = { test: HttpTest; skipped?: string; outcome?: HttpTestOutcome };

function verdict(r: Row): string {
  if (r.skipped) return `SKIP (${r.skipped})`;
  const gap = KNOWN_GAPS[r.test.name];
  if (gap) return `GAP (${gap})`;
  if (!r.outcome) return 'NOT RUN';
  if (r.outcome.crash) return `FAIL (crashed: ${r.outcome.crash.split('\n')[0]})`;
  return httpTestPassed(r.outcome) ? 'PASS' : 'FAIL';
}

interface Tally {
  tests: number;
  passedTests: number;
  cases: number;
  passedCases: number;
}

function tally(rows: Row[]): Tally {
  const run = rows.filter((r) => !r.skipped);
  return {
    tests: run.length,
    passedTests: run.filter((r) => r.outcome && httpTestPassed(r.outcome)).length,
    cases: run.reduce((n, r) => n + expectationCount(r.test), 0),
    passedCases: run.reduce((n, r) => n + (r.outcome ? passedCases(r.outcome) : 0), 0),
  };
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function rank(profile: string): number {
  const i = (TARGET_PROFILES as readonly string[]).indexOf(profile);
  return i < 0 ? TARGET_PROFILES.length : i;
}

function renderSummary(list: HttpTest[]): string {
  const rows: Row[] = list.map((test) => {
    const skipped = skipReason(test) ?? excludedBy(test);
    const outcome = outcomes.get(test.name);
    return { test, ...(skipped ? { skipped } : {}), ...(outcome ? { outcome } : {}) };
  });
  const out: string[] = [];
  out.push('Conformance HTTP requests against switchyard serve (Gateway API v1.6.1)');
  out.push(
    columns([
      ['TEST', 'PROFILES', 'CASES', 'TIME', 'RESULT'],
      ...rows.map((r) => [
        r.test.name,
        r.test.profiles.join(',') || '(none)',
        r.skipped ? '-' : `${r.outcome ? passedCases(r.outcome) : 0}/${expectationCount(r.test)}`,
        r.outcome?.durationMs !== undefined ? `${(r.outcome.durationMs / 1000).toFixed(1)}s` : '-',
        verdict(r),
      ]),
    ]),
  );
  const failing = rows.filter((r) => r.outcome && !httpTestPassed(r.outcome));
  if (failing.length > 0) {
    out.push('');
    out.push('Failing cases:');
    for (const r of failing) {
      if (r.outcome!.crash) out.push(`  ${r.test.name}: crashed: ${r.outcome!.crash.split('\n')[0]}`);
      for (const c of r.outcome!.cases.filter((x) => !x.passed)) out.push(`  ${r.test.name} ${c.description}\n      ${c.message ?? ''}`);
    }
  }
  const group = (keys: (r: Row) => string[]) => {
    const m = new Map<string, Row[]>();
    for (const r of rows) for (const k of keys(r)) m.set(k, [...(m.get(k) ?? []), r]);
    return [...m.entries()];
  };
  const totals = (title: string, groups: [string, Row[]][]) => {
    out.push('');
    out.push(
      columns([
        [title, 'TESTS PASSED', 'CASES PASSED'],
        ...groups.map(([k, rs]) => {
          const t = tally(rs);
          return [k, `${t.passedTests}/${t.tests}`, `${t.passedCases}/${t.cases}`];
        }),
      ]),
    );
  };
  totals(
    'PROFILE',
    group((r) => (r.test.profiles.length > 0 ? r.test.profiles : ['(no profile)'])).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)),
  );
  totals('FEATURE', group((r) => r.test.features).sort(([a], [b]) => a.localeCompare(b)));
  const all = tally(rows);
  out.push('');
  out.push(`http: ${all.passedCases} passed, ${all.cases - all.passedCases} failed`);
  return out.join('\n');
}
