/**
 * Code point sets for the regular-expression compiler.
 *
 * A set is a sorted array of disjoint, non-adjacent inclusive ranges `[lo, hi]`
 * over 0..0x10FFFF. Every function returns a new normalized set and never
 * mutates its arguments.
 */

export const MAX_CODE_POINT = 0x10ffff;

export type Range = readonly [lo: number, hi: number];
export type CodeSet = readonly Range[];

/** Sorts and merges overlapping or adjacent ranges. */
export function normalize(ranges: Iterable<Range>): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

export function union(...sets: CodeSet[]): Range[] {
  return normalize(sets.flat());
}

/** The complement of a normalized set within 0..MAX_CODE_POINT. */
export function complement(set: CodeSet): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

export function sameSet(a: CodeSet, b: CodeSet): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
  }
  return true;
}

export const ALL: CodeSet = [[0, MAX_CODE_POINT]];
/** `.` without the `s` flag: everything except `\n`. */
export const ALL_BUT_NEWLINE: CodeSet = [
  [0, 0x09],
  [0x0b, MAX_CODE_POINT],
];

const cp = (s: string): number => s.codePointAt(0)!;
const r = (lo: string, hi: string = lo): Range => [cp(lo), cp(hi)];

/** Perl classes, ASCII only as in RE2. `\s` is `[\t\n\f\r ]` (no `\v`, as RE2). */
export const PERL_CLASSES: Readonly<Record<'d' | 's' | 'w', CodeSet>> = {
  d: [r('0', '9')],
  s: normalize([r('\t', '\n'), r('\f', '\r'), r(' ')]),
  w: normalize([r('0', '9'), r('A', 'Z'), r('_'), r('a', 'z')]),
};

/** POSIX bracket classes (`[[:alpha:]]`), ASCII only as in RE2. */
export const POSIX_CLASSES: Readonly<Record<string, CodeSet>> = {
  alnum: normalize([r('0', '9'), r('A', 'Z'), r('a', 'z')]),
  alpha: normalize([r('A', 'Z'), r('a', 'z')]),
  ascii: [[0, 0x7f]],
  blank: normalize([r('\t'), r(' ')]),
  cntrl: normalize([[0, 0x1f], [0x7f, 0x7f]]),
  digit: [r('0', '9')],
  graph: [r('!', '~')],
  lower: [r('a', 'z')],
  print: [r(' ', '~')],
  punct: normalize([r('!', '/'), r(':', '@'), r('[', '`'), r('{', '~')]),
  space: normalize([r('\t', '\r'), r(' ')]),
  upper: [r('A', 'Z')],
  word: normalize([r('0', '9'), r('A', 'Z'), r('_'), r('a', 'z')]),
  xdigit: normalize([r('0', '9'), r('A', 'F'), r('a', 'f')]),
};
