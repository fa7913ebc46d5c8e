// Lazy DFA over the regex bytecode (the technique of RE2's DFA): a DFA state
// is a set of program counters not yet closed, plus what the assertions need
// to know about the code point before it; a transition closes the set in the
// context of the next code point, steps every consuming instruction over it
// and interns the resulting set. States and transitions are built on first
// use and cached, so a cached step is one table load per input code point
// whatever the number of NFA threads.
//
// Input classes: the code points are cut into intervals at every boundary of
// the program's CHAR, ANYNL and CLASS sets (and at \n and the word characters
// when the program has line or word assertions); intervals no instruction
// tells apart share a class ("color", at most MAX_COLORS). ASCII code points
// find their color in a 128-byte map, others by binary search.
//
// Memory: everything lives in two regions reserved at build time; nothing is
// allocated per request.
//  - The program region holds one entry per program seen: its address, a
//    copy of its bytes (the key: a different program at the same address is
//    a different entry), its color maps and its start state. When full, both
//    regions are cleared.
//  - The state arena holds the states (key, transitions) of all programs and
//    a hash table over their keys. When it fills, it is cleared (every
//    program starts over) and matching continues. But a match that filled
//    at least half of it itself (since it started or last cleared it) while
//    building more than one state per THRASH_BYTES_PER_STATE input bytes
//    finishes in the Pike VM from the current state, and its program's next
//    PIKE_AFTER_THRASH matches run on the Pike VM (programs whose classes are
//    too many or malformed always do): the worst case stays that of the Pike
//    VM plus a constant factor.
// Results are those of the Pike VM (regex-pike.ts), including on malformed
// programs.
import {
  ASSERT_BEGIN_LINE, ASSERT_BEGIN_TEXT, ASSERT_END_LINE, ASSERT_NOT_WORD_BOUNDARY, ASSERT_WORD_BOUNDARY,
  CLOSURE_LIST, HEADER_BYTES, MAX_CODE_POINT, MAX_INSTRUCTIONS, OP_ANYNL, OP_ASSERT, OP_CHAR, OP_CLASS,
  OP_MATCH, addThread, assertionContext, classHas, consumes, decodeMultiByte, isWordCodePoint, nextGeneration,
} from './regex-nfa';
import { PIKE_START, pikeRun } from './regex-pike';

const MAX_COLORS: i32 = 256;
const MAX_INTERVALS: i32 = 2048;
const THRASH_BYTES_PER_STATE: i32 = 8;
/** Matches a program runs on the Pike VM after it thrashed the arena, before the DFA is tried again. */
const PIKE_AFTER_THRASH: u32 = 64;
const PIKE_ALWAYS: u32 = 0xffffffff;

// ---- program region -----------------------------------------------------

const PROGRAM_REGION_BYTES: usize = 256 << 10;
const PROGRAM_REGION: usize = memory.data(<i32>PROGRAM_REGION_BYTES, 16);
const DIR_BUCKETS: u32 = 256;
const DIR_BYTES: usize = <usize>DIR_BUCKETS << 2;
let programTop: usize = DIR_BYTES;

// Program entry fields (byte offsets; all u32 addresses are absolute).
const E_NEXT = 0; // next entry in the directory bucket
const E_PTR = 4;
const E_LEN = 8;
const E_PIKE = 12; // matches left to run on the Pike VM (PIKE_ALWAYS: every one)
const E_EPOCH = 16; // arena epoch of E_START
const E_START = 20;
const E_COLORS = 24;
const E_MASK = 28; // state flags the program's assertions read
const E_INTERVALS = 32;
const E_REPS = 36; // u32 per color: a code point of the color
const E_COLOR_FLAGS = 40; // u8 per color: CF_NEWLINE | CF_WORD
const E_LOWS = 44; // u32 per interval: its first code point, increasing
const E_INTERVAL_COLORS = 48; // u8 per interval
const E_COPY = 52; // the program's bytes
const E_ASCII = 56; // 128 u8: color of each ASCII code point
const ENTRY_HEADER: usize = E_ASCII + 128;

const CF_NEWLINE: u32 = 1;
const CF_WORD: u32 = 2;

