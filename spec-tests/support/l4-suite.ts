/**
 * A vitest suite over conformance tests judged by the probe runner (l4-runner.ts): one gateway
 * process per test, `concurrency` at a time; KNOWN_GAPS entries must still fail (for their
 * stated reason, without crashing); everything else must pass. The report (summary.ts)
 * prints after the last test.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allConformanceTests, skipReason } from './corpus.js';
import { serveCommand } from './http-gateway.js';
import { SlotPool, type HttpTestOutcome } from './http-runner.js';
import { probeCount, runProbeTest, type ProbeTest } from './l4-runner.js';
import { renderSummary, testPassed, type SummaryRow } from './summary.js';

export interface ProbeSuite {
  /** describe() title and the report's heading. */
  title: string;
  /** Closing line label: `<label>: N passed, N failed`. */
  label: string;
  select(test: ProbeTest): boolean;
  /** Tests that cannot pass without a live cluster: name -> reason. */
  knownGaps: Readonly<Record<string, string>>;
  /** Gateway processes at a time. */
  concurrency: number;
  /** Per test, including the wait for a slot. */
  timeoutMs: number;
}

function failureReport(o: HttpTestOutcome): string {
  const lines: string[] = [];
  if (o.crash) lines.push(`crashed: ${o.crash}`);
  for (const c of o.cases) if (!c.passed) lines.push(`FAIL ${c.description} (${c.attempts} attempts)\n    ${c.message ?? ''}`);
  if (lines.length > 0 && o.gatewayLog) lines.push(`gateway stderr (tail):\n    ${o.gatewayLog.trim().split('\n').slice(-20).join('\n    ')}`);
  return lines.join('\n');
}

export function defineProbeSuite(suite: ProbeSuite): void {
  const tests = (allConformanceTests() as ProbeTest[]).filter((t) => probeCount(t) > 0 && suite.select(t));
  const pool = new SlotPool(suite.concurrency);
  const outcomes = new Map<string, HttpTestOutcome>();

  describe(suite.title, () => {
    it('selects conformance tests, and KNOWN_GAPS names only selected ones', () => {
      expect(tests.length).toBeGreaterThan(0);
      for (const name of Object.keys(suite.knownGaps)) expect(tests.map((t) => t.name), `KNOWN_GAPS names an unknown test ${name}`).toContain(name);
      console.log(`${suite.label}: gateway from ${serveCommand().from}, ${suite.concurrency} gateway processes at a time`);
    });

    for (const test of tests) {
      const skip = skipReason(test);
      if (skip) {
        it.skip(`${test.name} — ${skip}`, () => {});
        continue;
      }
      const gap = suite.knownGaps[test.name];
      it.concurrent(
        gap ? `${test.name} (known gap)` : test.name,
        async () => {
          const outcome = await pool.use((slot) => runProbeTest(test, slot));
          outcomes.set(test.name, outcome);
          if (gap) {
            expect(testPassed(outcome), `${test.name} passes now: remove it from KNOWN_GAPS (${gap})`).toBe(false);
            expect(outcome.crash, `${test.name} crashed instead of failing for its known reason`).toBeUndefined();
          } else {
            expect(failureReport(outcome), `${test.name}: ${outcome.cases.filter((c) => c.passed).length}/${probeCount(test)} cases passed`).toBe('');
          }
        },
        suite.timeoutMs,
      );
    }

    afterAll(() => {
      if (outcomes.size === 0) return;
      const rows: SummaryRow[] = tests.map((test) => {
        const skipped = skipReason(test);
        const gap = suite.knownGaps[test.name];
        const outcome = outcomes.get(test.name);
        return { test, ...(skipped ? { skipped } : {}), ...(gap ? { gap } : {}), ...(outcome ? { outcome } : {}) };
      });
      console.log(renderSummary(`${suite.title} (Gateway API v1.6.1)`, suite.label, rows, probeCount));
    });
  });
}
