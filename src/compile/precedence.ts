/**
 * Match precedence inside one candidate list of the table. Which list a match lands in already
 * encodes the outer keys (host specificity, then Exact path, RegularExpression path, PathPrefix
 * by normalised length; see FORMAT.md); these comparators order the matches that share a list.
 *
 * HTTPRoute (spec order): method match first, more header matches, more query matches; then
 * the route ties. RegularExpression paths first order by pattern length (longer first).
 * GRPCRoute (spec order): longer service, longer method (characters of the written values,
 * absent = 0), Exact before RegularExpression, more header matches; then the route ties.
 * Route ties: older creationTimestamp (absent sorts after every timestamp), then load order
 * (`seq`), then `namespace/name`, then rule index, then match index.
 */
import { compareStrings } from './hashmap.js';
import type { MatchSpec } from './matches.js';

export function compareRouteTies(a: MatchSpec, b: MatchSpec): number {
  const ca = a.order.created;
  const cb = b.order.created;
  if (ca !== cb) {
    if (ca === null) return 1;
    if (cb === null) return -1;
    return ca - cb;
  }
  return (
    a.order.seq - b.order.seq ||
    compareStrings(a.order.key, b.order.key) ||
    compareStrings(a.kind, b.kind) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}

export function compareHttpMatches(a: MatchSpec, b: MatchSpec): number {
  const regexLen = a.path?.type === 'RegularExpression' && b.path?.type === 'RegularExpression' ? b.path.value.length - a.path.value.length : 0;
  return (
    regexLen ||
    (b.method ? 1 : 0) - (a.method ? 1 : 0) ||
    b.headers.length - a.headers.length ||
    b.query.length - a.query.length ||
    compareRouteTies(a, b)
  );
}

export function compareGrpcMatches(a: MatchSpec, b: MatchSpec): number {
  const ga = a.grpc!;
  const gb = b.grpc!;
  return (
    (gb.service?.length ?? 0) - (ga.service?.length ?? 0) ||
    (gb.method?.length ?? 0) - (ga.method?.length ?? 0) ||
    (ga.type === 'Exact' ? 0 : 1) - (gb.type === 'Exact' ? 0 : 1) ||
    b.headers.length - a.headers.length ||
    compareRouteTies(a, b)
  );
}