// ---- state arena --------------------------------------------------------

const ARENA_BYTES: usize = 1 << 20;
const ARENA: usize = memory.data(<i32>ARENA_BYTES, 16);
const STATE_BUCKETS: u32 = 16384;
const BUCKET_BYTES: usize = <usize>STATE_BUCKETS << 2;
let arenaLimit: usize = ARENA_BYTES;
let arenaTop: usize = BUCKET_BYTES;
let epoch: u32 = 1;

// State flags: facts about the code point before the state's position.
const F_START: u32 = 1; // there is none
const F_NEWLINE: u32 = 2;
const F_WORD: u32 = 4;

// A state is a record in the arena:
//   u32 next (record offset in its hash bucket), u32 hash, u32 entry, u32 flags, u32 count,
//   u16 pcs[count] (increasing), padding to 4, u32 record offset,
//   u32 transitions[colors + 1]
// Its id is the arena offset of its transitions. Transition k holds the id of the next state on
// color k, UNKNOWN or DEAD; the last one (end of input) holds UNKNOWN, DEAD or ACCEPT.
const R_NEXT = 0;
const R_HASH = 4;
const R_ENTRY = 8;
const R_FLAGS = 12;
const R_COUNT = 16;
const R_PCS = 20;
const UNKNOWN: u32 = 0;
const DEAD: u32 = 1;
const ACCEPT: u32 = 2;

// ---- scratch ------------------------------------------------------------

/** The set being built: u16 pcs, and a bitmap of them. */
const SET: usize = memory.data(MAX_INSTRUCTIONS * 2, 16);
const SET_BITS: usize = memory.data(MAX_INSTRUCTIONS >> 3, 16);
let setSize: i32 = 0;
/** Interval boundaries while analysing a program (compacted when full). */
const BOUND_CAP: i32 = 8192;
const BOUNDS: usize = memory.data(BOUND_CAP * 4, 16);
const COLORS: usize = memory.data(MAX_INTERVALS * 2, 16); // u16 per interval
/** u32 per color: its number of intervals (kept by splitPoint, recounted by splitSet). */
const COLOR_SIZES: usize = memory.data((MAX_COLORS + 1) * 4, 16);
const REMAP: usize = memory.data((MAX_COLORS + 1) * 2 * 2, 16);
/** Range offsets already applied while refining (u16 count + 1 per 8-byte offset below 64 KiB). */
const SEEN_CLASSES: usize = memory.data(8192 * 2, 16);

// ---- counters (tests read them through regex-entry.ts) --------------------

export const STAT_STATES = 0;
export const STAT_ARENA_RESETS = 1;
export const STAT_PROGRAM_RESETS = 2;
export const STAT_PIKE_FALLBACKS = 3; // matches handed to the Pike VM mid-input
export const STAT_PIKE_RUNS = 4;
export const STAT_DFA_RUNS = 5;
const STAT_COUNT = 6;
const STATS: usize = memory.data(STAT_COUNT * 4, 4);

// @ts-ignore: decorator
@inline function tally(stat: i32): void {
  store<u32>(STATS + (<usize>stat << 2), load<u32>(STATS + (<usize>stat << 2)) + 1);
}

export function dfaStat(stat: i32): u32 {
  return stat >= 0 && stat < STAT_COUNT ? load<u32>(STATS + (<usize>stat << 2)) : 0;
}

/**
 * Clears both regions and the counters, and limits the states to `bytes` of
 * the arena (0: all of it). A small arena makes matches refill it: tests use
 * this to exercise clearing and the Pike fallback.
 */
export function dfaReset(bytes: usize): void {
  arenaLimit = bytes == 0 || bytes > ARENA_BYTES - BUCKET_BYTES ? ARENA_BYTES : BUCKET_BYTES + bytes;
  resetPrograms();
  memory.fill(STATS, 0, STAT_COUNT * 4);
}

function resetPrograms(): void {
  memory.fill(PROGRAM_REGION, 0, DIR_BYTES);
  programTop = DIR_BYTES;
  resetArena();
}

function resetArena(): void {
  memory.fill(ARENA, 0, BUCKET_BYTES);
  arenaTop = BUCKET_BYTES;
  epoch++;
}

