/**
 * The path index of one route group (the matches one hostname group of one listener holds):
 * Exact paths in a hash map, normalised PathPrefix values in a hash map probed at every
 * segment boundary of the request path (longest first), RegularExpression paths and GRPCRoute
 * matches in lists. Every candidate list is already in precedence order, so the core returns
 * the first candidate whose predicates hold.
 *
 * Group record: [exactMapOff, prefixMapOff, regexListOff, grpcListOff, maxPrefixLen,
 * exactLengthMask (2 words), prefixLengthMask (2 words)] (offset 0 = none). Candidate list:
 * [count, matchIndex...]. A map value with bit 31 set (SINGLE_MATCH) is the one match index of
 * its key instead of a list offset. `keys` (per match index) receives the first key record
 * written for each Exact or PathPrefix match: `record * 2 + (PathPrefix ? 1 : 0)`.
 */
import { SINGLE_MATCH } from './format.js';
import { writeStringMap } from './hashmap.js';
import { utf8Length } from './wire.js';
import type { MatchSpec } from './matches.js';
import { compareGrpcMatches, compareHttpMatches } from './precedence.js';
import type { TableWriter } from './writer.js';

export interface IndexedMatch {
  spec: MatchSpec;
  /** Index of the match record. */
  index: number;
}

export interface WrittenGroup {
  offset: number;
  /** Longest normalised prefix in bytes: the core probes path boundaries up to it. */
  maxPrefixLen: number;
}

function writeList(w: TableWriter, items: IndexedMatch[], compare: (a: MatchSpec, b: MatchSpec) => number): number {
  const sorted = [...items].sort((a, b) => compare(a.spec, b.spec));
  return w.words([sorted.length, ...sorted.map((m) => m.index)]);
}

function byKey(items: readonly IndexedMatch[]): Map<string, IndexedMatch[]> {
  const map = new Map<string, IndexedMatch[]>();
  for (const m of items) {
    const key = m.spec.path!.value;
    const list = map.get(key);
    if (list) list.push(m);
    else map.set(key, [m]);
  }
  return map;
}

function writeKeyedLists(w: TableWriter, items: readonly IndexedMatch[], keys: number[], type: number): { off: number } {
  if (items.length === 0) return { off: 0 };
  const lists = new Map<string, number>();
  const grouped = byKey(items);
  for (const key of [...grouped.keys()].sort()) {
    const list = grouped.get(key)!;
    // A key with one candidate stores the match index itself, tagged (no list to follow).
    lists.set(key, list.length === 1 ? (SINGLE_MATCH | list[0].index) >>> 0 : writeList(w, list, compareHttpMatches));
  }
  const note = (key: string, record: number): void => {
    for (const m of grouped.get(key)!) keys[m.index] ||= record * 2 + type;
  };
  return { off: writeStringMap(w, lists, note) };
}

/**
 * The key lengths a map holds as a 64-bit mask (low word, high word): bit n for length n < 63,
 * bit 63 for every length >= 63. The core probes a map only for lengths whose bit is set.
 */
export function lengthMask(lengths: readonly number[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const n of lengths) {
    const bit = Math.min(n, 63);
    if (bit < 32) lo |= 1 << bit;
    else hi |= 1 << (bit - 32);
  }
  return [lo >>> 0, hi >>> 0];
}

export function writeGroup(w: TableWriter, matches: readonly IndexedMatch[], keys: number[]): WrittenGroup {
  const exact = matches.filter((m) => m.spec.path?.type === 'Exact');
  const prefix = matches.filter((m) => m.spec.path?.type === 'PathPrefix');
  const regex = matches.filter((m) => m.spec.path?.type === 'RegularExpression');
  const grpc = matches.filter((m) => m.spec.grpc);
  const exactMap = writeKeyedLists(w, exact, keys, 0);
  const prefixMap = writeKeyedLists(w, prefix, keys, 1);
  const regexList = regex.length ? writeList(w, regex, compareHttpMatches) : 0;
  const grpcList = grpc.length ? writeList(w, grpc, compareGrpcMatches) : 0;
  const prefixLengths = prefix.map((m) => utf8Length(m.spec.path!.value));
  const maxPrefixLen = prefixLengths.reduce((n, l) => Math.max(n, l), 0);
  const exactMask = lengthMask(exact.map((m) => utf8Length(m.spec.path!.value)));
  const prefixMask = lengthMask(prefixLengths);
  const offset = w.words([exactMap.off, prefixMap.off, regexList, grpcList, maxPrefixLen, ...exactMask, ...prefixMask]);
  return { offset, maxPrefixLen };
}

