/**
 * The Gateway API v1.6.1 conformance suite's status expectations, judged against Switchyard's
 * pipeline (load -> validate -> resolve): one test per conformance test, every profile.
 *
 * A conformance test listed in KNOWN_GAPS cannot pass here for a reason outside the resolver
 * (it needs a live cluster, or a feature Switchyard does not build yet); its test asserts that
 * it still does not pass, so the list stays honest. Everything else must pass.
 *
 * At the end a table prints each test's checks and the totals per profile and per feature,
 * closing with `status: N passed, N failed` (counting checks).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allConformanceTests, skipReason, TARGET_PROFILES } from './support/corpus.js';
import { failureReport, passedChecks, runStatusTest, testPassed, type TestOutcome } from './support/status-suite.js';

/** Conformance tests that cannot pass without a live cluster or an unbuilt feature: name -> reason. */
const KNOWN_GAPS: Readonly<Record<string, string>> = {
  GatewayInfrastructure:
    'infrastructurePropagation needs a live cluster: the labels/annotations are checked on the ServiceAccount, Pod and Service an implementation provisions per Gateway',
};

const tests = allConformanceTests().filter((t) => t.status.length > 0);
const outcomes = new Map<string, TestOutcome>();

describe('conformance status expectations', () => {
  it('covers every test of the corpus that has status expectations', () => {
    expect(tests.length).toBeGreaterThan(0);
    for (const name of Object.keys(KNOWN_GAPS)) expect(tests.map((t) => t.name), `KNOWN_GAPS names an unknown test ${name}`).toContain(name);
  });

  for (const test of tests) {
    const skip = skipReason(test);
    if (skip) {
      it.skip(`${test.name} — ${skip}`, () => {});
      continue;
    }
    const gap = KNOWN_GAPS[test.name];
    it(gap ? `${test.name} (known gap)` : test.name, async () => {
      const outcome = await runStatusTest(test);
      outcomes.set(test.name, outcome);
      if (gap) {
        expect(testPassed(outcome), `${test.name} passes now: remove it from KNOWN_GAPS (${gap})`).toBe(false);
        expect(outcome.crash, `${test.name} crashed instead of failing for its known reason`).toBeUndefined();
      } else {
        expect(failureReport(outcome), `${test.name}: ${passedChecks(outcome)}/${outcome.checks.length} checks passed`).toBe('');
        // The harness applies these manifests to a real API server: none may be rejected.
        expect(outcome.errors, `${test.name}: load/validate/resolve errors`).toEqual([]);
      }
    });
  }

  afterAll(() => {
    if (outcomes.size === 0) return;
    console.log(renderSummary(tests.map((t) => outcomes.get(t.name) ?? { test: t, skipped: skipReason(t) ?? 'not run', checks: [], errors: [] })));
  });
});

function verdict(o: TestOutcome): string {
  if (o.skipped) return `SKIP (${o.skipped})`;
  const gap = KNOWN_GAPS[o.test.name];
  if (gap) return `GAP (${gap})`;
  if (o.crash) return 'FAIL (crashed)';
  return testPassed(o) ? 'PASS' : 'FAIL';
}

interface Tally {
  tests: number;
  passedTests: number;
  checks: number;
  passedChecks: number;
}

function tally(list: TestOutcome[]): Tally {
  const run = list.filter((o) => !o.skipped);
  return {
    tests: run.length,
    passedTests: run.filter(testPassed).length,
    checks: run.reduce((n, o) => n + o.checks.length, 0),
    passedChecks: run.reduce((n, o) => n + passedChecks(o), 0),
  };
}

function columns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

function renderSummary(list: TestOutcome[]): string {
  const out: string[] = [];
  out.push('Conformance status expectations (Gateway API v1.6.1)');
  out.push(
    columns([
      ['TEST', 'PROFILES', 'CHECKS', 'RESULT'],
      ...list.map((o) => [o.test.name, o.test.profiles.join(',') || '(none)', o.skipped ? '-' : `${passedChecks(o)}/${o.checks.length}`, verdict(o)]),
    ]),
  );
  const group = (keys: (o: TestOutcome) => string[]) => {
    const m = new Map<string, TestOutcome[]>();
    for (const o of list) for (const k of keys(o)) m.set(k, [...(m.get(k) ?? []), o]);
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  };
  const totals = (title: string, groups: [string, TestOutcome[]][]) => {
    out.push('');
    out.push(
      columns([
        [title, 'TESTS PASSED', 'CHECKS PASSED'],
        ...groups.map(([k, os]) => {
          const t = tally(os);
          return [k, `${t.passedTests}/${t.tests}`, `${t.passedChecks}/${t.checks}`];
        }),
      ]),
    );
  };
  totals(
    'PROFILE',
    group((o) => (o.test.profiles.length > 0 ? o.test.profiles : ['(no profile)'])).sort(
      ([a], [b]) => rank(a) - rank(b) || a.localeCompare(b),
    ),
  );
  totals('FEATURE', group((o) => o.test.features));
  const all = tally(list);
  const unjudged = list.reduce((n, o) => n + o.checks.filter((c) => c.result.outcome === 'unjudged').length, 0);
  out.push('');
  if (unjudged > 0) out.push(`${unjudged} check(s) need a live cluster and count as failed`);
  out.push(`status: ${all.passedChecks} passed, ${all.checks - all.passedChecks} failed`);
  return out.join('\n');
}

function rank(profile: string): number {
  const i = (TARGET_PROFILES as readonly string[]).indexOf(profile);
  return i < 0 ? TARGET_PROFILES.length : i;
}