// @ts-ignore: decorator
@inline function field(entry: usize, f: i32): u32 {
  return load<u32>(entry + <usize>f);
}

// @ts-ignore: decorator
@inline function setField(entry: usize, f: i32, v: u32): void {
  store<u32>(entry + <usize>f, v);
}

// ---- matching -----------------------------------------------------------

// Per match, for the thrash check: the arena top and input position when the
// match started or last cleared the arena, the states built since, and the
// position of the state being built.
let arenaMark: usize = 0;
let posAtMark: i32 = 0;
let statesSinceMark: i32 = 0;
let matchPos: i32 = 0;

/** Full match of `input` against the valid `n`-instruction program (see regexMatch). */
export function dfaMatch(program: usize, programLen: i32, n: i32, input: usize, inputLen: i32): bool {
  const entry = findEntry(program, programLen, n);
  if (entry == 0) return pike(program, programLen, n, input, inputLen, 0, PIKE_START, 1);
  const pikeLeft = field(entry, E_PIKE);
  if (pikeLeft != 0) {
    if (pikeLeft != PIKE_ALWAYS) setField(entry, E_PIKE, pikeLeft - 1);
    return pike(program, programLen, n, input, inputLen, 0, PIKE_START, 1);
  }
  arenaMark = arenaTop;
  posAtMark = 0;
  statesSinceMark = 0;
  matchPos = 0;
  let state = startState(entry);
  if (state == 0) return pike(program, programLen, n, input, inputLen, 0, PIKE_START, 1);
  tally(STAT_DFA_RUNS);
  const ascii = entry + E_ASCII;
  let pos: i32 = 0;
  while (pos < inputLen) {
    let c = <u32>load<u8>(input + <usize>pos);
    let width: i32 = 1;
    let k: u32;
    if (c < 0x80) {
      k = <u32>load<u8>(ascii + <usize>c);
    } else {
      const d = decodeMultiByte(input, inputLen, pos, c);
      c = d & 0x1fffff;
      width = <i32>(d >>> 21);
      k = colorOf(entry, c);
    }
    pos += width;
    let next = load<u32>(ARENA + <usize>state + (<usize>k << 2));
    if (next <= DEAD) {
      if (next == DEAD) return false;
      matchPos = pos;
      next = step(program, programLen, n, entry, state, k);
      if (next == DEAD) return false;
      if (next == UNKNOWN) {
        // Thrashing: finish from the set just built, in the Pike VM.
        return pike(program, programLen, n, input, inputLen, pos, SET, setSize);
      }
    }
    state = next;
  }
  let end = load<u32>(ARENA + <usize>state + (<usize>field(entry, E_COLORS) << 2));
  if (end == UNKNOWN) end = finish(program, n, entry, state);
  return end == ACCEPT;
}

function pike(
  program: usize, programLen: i32, n: i32, input: usize, inputLen: i32, pos: i32, starts: usize, startCount: i32,
): bool {
  tally(STAT_PIKE_RUNS);
  return pikeRun(program, programLen, n, input, inputLen, pos, starts, startCount);
}

/** The color of a code point >= 0x80: binary search for the last interval starting at or below it. */
function colorOf(entry: usize, c: u32): u32 {
  const lows = <usize>field(entry, E_LOWS);
  let lo: u32 = 0;
  let hi: u32 = field(entry, E_INTERVALS); // intervals[0] starts at 0 <= c
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (load<u32>(lows + (<usize>mid << 2)) <= c) lo = mid;
    else hi = mid;
  }
  return <u32>load<u8>(<usize>field(entry, E_INTERVAL_COLORS) + <usize>lo);
}

function startState(entry: usize): u32 {
  let start = field(entry, E_START);
  if (field(entry, E_EPOCH) == epoch && start != 0) return start;
  store<u16>(SET, 0);
  start = intern(entry, F_START & field(entry, E_MASK), 1);
  setField(entry, E_START, start);
  setField(entry, E_EPOCH, epoch);
  return start;
}

// @ts-ignore: decorator
@inline function recordOf(state: u32): usize {
  return ARENA + <usize>load<u32>(ARENA + <usize>state - 4);
}

