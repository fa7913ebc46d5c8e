/**
 * The conformance `http` cases that apply to a single-port edge worker, sent through the worker
 * in workerd against echo origins on loopback (testing/conformance.ts), one worker per Gateway.
 * Prints a per-test table and closes with `edge: N passed, N failed` (cases; a traffic check
 * counts as one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allConformanceTests } from '../spec-tests/support/corpus.js';
import { expectationCount, type HttpTest } from '../spec-tests/support/http-runner.js';
import { edgeSkipReason, runEdgeTest, type EdgeCaseOutcome } from './testing/conformance.js';
import { bundleWorker, startWorker, type Bundle, type EdgeWorker } from './testing/miniflare.js';

const tests = (allConformanceTests() as HttpTest[]).filter((t) => expectationCount(t) > 0);
const applicable = tests.filter((t) => edgeSkipReason(t) === undefined);
const outcomes = new Map<string, EdgeCaseOutcome[]>();
const workers = new Map<string, Promise<EdgeWorker>>();
let bundle: Bundle;

beforeAll(async () => {
  bundle = await bundleWorker('host-edge/testing/worker.ts');
}, 120_000);

afterAll(async () => {
  for (const w of workers.values()) await (await w).dispose();
  await bundle?.remove();
  if (outcomes.size > 0) console.log(summary());
});

function workerFor(gateway: string): Promise<EdgeWorker> {
  let w = workers.get(gateway);
  if (!w) {
    w = startWorker(bundle, { SWITCHYARD_GATEWAY: gateway });
    workers.set(gateway, w);
  }
  return w;
}

describe('conformance HTTP cases through the edge worker', () => {
  it('has tests that apply to the edge', () => {
    expect(applicable.length).toBeGreaterThan(30);
  });

  for (const test of tests) {
    const skip = edgeSkipReason(test);
    if (skip) {
      it.skip(`${test.name} — ${skip}`, () => {});
      continue;
    }
    it(test.name, async () => {
      const cases = await runEdgeTest(test, await workerFor(test.http[0]!.gateway));
      outcomes.set(test.name, cases);
      const failed = cases.filter((c) => !c.passed).map((c) => `FAIL ${c.description}\n    ${c.message ?? ''}`);
      expect(failed.join('\n')).toBe('');
      expect(cases.length).toBe(expectationCount(test));
    }, 60_000);
  }
});

function summary(): string {
  const rows = [['TEST', 'CASES', 'RESULT']];
  let passed = 0;
  let failed = 0;
  for (const test of tests) {
    const skip = edgeSkipReason(test);
    const cases = outcomes.get(test.name);
    if (skip) {
      rows.push([test.name, '-', `N/A (${skip})`]);
      continue;
    }
    if (!cases) {
      rows.push([test.name, `0/${expectationCount(test)}`, 'NOT RUN']);
      failed += expectationCount(test);
      continue;
    }
    const ok = cases.filter((c) => c.passed).length;
    passed += ok;
    failed += expectationCount(test) - ok;
    rows.push([test.name, `${ok}/${expectationCount(test)}`, ok === expectationCount(test) ? 'PASS' : 'FAIL']);
  }
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c)).join('  ')).join('\n');
  return `Conformance HTTP cases through the edge worker (workerd)\n${table}\n\nedge: ${passed} passed, ${failed} failed`;
}
