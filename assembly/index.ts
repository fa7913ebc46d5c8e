// Switchyard matching core. The host copies one compiled route table into linear memory
// (`alloc` + `init`), writes each request into the input region it allocated, and calls
// `match()`: one crossing decides listener, hostname group, path, method, header and query
// predicates, regular expressions and the weighted backend. Nothing is allocated per request.
import { bytesEqual, hashBytes, hashMix, HASH_SEED, mapLookup, prefixHash } from './bytes';
import { grpcHolds, predicatesHold } from './predicates';
import { nextRandom, setSeed } from './prng';
import {
  hostLen, hostPtr, isGrpc, pathLen, pathPtr, setRequest,
} from './request';
import { regexMatch } from './regex';
import {
  BACKEND_RESOLVED, BACKEND_WEIGHT_MASK, BACKEND_WORDS, FORMAT_VERSION, HEADER_WORDS, HOST_ANY, HOST_EXACT,
  H_LISTENERS_OFF, H_LISTENER_COUNT, H_MAGIC, H_MATCHES_OFF, H_MAX_PREFIX_LEN, H_RULES_OFF,
  H_TOTAL_LEN, H_VERSION, IN_FLAGS, IN_FLAG_GRPC, IN_GATEWAY, IN_HOST_LEN, IN_HOST_OFF,
  IN_METHOD_LEN, IN_METHOD_OFF, IN_OUT_BACKEND, IN_OUT_LISTENER, IN_OUT_STATUS, IN_PATH_LEN,
  IN_PATH_OFF, IN_PORT, IN_SLOTS_OFF, IN_SLOT_CAP, IN_SLOT_LENS, LISTENER_WORDS, LOAD_BAD_LENGTH,
  LOAD_BAD_MAGIC, LOAD_BAD_VERSION, LOAD_OK, MAGIC, MATCH_WORDS, M_EXT, M_RULE_MASK, NO_LISTENER, NO_ROUTE,
  RULE_WORDS, SINGLE_MATCH, STATUS_NO_BACKEND, STATUS_OK, STATUS_UNRESOLVED_BACKEND, word,
} from './table';

let base: usize = 0;
let input: usize = 0;
let matchesBase: usize = 0;
let rulesBase: usize = 0;
/**
 * Scratch for one path's segment boundaries, 16 bytes each: position, running hash state before
 * the word holding that position, and that word (see `prefixHash`).
 */
let bounds: usize = 0;
/** Longest normalised PathPrefix of the table: boundaries past it are never probed. */
let maxPrefixLen: i32 = 0;
/** Per request: the number of recorded boundaries and the key hash of the whole path. */
let boundCount: i32 = 0;
let pathHash: u32 = 0;

/** Reserves `size` bytes of linear memory (table and input region, once per instance). */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/**
 * Adopts the table at `table` (`len` bytes) and the host's input region. Returns LOAD_OK, or
 * LOAD_BAD_MAGIC / LOAD_BAD_VERSION / LOAD_BAD_LENGTH for a table this core does not understand.
 */
export function init(table: usize, len: u32, inputRegion: usize): i32 {
  if (len < HEADER_WORDS << 2 || word(table, H_MAGIC) != MAGIC) return LOAD_BAD_MAGIC;
  if (word(table, H_VERSION) != FORMAT_VERSION) return LOAD_BAD_VERSION;
  if (word(table, H_TOTAL_LEN) != len) return LOAD_BAD_LENGTH;
  base = table;
  input = inputRegion;
  matchesBase = table + <usize>word(table, H_MATCHES_OFF);
  rulesBase = table + <usize>word(table, H_RULES_OFF);
  maxPrefixLen = <i32>word(table, H_MAX_PREFIX_LEN);
  bounds = heap.alloc(<usize>(maxPrefixLen + 2) << 4);
  return LOAD_OK;
}

/** Seeds the weighted-pick generator (xorshift32; 0 selects the default seed). */
export function seed(value: u32): void {
  setSeed(value);
}