/** Closes the state's set into CLOSURE_LIST for the next code point's color `k` (or the end: k = colors). */
function close(program: usize, n: i32, entry: usize, state: u32, k: u32): i32 {
  const record = recordOf(state);
  const flags = load<u32>(record, R_FLAGS);
  const atEnd = k == field(entry, E_COLORS);
  const cf: u32 = atEnd ? 0 : <u32>load<u8>(<usize>field(entry, E_COLOR_FLAGS) + <usize>k);
  const ctx = assertionContext(
    (flags & F_START) != 0, (flags & F_NEWLINE) != 0, (flags & F_WORD) != 0,
    atEnd, (cf & CF_NEWLINE) != 0, (cf & CF_WORD) != 0,
  );
  const code = program + <usize>HEADER_BYTES;
  const gen = nextGeneration();
  const setCount = <i32>load<u32>(record, R_COUNT);
  let listed: i32 = 0;
  for (let i: i32 = 0; i < setCount; i++) {
    listed = addThread(code, n, <i32>load<u16>(record + R_PCS + (<usize>i << 1)), CLOSURE_LIST, listed, gen, ctx);
  }
  return listed;
}

/** Fills and returns the end-of-input transition of `state`: ACCEPT or DEAD. */
function finish(program: usize, n: i32, entry: usize, state: u32): u32 {
  const colors = field(entry, E_COLORS);
  const listed = close(program, n, entry, state, colors);
  const code = program + <usize>HEADER_BYTES;
  let result = DEAD;
  for (let t: i32 = 0; t < listed; t++) {
    const pc = load<i32>(CLOSURE_LIST + (<usize>t << 2));
    if (<u32>load<u8>(code + (<usize>pc << 3)) == OP_MATCH) result = ACCEPT;
  }
  store<u32>(ARENA + <usize>state + (<usize>colors << 2), result);
  return result;
}

/**
 * Computes the transition of `state` on color `k`: the next state's id, DEAD,
 * or UNKNOWN when the match should finish in the Pike VM (from SET[0..setSize)).
 */
function step(program: usize, programLen: i32, n: i32, entry: usize, state: u32, k: u32): u32 {
  const listed = close(program, n, entry, state, k);
  const code = program + <usize>HEADER_BYTES;
  const c = load<u32>(<usize>field(entry, E_REPS) + (<usize>k << 2));
  let topWord: i32 = -1;
  for (let t: i32 = 0; t < listed; t++) {
    const pc = load<i32>(CLOSURE_LIST + (<usize>t << 2));
    if (pc + 1 < n && consumes(program, programLen, code + (<usize>pc << 3), c)) {
      const w = (pc + 1) >> 6;
      const at = SET_BITS + (<usize>w << 3);
      store<u64>(at, load<u64>(at) | (<u64>1 << <u64>((pc + 1) & 63)));
      if (w > topWord) topWord = w;
    }
  }
  // Gather the set in increasing order (its canonical form), clearing the bitmap.
  let size: i32 = 0;
  for (let w: i32 = 0; w <= topWord; w++) {
    const at = SET_BITS + (<usize>w << 3);
    let bits = load<u64>(at);
    store<u64>(at, 0);
    while (bits != 0) {
      store<u16>(SET + (<usize>size << 1), <u16>((w << 6) + <i32>ctz(bits)));
      size++;
      bits &= bits - 1;
    }
  }
  const stateEpoch = epoch;
  let next = DEAD;
  if (size > 0) {
    const cf = <u32>load<u8>(<usize>field(entry, E_COLOR_FLAGS) + <usize>k);
    let flags: u32 = 0;
    if ((cf & CF_NEWLINE) != 0) flags |= F_NEWLINE;
    if ((cf & CF_WORD) != 0) flags |= F_WORD;
    next = intern(entry, flags & field(entry, E_MASK), size);
    if (next == UNKNOWN) {
      setSize = size;
      return UNKNOWN;
    }
  }
  // A reset while interning dropped `state`: nothing to record then.
  if (epoch == stateEpoch) store<u32>(ARENA + <usize>state + (<usize>k << 2), next);
  return next;
}

