/**
 * Simple Unicode case folding for the `i` flag.
 *
 * Two code points are case-equivalent when their simple case folds are equal
 * (CaseFolding.txt statuses C and S, the relation RE2 and ECMAScript `/iu`
 * use). The fold is derived from the runtime's Unicode data: the simple
 * (single code point) uppercase mapping followed by the simple lowercase
 * mapping. Multi-code-point mappings (ß -> SS, İ -> i̇) are ignored, as simple
 * folding does. U+0131 (dotless i) is the one code point whose
 * uppercase-then-lowercase round trip leaves its fold class (it has no simple
 * fold, so it stays alone); it is special-cased.
 *
 * The table is built lazily, once, the first time a case-insensitive pattern
 * is compiled (about 20 ms). Only planes 0 and 1 contain cased code points.
 */
import { type CodeSet, type Range, normalize } from './charset.js';

const CASED_LIMIT = 0x20000;
const DOTLESS_I = 0x131;

interface FoldTable {
  /** Sorted code points that have at least one case-equivalent other than themselves. */
  readonly cased: Int32Array;
  /** Code point -> its equivalence class (sorted, includes the code point). */
  readonly orbit: ReadonlyMap<number, readonly number[]>;
}

let table: FoldTable | undefined;

function singleCodePoint(s: string): number | undefined {
  const c = s.codePointAt(0);
  if (c === undefined) return undefined;
  return s.length === (c > 0xffff ? 2 : 1) ? c : undefined;
}

function simpleFold(c: number): number {
  if (c === DOTLESS_I) return c;
  const s = String.fromCodePoint(c);
  const upper = singleCodePoint(s.toUpperCase()) ?? c;
  return singleCodePoint(String.fromCodePoint(upper).toLowerCase()) ?? upper;
}

function buildTable(): FoldTable {
  const byFold = new Map<number, number[]>();
  for (let c = 0; c < CASED_LIMIT; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const f = simpleFold(c);
    if (f === c && byFold.get(c) === undefined) {
      // Possibly a singleton; only record classes that gain a member.
      continue;
    }
    let members = byFold.get(f);
    if (members === undefined) {
      members = f === c ? [] : [f];
      byFold.set(f, members);
    }
    members.push(c);
  }
  const orbit = new Map<number, readonly number[]>();
  for (const members of byFold.values()) {
    const sorted = [...new Set(members)].sort((a, b) => a - b);
    if (sorted.length < 2) continue;
    for (const m of sorted) orbit.set(m, sorted);
  }
  const cased = Int32Array.from([...orbit.keys()].sort((a, b) => a - b));
  return { cased, orbit };
}

function getTable(): FoldTable {
  table ??= buildTable();
  return table;
}

/** All code points case-equivalent to `c`, including `c`, ascending. */
export function caseOrbit(c: number): readonly number[] {
  return getTable().orbit.get(c) ?? [c];
}

/** Index of the first element of `a` that is >= `x`. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Closes a set under case equivalence. */
export function foldSet(set: CodeSet): Range[] {
  const { cased, orbit } = getTable();
  const extra: Range[] = [];
  for (const [lo, hi] of set) {
    for (let i = lowerBound(cased, lo); i < cased.length && cased[i] <= hi; i++) {
      for (const m of orbit.get(cased[i])!) extra.push([m, m]);
    }
  }
  return extra.length === 0 ? normalize(set) : normalize([...set, ...extra]);
}