// @ts-ignore: decorator
@inline function inWord(index: u32): i32 {
  return load<i32>(input + (<usize>index << 2));
}

/**
 * Matches the request in the input region. Returns the match index, NO_LISTENER or NO_ROUTE;
 * writes the listener, the chosen backend index (-1 none) and the status to the input region.
 */
export function match(): i32 {
  const inp = input;
  const targetPtr = inp + <usize>inWord(IN_PATH_OFF);
  const targetLen = inWord(IN_PATH_LEN);
  // One pass over the target, 8 bytes at a time: find the end of the path (`?`), hash it (two
  // 4-byte words per step), and remember at every segment boundary (each `/`, and the end) up to
  // the table's longest prefix the hash state before the word holding it, so every group can
  // finish the hash of that prefix (`prefixHash`).
  const maxLen = maxPrefixLen;
  let nb: i32 = 0;
  let h = HASH_SEED;
  let k: i32 = 0;
  let p = targetLen;
  let last: u32 = 0;
  while (k < targetLen) {
    const w = load<u64>(targetPtr + <usize>k);
    let slashes = zeroBytes(w ^ 0x2f2f2f2f2f2f2f2f);
    let query = zeroBytes(w ^ 0x3f3f3f3f3f3f3f3f);
    const remain = targetLen - k;
    if (remain < 8) {
      const m = (<u64>1 << (<u64>remain << 3)) - 1;
      slashes &= m;
      query &= m;
    }
    if (query != 0) {
      const at = <i32>ctz(query) >> 3;
      p = k + at;
      slashes &= (<u64>1 << (<u64>at << 3)) - 1;
    }
    const lo = <u32>w;
    const hi = <u32>(w >> 32);
    const mid = hashMix(h, lo); // state after the low word
    while (slashes != 0) {
      const byte = <i32>ctz(slashes) >> 3;
      const pos = k + byte;
      if (pos > maxLen) break;
      if (byte < 4) recordBound(nb++, pos, h, lo);
      else recordBound(nb++, pos, mid, hi);
      slashes &= slashes - 1;
    }
    if (query != 0 || remain < 8) {
      // The path ends in this chunk.
      if (p - k >= 4) {
        h = mid;
        last = hi;
      } else {
        last = lo;
      }
      break;
    }
    h = hashMix(mid, hi);
    k += 8;
  }
  if (p <= maxLen) recordBound(nb++, p, h, last);
  pathHash = prefixHash(p, h, last);
  boundCount = nb;
  setRequest(
    inp + <usize>inWord(IN_METHOD_OFF), inWord(IN_METHOD_LEN),
    inp + <usize>inWord(IN_HOST_OFF), inWord(IN_HOST_LEN),
    targetPtr, p, targetLen,
    (inWord(IN_FLAGS) & IN_FLAG_GRPC) != 0,
    inp + <usize>inWord(IN_SLOTS_OFF), inWord(IN_SLOT_CAP), inp + (<usize>IN_SLOT_LENS << 2),
  );
  store<i32>(inp + (<usize>IN_OUT_BACKEND << 2), -1);
  store<i32>(inp + (<usize>IN_OUT_STATUS << 2), STATUS_OK);
  const listener = selectListener(<u32>inWord(IN_PORT), inWord(IN_GATEWAY));
  store<i32>(inp + (<usize>IN_OUT_LISTENER << 2), listener);
  if (listener < 0) return NO_LISTENER;
  const rec = base + <usize>word(base, H_LISTENERS_OFF) + (<usize>(<u32>listener * LISTENER_WORDS) << 2);
  const index = base + <usize>word(rec, 5);

  const exactMap = word(index, 0);
  if (exactMap != 0) {
    const g = mapLookup(base, exactMap, hostPtr, hostLen, hashBytes(hostPtr, hostLen));
    if (g != 0) {
      const m = searchGroup(base + <usize>g);
      if (m >= 0) return finish(m);
    }
  }
  const wildMap = word(index, 1);
  if (wildMap != 0) {
    for (let i: i32 = 1; i < hostLen; i++) {
      if (load<u8>(hostPtr + <usize>i) != 0x2e) continue;
      const g = mapLookup(base, wildMap, hostPtr + <usize>i, hostLen - i, hashBytes(hostPtr + <usize>i, hostLen - i));
      if (g == 0) continue;
      const m = searchGroup(base + <usize>g);
      if (m >= 0) return finish(m);
    }
  }
  const any = word(index, 2);
  if (any != 0) {
    const m = searchGroup(base + <usize>any);
    if (m >= 0) return finish(m);
  }
  return NO_ROUTE;
}