/**
 * The id of the state (entry, flags, SET[0..size)), added to the arena if new.
 * UNKNOWN if the program thrashes the arena or the state cannot fit in it
 * (the program's next matches then run on the Pike VM).
 */
function intern(entry: usize, flags: u32, size: i32): u32 {
  let h: u32 = (<u32>entry * 0x9e3779b1) ^ flags;
  for (let i: i32 = 0; i < size; i++) h = (h ^ <u32>load<u16>(SET + (<usize>i << 1))) * 0x01000193;
  h ^= h >> 15;
  const pcsBytes = <usize>size << 1;
  const bucket = ARENA + (<usize>(h & (STATE_BUCKETS - 1)) << 2);
  for (let r = load<u32>(bucket); r != 0; r = load<u32>(ARENA + <usize>r, R_NEXT)) {
    const record = ARENA + <usize>r;
    if (
      load<u32>(record, R_HASH) == h && load<u32>(record, R_ENTRY) == <u32>entry &&
      load<u32>(record, R_FLAGS) == flags && load<u32>(record, R_COUNT) == <u32>size &&
      memory.compare(record + R_PCS, SET, pcsBytes) == 0
    ) {
      return r + R_PCS + ((<u32>pcsBytes + 3) & ~3) + 4;
    }
  }
  const transitions = (<usize>field(entry, E_COLORS) + 1) << 2;
  const bytes: usize = <usize>R_PCS + ((pcsBytes + 3) & ~3) + 4 + transitions;
  if (arenaTop + bytes > arenaLimit) {
    const ownHalf = (arenaTop - arenaMark) << 1 >= arenaLimit - BUCKET_BYTES;
    if (ownHalf && matchPos - posAtMark < THRASH_BYTES_PER_STATE * statesSinceMark) {
      tally(STAT_PIKE_FALLBACKS);
      setField(entry, E_PIKE, PIKE_AFTER_THRASH);
      return UNKNOWN;
    }
    resetArena();
    tally(STAT_ARENA_RESETS);
    arenaMark = arenaTop;
    posAtMark = matchPos;
    statesSinceMark = 0;
    if (arenaTop + bytes > arenaLimit) {
      tally(STAT_PIKE_FALLBACKS);
      setField(entry, E_PIKE, PIKE_AFTER_THRASH);
      return UNKNOWN;
    }
    // The bucket chain was cleared with the arena.
  }
  const r = <u32>arenaTop;
  const record = ARENA + arenaTop;
  arenaTop += bytes;
  store<u32>(record, load<u32>(bucket), R_NEXT);
  store<u32>(record, h, R_HASH);
  store<u32>(record, <u32>entry, R_ENTRY);
  store<u32>(record, flags, R_FLAGS);
  store<u32>(record, <u32>size, R_COUNT);
  memory.copy(record + R_PCS, SET, pcsBytes);
  const id = r + R_PCS + ((<u32>pcsBytes + 3) & ~3) + 4;
  store<u32>(ARENA + <usize>id - 4, r);
  memory.fill(ARENA + <usize>id, 0, transitions);
  store<u32>(bucket, r);
  statesSinceMark++;
  tally(STAT_STATES);
  return id;
}

// ---- program entries ----------------------------------------------------

/** The entry of `program` (created on first use), or 0 if it cannot have one (the caller runs the Pike VM). */
function findEntry(program: usize, programLen: i32, n: i32): usize {
  const bucket = PROGRAM_REGION + (<usize>((<u32>program ^ <u32>programLen) * 0x9e3779b1 >> 24) << 2);
  for (let e = <usize>load<u32>(bucket); e != 0; e = <usize>field(e, E_NEXT)) {
    if (
      field(e, E_PTR) == <u32>program && field(e, E_LEN) == <u32>programLen &&
      memory.compare(<usize>field(e, E_COPY), program, <usize>programLen) == 0
    ) {
      return e;
    }
  }
  const colors = analyse(program, programLen, n);
  return addEntry(bucket, program, programLen, colors, colors > 0 ? intervalCount : 0);
}

let intervalCount: i32 = 0;
let assertionMask: u32 = 0;

