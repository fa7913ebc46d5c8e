// Pike VM for Switchyard regular expressions (Thompson NFA simulation, as in
// RE2 and Russ Cox's "Regular Expression Matching: the Virtual Machine
// Approach"). Programs are produced by src/compile/regex/program.ts; the
// bytecode format is documented there.
//
// regexMatch answers FULL MATCH only: the whole input must match (Gateway API
// regex matches follow RE2 FullMatch, as Envoy does). It runs in
// O(instructions × input bytes) time, never backtracks, and allocates
// nothing: the thread lists, the visited stamps and the closure stack live in
// one static scratch region sized for MAX_INSTRUCTIONS and reused by every
// call. Calls are therefore not reentrant (Wasm is single-threaded; nothing
// in here calls out).
//
// Input is UTF-8. Code points are decoded as they are consumed; an invalid
// byte decodes to U+FFFD and consumes one byte. Programs are validated as
// they run: a malformed program never reads outside [program, program+len)
// or writes outside the scratch region; it just fails to match.

/** Must equal MAX_INSTRUCTIONS in src/compile/regex/program.ts. */
export const MAX_INSTRUCTIONS: i32 = 4096;

const MAGIC: u32 = 0x58525953; // 'SYRX'
const VERSION: u32 = 1;
const HEADER_BYTES: i32 = 16;

const OP_CHAR: u32 = 1;
const OP_ANY: u32 = 2;
const OP_ANYNL: u32 = 3;
const OP_CLASS: u32 = 4;
const OP_SPLIT: u32 = 5;
const OP_JMP: u32 = 6;
const OP_MATCH: u32 = 7;
const OP_ASSERT: u32 = 8;

const ASSERT_BEGIN_TEXT: u32 = 1;
const ASSERT_END_TEXT: u32 = 2;
const ASSERT_BEGIN_LINE: u32 = 3;
const ASSERT_END_LINE: u32 = 4;
const ASSERT_WORD_BOUNDARY: u32 = 5;
const ASSERT_NOT_WORD_BOUNDARY: u32 = 6;

// Scratch region, 4 arrays of MAX_INSTRUCTIONS 32-bit slots:
//   two thread lists (instruction indexes), the visited stamps and the
//   closure stack. A stamp equal to the current generation means "already
//   visited while building the current list"; bumping the generation empties
//   the set without clearing it.
const SLOT_BYTES: usize = <usize>MAX_INSTRUCTIONS << 2;
const SCRATCH: usize = memory.data(<i32>SLOT_BYTES * 4, 16);
const LIST_A: usize = SCRATCH;
const LIST_B: usize = SCRATCH + SLOT_BYTES;
const STAMPS: usize = SCRATCH + 2 * SLOT_BYTES;
const STACK: usize = SCRATCH + 3 * SLOT_BYTES;

let generation: u32 = 0;

@inline
function nextGeneration(): u32 {
  let g = generation + 1;
  if (g == 0) {
    // Wrapped after 2^32 steps: stale stamps could collide, so clear once.
    memory.fill(STAMPS, 0, SLOT_BYTES);
    g = 1;
  }
  generation = g;
  return g;
}

@inline
function isWordByte(b: u32): bool {
  return (b - 0x30 < 10) || ((b | 0x20) - 0x61 < 26) || b == 0x5f;
}

function assertHolds(kind: u32, input: usize, inputLen: i32, pos: i32): bool {
  switch (kind) {
    case ASSERT_BEGIN_TEXT:
      return pos == 0;
    case ASSERT_END_TEXT:
      return pos == inputLen;
    case ASSERT_BEGIN_LINE:
      return pos == 0 || load<u8>(input + <usize>(pos - 1)) == 0x0a;
    case ASSERT_END_LINE:
      return pos == inputLen || load<u8>(input + <usize>pos) == 0x0a;
    case ASSERT_WORD_BOUNDARY:
    case ASSERT_NOT_WORD_BOUNDARY: {
      // Word characters are ASCII, and ASCII bytes never occur inside a
      // multi-byte UTF-8 sequence, so looking at single bytes is exact.
      const before = pos > 0 && isWordByte(<u32>load<u8>(input + <usize>(pos - 1)));
      const after = pos < inputLen && isWordByte(<u32>load<u8>(input + <usize>pos));
      return (before != after) == (kind == ASSERT_WORD_BOUNDARY);
    }
  }
  return false;
}

/**
 * Adds instruction `start` and everything reachable from it through JMP,
 * SPLIT and satisfied ASSERTs to `list`, skipping instructions already
 * stamped with `gen`. Only consuming instructions and MATCH are stored.
 * Returns the new list length. Iterative: an explicit stack in the scratch
 * region; every instruction is pushed at most once per generation, so the
 * stack never exceeds n entries.
 */
@inline
function addThread(
  code: usize, n: i32, start: i32, list: usize, count: i32, gen: u32,
  input: usize, inputLen: i32, pos: i32,
): i32 {
  if (load<u32>(STAMPS + (<usize>start << 2)) == gen) return count;
  store<u32>(STAMPS + (<usize>start << 2), gen);
  store<i32>(STACK, start);
  let sp: i32 = 1;
  while (sp > 0) {
    sp--;
    let pc = load<i32>(STACK + (<usize>sp << 2));
    while (true) {
      const ins = code + (<usize>pc << 3);
      const op = <u32>load<u8>(ins);
      let next: i32 = 0;
      if (op == OP_JMP) {
        next = <i32>load<u16>(ins, 2);
      } else if (op == OP_SPLIT) {
        const alt = load<u32>(ins, 4);
        if (alt < <u32>n && load<u32>(STAMPS + (<usize>alt << 2)) != gen) {
          store<u32>(STAMPS + (<usize>alt << 2), gen);
          store<i32>(STACK + (<usize>sp << 2), <i32>alt);
          sp++;
        }
        next = <i32>load<u16>(ins, 2);
      } else if (op == OP_ASSERT) {
        if (!assertHolds(<u32>load<u8>(ins, 1), input, inputLen, pos)) break;
        next = pc + 1;
      } else {
        store<i32>(list + (<usize>count << 2), pc);
        count++;
        break;
      }
      if (next >= n || load<u32>(STAMPS + (<usize>next << 2)) == gen) break;
      store<u32>(STAMPS + (<usize>next << 2), gen);
      pc = next;
    }
  }
  return count;
}

