/**
 * The closing report of the traffic conformance runs (HTTP, gRPC, L4): one row per test (cases
 * passed, time, verdict), the failing cases, then totals per profile and per feature, and the
 * closing line `<label>: N passed, N failed` (counting cases; a traffic check counts as one).
 * Each runner says how many cases a test has.
 */
import { TARGET_PROFILES } from './corpus.js';
import { httpTestPassed as testPassed, passedCases, type HttpTest, type HttpTestOutcome } from './http-runner.js';

export { testPassed };

/** How many cases a test counts in its runner. */
export type CaseCount = (test: HttpTest) => number;

export interface SummaryRow {
  test: HttpTest;
  skipped?: string;
  gap?: string;
  outcome?: HttpTestOutcome;
}

function verdict(r: SummaryRow): string {
  if (r.skipped) return `SKIP (${r.skipped})`;
  if (r.gap) return `GAP (${r.gap})`;
  if (!r.outcome) return 'NOT RUN';
  if (r.outcome.crash) return `FAIL (crashed: ${r.outcome.crash.split('\n')[0]})`;
  return testPassed(r.outcome) ? 'PASS' : 'FAIL';
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function rank(profile: string): number {
  const i = (TARGET_PROFILES as readonly string[]).indexOf(profile);
  return i < 0 ? TARGET_PROFILES.length : i;
}

/** Totals of the rows that ran: tests and cases passed. */
export function tally(rows: readonly SummaryRow[], count: CaseCount): { tests: number; passedTests: number; cases: number; passedCases: number } {
  const run = rows.filter((r) => !r.skipped);
  return {
    tests: run.length,
    passedTests: run.filter((r) => r.outcome && testPassed(r.outcome)).length,
    cases: run.reduce((n, r) => n + count(r.test), 0),
    passedCases: run.reduce((n, r) => n + (r.outcome ? passedCases(r.outcome) : 0), 0),
  };
}

export function renderSummary(title: string, label: string, rows: readonly SummaryRow[], count: CaseCount): string {
  const out: string[] = [title];
  out.push(
    columns([
      ['TEST', 'PROFILES', 'CASES', 'TIME', 'RESULT'],
      ...rows.map((r) => [
        r.test.name,
        r.test.profiles.join(',') || '(none)',
        r.skipped ? '-' : `${r.outcome ? passedCases(r.outcome) : 0}/${count(r.test)}`,
        r.outcome?.durationMs !== undefined ? `${(r.outcome.durationMs / 1000).toFixed(1)}s` : '-',
        verdict(r),
      ]),
    ]),
  );
  const failing = rows.filter((r) => r.outcome && !testPassed(r.outcome));
  if (failing.length > 0) {
    out.push('', 'Failing cases:');
    for (const r of failing) {
      if (r.outcome!.crash) out.push(`  ${r.test.name}: crashed: ${r.outcome!.crash.split('\n')[0]}`);
      for (const c of r.outcome!.cases.filter((x) => !x.passed)) out.push(`  ${r.test.name} ${c.description}\n      ${c.message ?? ''}`);
    }
  }
  const group = (keys: (r: SummaryRow) => string[]): [string, SummaryRow[]][] => {
    const m = new Map<string, SummaryRow[]>();
    for (const r of rows) for (const k of keys(r)) m.set(k, [...(m.get(k) ?? []), r]);
    return [...m.entries()];
  };
  const totals = (heading: string, groups: [string, SummaryRow[]][]) => {
    out.push('');
    out.push(
      columns([
        [heading, 'TESTS PASSED', 'CASES PASSED'],
        ...groups.map(([k, rs]) => {
          const t = tally(rs, count);
          return [k, `${t.passedTests}/${t.tests}`, `${t.passedCases}/${t.cases}`];
        }),
      ]),
    );
  };
  totals('PROFILE', group((r) => (r.test.profiles.length > 0 ? r.test.profiles : ['(no profile)'])).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
  totals('FEATURE', group((r) => r.test.features).sort(([a], [b]) => a.localeCompare(b)));
  const all = tally(rows, count);
  out.push('', `${label}: ${all.passedCases} passed, ${all.cases - all.passedCases} failed`);
  return out.join('\n');
}