/**
 * Computes the program's intervals (BOUNDS[0..intervalCount)) and their colors
 * (COLORS), and the state flags its assertions read. Returns the number of
 * colors, or 0 if the program is for the Pike VM only (malformed classes, or
 * more than MAX_INTERVALS intervals or MAX_COLORS colors).
 */
function analyse(program: usize, programLen: i32, n: i32): i32 {
  const code = program + <usize>HEADER_BYTES;
  let bounds: i32 = 0;
  let mask: u32 = 0;
  let newlines = false;
  let words = false;
  bounds = addBound(bounds, 0);
  for (let pc: i32 = 0; pc < n && bounds >= 0; pc++) {
    const ins = code + (<usize>pc << 3);
    const op = <u32>load<u8>(ins);
    if (op == OP_CHAR) {
      bounds = addPoint(bounds, load<u32>(ins, 4));
    } else if (op == OP_ANYNL) {
      newlines = true;
    } else if (op == OP_CLASS) {
      const ranges = classRanges(program, programLen, ins);
      if (ranges == -1) return 0;
      const count = <i32>load<u16>(ins, 2);
      for (let j: i32 = 0; j < count && ranges > 0 && bounds >= 0; j++) {
        const r = program + <usize>ranges + (<usize>j << 3);
        bounds = addBound(bounds, load<u32>(r));
        const hi = load<u32>(r, 4);
        if (hi < MAX_CODE_POINT) bounds = addBound(bounds, hi + 1);
      }
    } else if (op == OP_ASSERT) {
      const kind = <u32>load<u8>(ins, 1);
      if (kind == ASSERT_BEGIN_TEXT) mask |= F_START;
      else if (kind == ASSERT_BEGIN_LINE) {
        mask |= F_START | F_NEWLINE;
        newlines = true;
      } else if (kind == ASSERT_END_LINE) newlines = true;
      else if (kind == ASSERT_WORD_BOUNDARY || kind == ASSERT_NOT_WORD_BOUNDARY) {
        mask |= F_WORD;
        words = true;
      }
    }
  }
  if (newlines) bounds = addPoint(bounds, 0x0a);
  if (words) {
    bounds = addBound(addPoint(bounds, 0x5f), 0x30);
    bounds = addBound(addBound(bounds, 0x3a), 0x41);
    bounds = addBound(addBound(bounds, 0x5b), 0x61);
    bounds = addBound(bounds, 0x7b);
  }
  if (bounds < 0) return 0;
  bounds = compact(bounds);
  if (bounds > MAX_INTERVALS) return 0;
  intervalCount = bounds;
  assertionMask = mask;

  // Refine: one color for all, then split the colors by every set the program tests.
  memory.fill(COLORS, 0, <usize>bounds << 1);
  countColors(bounds, 1);
  memory.fill(SEEN_CLASSES, 0, 8192 * 2);
  let colors: i32 = 1;
  for (let pc: i32 = 0; pc < n && colors <= MAX_COLORS; pc++) {
    const ins = code + (<usize>pc << 3);
    const op = <u32>load<u8>(ins);
    if (op == OP_CHAR) {
      colors = splitPoint(bounds, colors, load<u32>(ins, 4));
    } else if (op == OP_CLASS && classRanges(program, programLen, ins) > 0 && firstUse(ins)) {
      colors = splitSet(program, programLen, ins, bounds, colors);
    }
  }
  if (newlines && colors <= MAX_COLORS) colors = splitPoint(bounds, colors, 0x0a);
  if (words && colors <= MAX_COLORS) colors = splitSet(program, programLen, 0, bounds, colors);
  return colors <= MAX_COLORS ? colors : 0;
}

/**
 * Byte offset of the CLASS instruction's ranges, 0 if they lie outside the
 * program (the instruction then never matches), -1 if they are not sorted and
 * disjoint (binary search would not be set membership: Pike VM only).
 */
function classRanges(program: usize, programLen: i32, ins: usize): i32 {
  const count = <u32>load<u16>(ins, 2);
  const offset = load<u32>(ins, 4);
  if (<u64>offset + (<u64>count << 3) > <u64>programLen) return 0;
  let previous: i64 = -1;
  for (let j: u32 = 0; j < count; j++) {
    const r = program + <usize>offset + (<usize>j << 3);
    const lo = load<u32>(r);
    const hi = load<u32>(r, 4);
    if (<i64>lo <= previous || hi < lo) return -1;
    previous = <i64>hi;
  }
  return offset == 0 ? -1 : <i32>offset;
}

