// Predicates of one match record beyond its path: method, headers, query parameters, and the
// gRPC service/method of GRPCRoute matches. Exact values compare bytes; RegularExpression
// values are programs run by the regex engine with full-match semantics.
import { regexMatch } from './regex';
import { bytesEqual } from './bytes';
import {
  HEADER_PRED_WORDS, M_GRPC_METHOD, M_GRPC_REGEX, M_GRPC_SERVICE, QUERY_PRED_WORDS, VALUE_EXACT, word,
} from './table';
import {
  methodLen, methodPtr, pathLen, pathPtr, queryLen, queryPtr, slotCap, slotLensPtr, slotsPtr,
} from './request';

// @ts-ignore: decorator
@inline function valueMatches(base: usize, type: u32, off: u32, len: u32, ptr: usize, n: i32): bool {
  if (type == VALUE_EXACT) return <i32>len == n && bytesEqual(base + <usize>off, ptr, n);
  return regexMatch(base + <usize>off, <i32>len, ptr, n);
}

/** Method, header and query predicates of the match record at `rec`. */
export function predicatesHold(base: usize, rec: usize): bool {
  const mLen = <i32>word(rec, 3);
  if (mLen != 0 && (mLen != methodLen || !bytesEqual(base + <usize>word(rec, 2), methodPtr, mLen))) return false;
  const headerCount = word(rec, 8);
  if (headerCount != 0) {
    let p = base + <usize>word(rec, 9);
    for (let i: u32 = 0; i < headerCount; i++, p += HEADER_PRED_WORDS << 2) {
      const slot = word(p, 0);
      const n = load<i32>(slotLensPtr + (<usize>slot << 2));
      if (n < 0) return false;
      if (!valueMatches(base, word(p, 1), word(p, 2), word(p, 3), slotsPtr + <usize>slot * <usize>slotCap, n)) return false;
    }
  }
  const queryCount = word(rec, 10);
  if (queryCount != 0) {
    if (queryLen < 0) return false;
    let p = base + <usize>word(rec, 11);
    for (let i: u32 = 0; i < queryCount; i++, p += QUERY_PRED_WORDS << 2) {
      if (!queryHolds(base, p)) return false;
    }
  }
  return true;
}

/** The first parameter named exactly like the predicate's name must carry a matching value. */
function queryHolds(base: usize, pred: usize): bool {
  const name = base + <usize>word(pred, 0);
  const nameLen = <i32>word(pred, 1);
  let start: i32 = 0;
  while (start <= queryLen) {
    let end = start;
    let eq: i32 = -1;
    while (end < queryLen) {
      const c = load<u8>(queryPtr + <usize>end);
      if (c == 0x26 /* & */) break;
      if (c == 0x3d /* = */ && eq < 0) eq = end;
      end++;
    }
    const nameEnd = eq >= 0 ? eq : end;
    if (nameEnd - start == nameLen && bytesEqual(queryPtr + <usize>start, name, nameLen)) {
      const vStart = nameEnd == end ? end : nameEnd + 1;
      return valueMatches(base, word(pred, 2), word(pred, 3), word(pred, 4), queryPtr + <usize>vStart, end - vStart);
    }
    start = end + 1;
  }
  return false;
}

/** GRPCRoute method match: the path must be `/<service>/<method>` when a service or method is given. */
export function grpcHolds(base: usize, rec: usize): bool {
  const flags = word(rec, 1);
  if ((flags & (M_GRPC_SERVICE | M_GRPC_METHOD)) == 0) return true;
  if (pathLen < 4 || load<u8>(pathPtr) != 0x2f) return false;
  let slash: i32 = -1;
  for (let i: i32 = 1; i < pathLen; i++) {
    if (load<u8>(pathPtr + <usize>i) == 0x2f) {
      if (slash >= 0) return false;
      slash = i;
    }
  }
  if (slash <= 1 || slash == pathLen - 1) return false;
  const type: u32 = (flags & M_GRPC_REGEX) != 0 ? 1 : 0;
  if ((flags & M_GRPC_SERVICE) != 0 && !valueMatches(base, type, word(rec, 4), word(rec, 5), pathPtr + 1, slash - 1)) return false;
  if ((flags & M_GRPC_METHOD) != 0 && !valueMatches(base, type, word(rec, 6), word(rec, 7), pathPtr + <usize>slash + 1, pathLen - slash - 1)) return false;
  return true;
}
