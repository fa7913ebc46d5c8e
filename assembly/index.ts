// Switchyard matching core. The host copies one compiled route table into linear memory
// (`alloc` + `init`), writes each request into the input region it allocated, and calls
// `match()`: one crossing decides listener, hostname group, path, method, header and query
// predicates, regular expressions and the weighted backend. Nothing is allocated per request.
import { bytesEqual, fnv1a, FNV_OFFSET, FNV_PRIME, mapLookup } from './bytes';
import { grpcHolds, predicatesHold } from './predicates';
import { nextRandom, setSeed } from './prng';
import {
  hostLen, hostPtr, isGrpc, pathLen, pathPtr, setRequest,
} from './request';
import { regexMatch } from './regex';
import {
  BACKEND_RESOLVED, BACKEND_WORDS, FORMAT_VERSION, HEADER_WORDS, HOST_ANY, HOST_EXACT,
  H_LISTENERS_OFF, H_LISTENER_COUNT, H_MAGIC, H_MATCHES_OFF, H_MAX_PREFIX_LEN, H_RULES_OFF,
  H_TOTAL_LEN, H_VERSION, IN_FLAGS, IN_FLAG_GRPC, IN_GATEWAY, IN_HOST_LEN, IN_HOST_OFF,
  IN_METHOD_LEN, IN_METHOD_OFF, IN_OUT_BACKEND, IN_OUT_LISTENER, IN_OUT_STATUS, IN_PATH_LEN,
  IN_PATH_OFF, IN_PORT, IN_SLOTS_OFF, IN_SLOT_CAP, IN_SLOT_LENS, LISTENER_WORDS, LOAD_BAD_LENGTH,
  LOAD_BAD_MAGIC, LOAD_BAD_VERSION, LOAD_OK, MAGIC, MATCH_WORDS, NO_LISTENER, NO_ROUTE,
  RULE_WORDS, STATUS_NO_BACKEND, STATUS_OK, STATUS_UNRESOLVED_BACKEND, word,
} from './table';

let base: usize = 0;
let input: usize = 0;
let matchesBase: usize = 0;
let rulesBase: usize = 0;
/** Scratch for one path's segment boundaries: (position, FNV-1a of the bytes before it) pairs. */
let bounds: usize = 0;

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
  bounds = heap.alloc(<usize>(word(table, H_MAX_PREFIX_LEN) + 2) << 3);
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
  setRequest(
    inp + <usize>inWord(IN_METHOD_OFF), inWord(IN_METHOD_LEN),
    inp + <usize>inWord(IN_HOST_OFF), inWord(IN_HOST_LEN),
    targetPtr, inWord(IN_PATH_LEN),
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
    const g = mapLookup(base, exactMap, hostPtr, hostLen, fnv1a(hostPtr, hostLen));
    if (g != 0) {
      const m = searchGroup(base + <usize>g);
      if (m >= 0) return finish(m);
    }
  }
  const wildMap = word(index, 1);
  if (wildMap != 0) {
    for (let i: i32 = 1; i < hostLen; i++) {
      if (load<u8>(hostPtr + <usize>i) != 0x2e) continue;
      const g = mapLookup(base, wildMap, hostPtr + <usize>i, hostLen - i, fnv1a(hostPtr + <usize>i, hostLen - i));
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

/** First candidate in `list` whose predicates hold (path already known to match), or -1. */
function firstOf(list: usize, grpc: bool): i32 {
  const count = word(list, 0);
  for (let i: u32 = 1; i <= count; i++) {
    const m = word(list, i);
    const rec = matchesBase + (<usize>(m * MATCH_WORDS) << 2);
    if (grpc && !grpcHolds(base, rec)) continue;
    if (predicatesHold(base, rec)) return <i32>m;
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
  // One pass: FNV-1a of the whole path, remembering the hash at every segment boundary (before
  // each `/`, and the end) up to the group's longest prefix.
  const maxLen = prefixMap != 0 ? <i32>word(group, 4) : -1;
  let nb: i32 = 0;
  let h = FNV_OFFSET;
  for (let i: i32 = 0; i < len; i++) {
    const c = <u32>load<u8>(path + <usize>i);
    if (c == 0x2f && i <= maxLen) {
      const slot = bounds + (<usize>nb << 3);
      store<i32>(slot, i);
      store<u32>(slot, h, 4);
      nb++;
    }
    h = (h ^ c) * FNV_PRIME;
  }
  if (len <= maxLen) {
    const slot = bounds + (<usize>nb << 3);
    store<i32>(slot, len);
    store<u32>(slot, h, 4);
    nb++;
  }
  if (exactMap != 0) {
    const v = mapLookup(base, exactMap, path, len, h);
    if (v != 0) {
      const m = firstOf(base + <usize>v, false);
      if (m >= 0) return m;
    }
  }
  const regexList = word(group, 2);
  if (regexList != 0) {
    const list = base + <usize>regexList;
    const count = word(list, 0);
    for (let i: u32 = 1; i <= count; i++) {
      const m = word(list, i);
      const rec = matchesBase + (<usize>(m * MATCH_WORDS) << 2);
      if (regexMatch(base + <usize>word(rec, 4), <i32>word(rec, 5), path, len) && predicatesHold(base, rec)) return <i32>m;
    }
  }
  for (let k = nb - 1; k >= 0; k--) {
    const slot = bounds + (<usize>k << 3);
    const v = mapLookup(base, prefixMap, path, load<i32>(slot), load<u32>(slot, 4));
    if (v == 0) continue;
    const m = firstOf(base + <usize>v, false);
    if (m >= 0) return m;
  }
  return -1;
}

/** Weighted pick among the rule's backends; weight-0 backends are never chosen. */
function finish(m: i32): i32 {
  const rec = matchesBase + (<usize>(<u32>m * MATCH_WORDS) << 2);
  const rule = rulesBase + (<usize>(word(rec, 0) * RULE_WORDS) << 2);
  const total = word(rule, 2);
  if (total == 0) {
    store<i32>(input + (<usize>IN_OUT_STATUS << 2), STATUS_NO_BACKEND);
    return m;
  }
  let pick = nextRandom() % total;
  const count = word(rule, 0);
  let b = base + <usize>word(rule, 1);
  for (let i: u32 = 0; i < count; i++, b += BACKEND_WORDS << 2) {
    const weight = word(b, 0);
    if (pick < weight) {
      store<i32>(input + (<usize>IN_OUT_BACKEND << 2), <i32>i);
      if ((word(b, 1) & BACKEND_RESOLVED) == 0) store<i32>(input + (<usize>IN_OUT_STATUS << 2), STATUS_UNRESOLVED_BACKEND);
      return m;
    }
    pick -= weight;
  }
  return m;
}