/** False if a CLASS with the same ranges was already applied. */
function firstUse(ins: usize): bool {
  const offset = load<u32>(ins, 4);
  if ((offset & 7) != 0 || offset >= 8192 << 3) return true;
  const at = SEEN_CLASSES + (<usize>(offset >> 3) << 1);
  const mark = <u16>(load<u16>(ins, 2) + 1);
  if (load<u16>(at) == mark) return false;
  store<u16>(at, mark);
  return true;
}

/** Adds the boundaries of {c} (if c is a code point). Returns the new count, -1 if too many. */
function addPoint(bounds: i32, c: u32): i32 {
  if (c > MAX_CODE_POINT) return bounds;
  bounds = addBound(bounds, c);
  return c < MAX_CODE_POINT ? addBound(bounds, c + 1) : bounds;
}

function addBound(bounds: i32, c: u32): i32 {
  if (bounds < 0 || c > MAX_CODE_POINT) return bounds;
  if (bounds == BOUND_CAP) {
    bounds = compact(bounds);
    if (bounds > MAX_INTERVALS) return -1;
  }
  store<u32>(BOUNDS + (<usize>bounds << 2), c);
  return bounds + 1;
}

/** Sorts BOUNDS[0..count) (heapsort, in place) and drops duplicates. Returns the new count. */
function compact(count: i32): i32 {
  for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(i, count);
  for (let end = count - 1; end > 0; end--) {
    const top = load<u32>(BOUNDS);
    store<u32>(BOUNDS, load<u32>(BOUNDS + (<usize>end << 2)));
    store<u32>(BOUNDS + (<usize>end << 2), top);
    siftDown(0, end);
  }
  let out: i32 = 0;
  for (let i: i32 = 0; i < count; i++) {
    const v = load<u32>(BOUNDS + (<usize>i << 2));
    if (out == 0 || load<u32>(BOUNDS + (<usize>(out - 1) << 2)) != v) {
      store<u32>(BOUNDS + (<usize>out << 2), v);
      out++;
    }
  }
  return out;
}

function siftDown(root: i32, end: i32): void {
  const v = load<u32>(BOUNDS + (<usize>root << 2));
  let i = root;
  while (true) {
    let child = 2 * i + 1;
    if (child >= end) break;
    if (child + 1 < end && load<u32>(BOUNDS + (<usize>(child + 1) << 2)) > load<u32>(BOUNDS + (<usize>child << 2))) child++;
    const cv = load<u32>(BOUNDS + (<usize>child << 2));
    if (cv <= v) break;
    store<u32>(BOUNDS + (<usize>i << 2), cv);
    i = child;
  }
  store<u32>(BOUNDS + (<usize>i << 2), v);
}

