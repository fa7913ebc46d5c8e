/**
 * Go's `time.ParseDuration`, which echo-basic applies to its `delay` and `delayRetry` query
 * parameters: a sign, then one or more decimal numbers each with a unit (`ns`, `us`/`µs`/`μs`,
 * `ms`, `s`, `m`, `h`), e.g. `300ms`, `1.5s`, `1m30s`; a bare `0` is allowed.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's error text for an unparseable duration. */
export class DurationError extends Error {}

const quote = (s: string): string => JSON.stringify(s);

/** The duration in milliseconds (negative allowed), or a `DurationError` with Go's message. */
export function parseGoDuration(input: string): number {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationError(`time: invalid duration ${quote(input)}`);
  let total = 0;
  const term = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (s !== '') {
    const m = term.exec(s);
    const [whole, int = '', frac, unit = ''] = m ?? [];
    if (!m || (int === '' && (frac === undefined || frac === ''))) {
      throw new DurationError(`time: invalid duration ${quote(input)}`);
    }
    if (unit === '') throw new DurationError(`time: missing unit in duration ${quote(input)}`);
    const factor = UNIT_MS[unit];
    if (factor === undefined) {
      throw new DurationError(`time: unknown unit ${quote(unit)} in duration ${quote(input)}`);
    }
    total += Number(`${int || '0'}.${frac ?? ''}0`) * factor;
    s = s.slice(whole!.length);
  }
  return sign * total;
}
