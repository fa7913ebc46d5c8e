/**
 * The path index of one route group (the matches one hostname group of one listener holds):
 * Exact paths in a hash map, normalised PathPrefix values in a hash map probed at every
 * segment boundary of the request path (longest first), RegularExpression paths and GRPCRoute
 * matches in lists. Every candidate list is already in precedence order, so the core returns
 * the first candidate whose predicates hold.
 *
 * Group record: [exactMapOff, prefixMapOff, regexListOff, grpcListOff, maxPrefixLen]
 * (0 = none). Candidate list: [count, matchIndex...].
 */
import { writeStringMap } from './hashmap.js';
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

function writeKeyedLists(w: TableWriter, items: readonly IndexedMatch[]): { off: number } {
  if (items.length === 0) return { off: 0 };
  const lists = new Map<string, number>();
  const grouped = byKey(items);
  for (const key of [...grouped.keys()].sort()) lists.set(key, writeList(w, grouped.get(key)!, compareHttpMatches));
  return { off: writeStringMap(w, lists) };
}

export function writeGroup(w: TableWriter, matches: readonly IndexedMatch[]): WrittenGroup {
  const exact = matches.filter((m) => m.spec.path?.type === 'Exact');
  const prefix = matches.filter((m) => m.spec.path?.type === 'PathPrefix');
  const regex = matches.filter((m) => m.spec.path?.type === 'RegularExpression');
  const grpc = matches.filter((m) => m.spec.grpc);
  const exactMap = writeKeyedLists(w, exact);
  const prefixMap = writeKeyedLists(w, prefix);
  const regexList = regex.length ? writeList(w, regex, compareHttpMatches) : 0;
  const grpcList = grpc.length ? writeList(w, grpc, compareGrpcMatches) : 0;
  const encoder = new TextEncoder();
  const maxPrefixLen = prefix.reduce((n, m) => Math.max(n, encoder.encode(m.spec.path!.value).length), 0);
  const offset = w.words([exactMap.off, prefixMap.off, regexList, grpcList, maxPrefixLen]);
  return { offset, maxPrefixLen };
}