/** Index of the interval holding `c` (BOUNDS[0] is 0). */
function intervalOf(bounds: i32, c: u32): i32 {
  let lo: i32 = 0;
  let hi: i32 = bounds;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (load<u32>(BOUNDS + (<usize>mid << 2)) <= c) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Gives the interval of {c} a color of its own (its bounds are c and c + 1). */
function splitPoint(bounds: i32, colors: i32, c: u32): i32 {
  if (c > MAX_CODE_POINT) return colors;
  const at = COLORS + (<usize>intervalOf(bounds, c) << 1);
  const size = COLOR_SIZES + (<usize>load<u16>(at) << 2);
  if (load<u32>(size) == 1) return colors; // alone in its color already
  store<u32>(size, load<u32>(size) - 1);
  store<u32>(COLOR_SIZES + (<usize>colors << 2), 1);
  store<u16>(at, <u16>colors);
  return colors + 1;
}

/**
 * Splits every color into its intervals inside and outside the set of the
 * CLASS at `ins` (or the word characters if `ins` is 0). Returns the new
 * number of colors (may exceed MAX_COLORS: the caller then gives up).
 */
function splitSet(program: usize, programLen: i32, ins: usize, bounds: i32, colors: i32): i32 {
  memory.fill(REMAP, 0xff, <usize>colors << 2);
  let next: i32 = 0;
  for (let i: i32 = 0; i < bounds; i++) {
    const lo = load<u32>(BOUNDS + (<usize>i << 2));
    const inside = ins == 0 ? isWordCodePoint(lo) : classHas(program, programLen, ins, lo);
    const key = REMAP + (<usize>((<i32>load<u16>(COLORS + (<usize>i << 1)) << 1) | (inside ? 1 : 0)) << 1);
    let color = <i32>load<u16>(key);
    if (color == 0xffff) {
      color = next++;
      if (next > MAX_COLORS) return next;
      store<u16>(key, <u16>color);
    }
    store<u16>(COLORS + (<usize>i << 1), <u16>color);
  }
  countColors(bounds, next);
  return next;
}

/** COLOR_SIZES[0..colors): the number of intervals of each color. */
function countColors(bounds: i32, colors: i32): void {
  memory.fill(COLOR_SIZES, 0, <usize>colors << 2);
  for (let i: i32 = 0; i < bounds; i++) {
    const size = COLOR_SIZES + (<usize>load<u16>(COLORS + (<usize>i << 1)) << 2);
    store<u32>(size, load<u32>(size) + 1);
  }
}

/** Stores the entry of an analysed program (`colors` 0: Pike only). 0 if it cannot fit even in an empty region. */
function addEntry(bucket: usize, program: usize, programLen: i32, colors: i32, intervals: i32): usize {
  const size = (ENTRY_HEADER + (<usize>colors * 5) + (<usize>intervals * 5) + <usize>programLen + 7) & ~7;
  if (programTop + size > PROGRAM_REGION_BYTES) {
    if (DIR_BYTES + size > PROGRAM_REGION_BYTES) return 0;
    resetPrograms();
    tally(STAT_PROGRAM_RESETS);
  }
  const e = PROGRAM_REGION + programTop;
  programTop += size;
  memory.fill(e, 0, ENTRY_HEADER);
  const reps = e + ENTRY_HEADER;
  const lows = reps + (<usize>colors << 2);
  const copy = lows + (<usize>intervals << 2);
  const colorFlags = copy + <usize>programLen;
  const intervalColors = colorFlags + <usize>colors;
  setField(e, E_PTR, <u32>program);
  setField(e, E_LEN, <u32>programLen);
  setField(e, E_PIKE, colors == 0 ? PIKE_ALWAYS : 0);
  setField(e, E_COLORS, <u32>colors);
  setField(e, E_MASK, assertionMask);
  setField(e, E_INTERVALS, <u32>intervals);
  setField(e, E_REPS, <u32>reps);
  setField(e, E_COLOR_FLAGS, <u32>colorFlags);
  setField(e, E_LOWS, <u32>lows);
  setField(e, E_INTERVAL_COLORS, <u32>intervalColors);
  setField(e, E_COPY, <u32>copy);
  memory.copy(copy, program, <usize>programLen);
  memory.fill(reps, 0xff, <usize>colors << 2);
  const ascii = e + E_ASCII;
  for (let i: i32 = 0; i < intervals; i++) {
    const lo = load<u32>(BOUNDS + (<usize>i << 2));
    const color = <u32>load<u16>(COLORS + (<usize>i << 1));
    store<u32>(lows + (<usize>i << 2), lo);
    store<u8>(intervalColors + <usize>i, <u8>color);
    const rep = reps + (<usize>color << 2);
    if (load<u32>(rep) == 0xffffffff) {
      store<u32>(rep, lo);
      store<u8>(colorFlags + <usize>color, <u8>((lo == 0x0a ? CF_NEWLINE : 0) | (isWordCodePoint(lo) ? CF_WORD : 0)));
    }
    const end: u32 = i + 1 < intervals ? min(load<u32>(BOUNDS + (<usize>(i + 1) << 2)), 0x80) : 0x80;
    for (let c = lo; c < end; c++) store<u8>(ascii + <usize>c, <u8>color);
  }
  setField(e, E_NEXT, load<u32>(bucket));
  store<u32>(bucket, <u32>e);
  return e;
}