/** The bit of a key length in a group's length masks (lengths >= 63 share bit 63). */
// @ts-ignore: decorator
@inline function lengthBit(len: i32): u64 {
  return <u64>1 << <u64>(len < 63 ? len : 63);
}

/** 0x80 in every byte of `v` that is zero, 0 elsewhere (exact: no borrow between bytes). */
// @ts-ignore: decorator
@inline function zeroBytes(v: u64): u64 {
  return ~(((v & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | v | 0x7f7f7f7f7f7f7f7f);
}

// @ts-ignore: decorator
@inline function recordBound(index: i32, pos: i32, state: u32, w: u32): void {
  const slot = bounds + (<usize>index << 4);
  store<i32>(slot, pos);
  store<u32>(slot, state, 4);
  store<u32>(slot, w, 8);
}

/** The most specific listener on `port` (of `gateway` unless it is -1) accepting the host. */
function selectListener(port: u32, gateway: i32): i32 {
  const count = word(base, H_LISTENER_COUNT);
  let rec = base + <usize>word(base, H_LISTENERS_OFF);
  let best: i32 = NO_LISTENER;
  let bestScore: u32 = 0;
  for (let i: u32 = 0; i < count; i++, rec += LISTENER_WORDS << 2) {
    if (word(rec, 1) != port) continue;
    if (gateway >= 0 && word(rec, 0) != <u32>gateway) continue;
    const kind = word(rec, 2);
    const len = <i32>word(rec, 4);
    let score: u32 = 0;
    if (kind == HOST_ANY) {
      score = 1;
    } else if (kind == HOST_EXACT) {
      if (hostLen == len && bytesEqual(base + <usize>word(rec, 3), hostPtr, len)) score = (1 << 20) + <u32>len;
    } else if (hostLen > len && bytesEqual(base + <usize>word(rec, 3), hostPtr + <usize>(hostLen - len), len)) {
      score = (1 << 19) + <u32>len;
    }
    if (score > bestScore) {
      bestScore = score;
      best = <i32>i;
    }
  }
  return best;
}

/** The record word of match `m`. */
// @ts-ignore: decorator
@inline function matchWord(m: u32): u32 {
  return load<u32>(matchesBase + (<usize>(m * MATCH_WORDS) << 2));
}

/**
 * The extension record of a match (rule, flags, predicates), or 0 when the match has no
 * predicate beyond its path key.
 */
// @ts-ignore: decorator
@inline function extension(record: u32): usize {
  return (record & M_EXT) != 0 ? base + <usize>(record & ~M_EXT) : 0;
}

/** Whether match `m`'s method, header and query predicates hold. */
// @ts-ignore: decorator
@inline function holds(m: u32): bool {
  const ext = extension(matchWord(m));
  return ext == 0 || predicatesHold(base, ext);
}

/** A path map value: one tagged match index, or the offset of a candidate list. */
function firstOfValue(v: u32): i32 {
  if ((v & SINGLE_MATCH) == 0) return firstOf(base + <usize>v, false);
  const m = v & ~SINGLE_MATCH;
  return holds(m) ? <i32>m : -1;
}

/** First candidate in `list` whose predicates hold (path already known to match), or -1. */
function firstOf(list: usize, grpc: bool): i32 {
  const count = word(list, 0);
  for (let i: u32 = 1; i <= count; i++) {
    const m = word(list, i);
    const ext = extension(matchWord(m));
    if (ext == 0) return <i32>m; // no predicate (a gRPC match without service or method)
    if (grpc && !grpcHolds(base, ext)) continue;
    if (predicatesHold(base, ext)) return <i32>m;
  }
  return -1;
}

/**
 * One route group: gRPC matches (gRPC requests only), then the Exact path list, then
 * RegularExpression paths, then PathPrefix lists from the longest matching prefix down.
 */
function searchGroup(group: usize): i32 {
  if (isGrpc) {
    const grpcList = word(group, 3);
    if (grpcList != 0) {
      const m = firstOf(base + <usize>grpcList, true);
      if (m >= 0) return m;
    }
  }
  const exactMap = word(group, 0);
  const prefixMap = word(group, 1);
  const path = pathPtr;
  const len = pathLen;
  const h = pathHash; // computed once per request in match()
  // Words 5-6 and 7-8: masks of the key lengths the Exact and PathPrefix maps hold.
  if (exactMap != 0 && (load<u64>(group, 20) & lengthBit(len)) != 0) {
    const v = mapLookup(base, exactMap, path, len, h);
    if (v != 0) {
      const m = firstOfValue(v);
      if (m >= 0) return m;
    }
  }
  const regexList = word(group, 2);
  if (regexList != 0) {
    const list = base + <usize>regexList;
    const count = word(list, 0);
    for (let i: u32 = 1; i <= count; i++) {
      const m = word(list, i);
      const rec = extension(matchWord(m)); // a RegularExpression path always has one
      const prefixLen = <i32>word(rec, 7); // literal prefix of every match (0 = none)
      if (prefixLen != 0 && (len < prefixLen || !bytesEqual(base + <usize>word(rec, 6), path, prefixLen))) continue;
      if (regexMatch(base + <usize>word(rec, 4), <i32>word(rec, 5), path, len) && predicatesHold(base, rec)) return <i32>m;
    }
  }
  if (prefixMap == 0) return -1;
  // Boundaries are in increasing position order; probe from the longest the group can hold.
  const maxLen = <i32>word(group, 4);
  const lengths = load<u64>(group, 28);
  for (let k = boundCount - 1; k >= 0; k--) {
    const slot = bounds + (<usize>k << 4);
    const at = load<i32>(slot);
    if (at > maxLen || (lengths & lengthBit(at)) == 0) continue;
    const v = mapLookup(base, prefixMap, path, at, prefixHash(at, load<u32>(slot, 4), load<u32>(slot, 8)));
    if (v == 0) continue;
    const m = firstOfValue(v);
    if (m >= 0) return m;
  }
  return -1;
}

/** Weighted pick among the rule's backends; weight-0 backends are never chosen. */
function finish(m: i32): i32 {
  const record = matchWord(<u32>m);
  const ext = extension(record);
  const rule = ext != 0 ? word(ext, 0) : record & M_RULE_MASK;
  const list = word(rulesBase + (<usize>(rule * RULE_WORDS) << 2), 0);
  const total = list != 0 ? word(base + <usize>list, 0) : 0;
  if (total == 0) {
    store<i32>(input + (<usize>IN_OUT_STATUS << 2), STATUS_NO_BACKEND);
    return m;
  }
  const r = nextRandom(); // drawn for every pick, as the reference does
  let pick: u32 = total == 1 ? 0 : r % total;
  // The weights sum to `total`, so the walk ends on an entry.
  let b = base + <usize>list + 4;
  for (let i: i32 = 0; ; i++, b += BACKEND_WORDS << 2) {
    const entry = load<u32>(b);
    const weight = entry & BACKEND_WEIGHT_MASK;
    if (pick < weight) {
      store<i32>(input + (<usize>IN_OUT_BACKEND << 2), i);
      if ((entry & BACKEND_RESOLVED) == 0) store<i32>(input + (<usize>IN_OUT_STATUS << 2), STATUS_UNRESOLVED_BACKEND);
      return m;
    }
    pick -= weight;
  }
  return m;
}