/** Binary search of `c` in the CLASS instruction's ranges (bounds-checked against the program). */
@inline
function classHas(program: usize, programLen: i32, ins: usize, c: u32): bool {
  const count = <u32>load<u16>(ins, 2);
  const offset = load<u32>(ins, 4);
  if (<u64>offset + (<u64>count << 3) > <u64>programLen) return false;
  const ranges = program + <usize>offset;
  let lo: u32 = 0;
  let hi: u32 = count;
  let found = false;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = ranges + (<usize>mid << 3);
    if (c < load<u32>(r)) hi = mid;
    else if (c > load<u32>(r, 4)) lo = mid + 1;
    else {
      found = true;
      break;
    }
  }
  return found != (load<u8>(ins, 1) != 0);
}

/**
 * True if the whole UTF-8 `input` matches the compiled `program`.
 * Both regions belong to the caller and are only read. Returns false for a
 * program that is not a valid Switchyard regex program.
 */
export function regexMatch(program: usize, programLen: i32, input: usize, inputLen: i32): bool {
  if (programLen < HEADER_BYTES || inputLen < 0) return false;
  if (load<u32>(program) != MAGIC || <u32>load<u16>(program, 4) != VERSION) return false;
  const n = <i32>load<u16>(program, 6);
  if (n == 0 || n > MAX_INSTRUCTIONS || HEADER_BYTES + (n << 3) > programLen) return false;
  const code = program + <usize>HEADER_BYTES;

  let clist = LIST_A;
  let nlist = LIST_B;
  let ccount = addThread(code, n, 0, clist, 0, nextGeneration(), input, inputLen, 0);
  let pos: i32 = 0;
  while (pos < inputLen) {
    if (ccount == 0) return false;
    // Decode one code point (invalid sequences: U+FFFD, one byte).
    let c = <u32>load<u8>(input + <usize>pos);
    let width: i32 = 1;
    if (c >= 0x80) {
      const d = decodeMultiByte(input, inputLen, pos, c);
      c = d & 0x1fffff;
      width = <i32>(d >>> 21);
    }
    const npos = pos + width;
    const gen = nextGeneration();
    let ncount: i32 = 0;
    for (let t: i32 = 0; t < ccount; t++) {
      const pc = load<i32>(clist + (<usize>t << 2));
      const ins = code + (<usize>pc << 3);
      const op = <u32>load<u8>(ins);
      let ok: bool;
      if (op == OP_CHAR) ok = load<u32>(ins, 4) == c;
      else if (op == OP_ANYNL) ok = c != 0x0a;
      else if (op == OP_CLASS) ok = classHas(program, programLen, ins, c);
      else ok = op == OP_ANY; // MATCH before the end, FAIL, unknown: no
      if (ok && pc + 1 < n) {
        ncount = addThread(code, n, pc + 1, nlist, ncount, gen, input, inputLen, npos);
      }
    }
    const tmp = clist;
    clist = nlist;
    nlist = tmp;
    ccount = ncount;
    pos = npos;
  }
  for (let t: i32 = 0; t < ccount; t++) {
    const pc = load<i32>(clist + (<usize>t << 2));
    if (<u32>load<u8>(code + (<usize>pc << 3)) == OP_MATCH) return true;
  }
  return false;
}

/**
 * Decodes the multi-byte sequence whose lead byte `b0` (>= 0x80) is at
 * `pos`. Returns (width << 21) | code point; invalid or truncated sequences
 * give U+FFFD with width 1 (the Go / RE2 convention).
 */
function decodeMultiByte(input: usize, inputLen: i32, pos: i32, b0: u32): u32 {
  const INVALID: u32 = (1 << 21) | 0xfffd;
  const avail = inputLen - pos;
  if (b0 < 0xc2 || b0 > 0xf4) return INVALID;
  if (avail < 2) return INVALID;
  const b1 = <u32>load<u8>(input + <usize>pos, 1);
  if (b0 < 0xe0) {
    if (b1 - 0x80 >= 0x40) return INVALID;
    return (2 << 21) | ((b0 & 0x1f) << 6) | (b1 & 0x3f);
  }
  // Second-byte ranges exclude overlongs, surrogates and values > U+10FFFF.
  let lo: u32 = 0x80;
  let hi: u32 = 0xbf;
  if (b0 == 0xe0) lo = 0xa0;
  else if (b0 == 0xed) hi = 0x9f;
  else if (b0 == 0xf0) lo = 0x90;
  else if (b0 == 0xf4) hi = 0x8f;
  if (b1 < lo || b1 > hi) return INVALID;
  if (avail < 3) return INVALID;
  const b2 = <u32>load<u8>(input + <usize>pos, 2);
  if (b2 - 0x80 >= 0x40) return INVALID;
  if (b0 < 0xf0) {
    return (3 << 21) | ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
  }
  if (avail < 4) return INVALID;
  const b3 = <u32>load<u8>(input + <usize>pos, 3);
  if (b3 - 0x80 >= 0x40) return INVALID;
  return (4 << 21) | ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
}
