// Program format and NFA primitives shared by the Pike VM (regex.ts) and the
// lazy DFA (regex-dfa.ts): the bytecode constants of
// src/compile/regex/program.ts, UTF-8 decoding, class membership, the
// assertion context of a position and the epsilon closure.
//
// Assertions are evaluated from a context: a bit set with bit (1 << kind)
// set for every ASSERT kind that holds at the position. The Pike VM computes
// it from the input bytes around the position; the DFA from the previous
// code point (kept in its state) and the next one (the transition's class).

/** Must equal MAX_INSTRUCTIONS in src/compile/regex/program.ts. */
export const MAX_INSTRUCTIONS: i32 = 4096;

export const MAGIC: u32 = 0x58525953; // 'SYRX'
export const VERSION: u32 = 1;
export const HEADER_BYTES: i32 = 16;

export const OP_CHAR: u32 = 1;
export const OP_ANY: u32 = 2;
export const OP_ANYNL: u32 = 3;
export const OP_CLASS: u32 = 4;
export const OP_SPLIT: u32 = 5;
export const OP_JMP: u32 = 6;
export const OP_MATCH: u32 = 7;
export const OP_ASSERT: u32 = 8;

export const ASSERT_BEGIN_TEXT: u32 = 1;
export const ASSERT_END_TEXT: u32 = 2;
export const ASSERT_BEGIN_LINE: u32 = 3;
export const ASSERT_END_LINE: u32 = 4;
export const ASSERT_WORD_BOUNDARY: u32 = 5;
export const ASSERT_NOT_WORD_BOUNDARY: u32 = 6;

/** Largest code point the decoder returns. */
export const MAX_CODE_POINT: u32 = 0x10ffff;

/**
 * Instruction count of a valid program header, or 0 if `program` is not a
 * Switchyard regex program (bad magic or version, no instructions, more than
 * MAX_INSTRUCTIONS, or instructions past `programLen`).
 */
export function programInstructions(program: usize, programLen: i32): i32 {
  if (programLen < HEADER_BYTES) return 0;
  if (load<u32>(program) != MAGIC || <u32>load<u16>(program, 4) != VERSION) return 0;
  const n = <i32>load<u16>(program, 6);
  if (n == 0 || n > MAX_INSTRUCTIONS || HEADER_BYTES + (n << 3) > programLen) return 0;
  return n;
}

// Scratch region, 3 arrays of MAX_INSTRUCTIONS 32-bit slots: the visited
// stamps, the closure stack and one thread list (the Pike VM keeps its second
// list in its own region). A stamp equal to the current generation means
// "already visited while building the current list"; bumping the generation
// empties the set without clearing it.
export const SLOT_BYTES: usize = <usize>MAX_INSTRUCTIONS << 2;
const SCRATCH: usize = memory.data(<i32>SLOT_BYTES * 3, 16);
const STAMPS: usize = SCRATCH;
const STACK: usize = SCRATCH + SLOT_BYTES;
/** A thread list for a closure (instruction indexes, i32). */
export const CLOSURE_LIST: usize = SCRATCH + 2 * SLOT_BYTES;

let generation: u32 = 0;

export function nextGeneration(): u32 {
  let g = generation + 1;
  if (g == 0) {
    // Wrapped after 2^32 steps: stale stamps could collide, so clear once.
    memory.fill(STAMPS, 0, SLOT_BYTES);
    g = 1;
  }
  generation = g;
  return g;
}

// @ts-ignore: decorator
@inline
export function isWordCodePoint(c: u32): bool {
  return (c - 0x30 < 10) || ((c | 0x20) - 0x61 < 26) || c == 0x5f;
}

/**
 * The assertion context between code points: `atStart` (no code point
 * before), `prevNewline` / `prevWord` (the one before is \n / a word
 * character), `atEnd` (none after), `nextNewline` / `nextWord`.
 */
// @ts-ignore: decorator
@inline
export function assertionContext(
  atStart: bool, prevNewline: bool, prevWord: bool, atEnd: bool, nextNewline: bool, nextWord: bool,
): u32 {
  let ctx: u32 = 0;
  if (atStart) ctx |= 1 << ASSERT_BEGIN_TEXT;
  if (atEnd) ctx |= 1 << ASSERT_END_TEXT;
  if (atStart || prevNewline) ctx |= 1 << ASSERT_BEGIN_LINE;
  if (atEnd || nextNewline) ctx |= 1 << ASSERT_END_LINE;
  ctx |= prevWord != nextWord ? 1 << ASSERT_WORD_BOUNDARY : 1 << ASSERT_NOT_WORD_BOUNDARY;
  return ctx;
}

/**
 * The assertion context at byte offset `pos` of `input`. Word characters and
 * \n are ASCII, and ASCII bytes never occur inside a multi-byte UTF-8
 * sequence, so looking at the single bytes around `pos` is exact.
 */
export function contextAt(input: usize, inputLen: i32, pos: i32): u32 {
  const atStart = pos == 0;
  const atEnd = pos == inputLen;
  const prev: u32 = atStart ? 0 : <u32>load<u8>(input + <usize>(pos - 1));
  const next: u32 = atEnd ? 0 : <u32>load<u8>(input + <usize>pos);
  return assertionContext(
    atStart, !atStart && prev == 0x0a, !atStart && isWordCodePoint(prev),
    atEnd, !atEnd && next == 0x0a, !atEnd && isWordCodePoint(next),
  );
}

/**
 * Adds instruction `start` and everything reachable from it through JMP,
 * SPLIT and ASSERTs that hold in `ctx` to `list`, skipping instructions
 * already stamped with `gen`. Only consuming instructions and MATCH are
 * stored. Returns the new list length. Iterative: an explicit stack in the
 * scratch region; every instruction is pushed at most once per generation,
 * so the stack never exceeds n entries.
 */
export function addThread(code: usize, n: i32, start: i32, list: usize, count: i32, gen: u32, ctx: u32): i32 {
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
        const kind = <u32>load<u8>(ins, 1);
        if (kind > 31 || (ctx & (1 << kind)) == 0) break;
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
export function classHas(program: usize, programLen: i32, ins: usize, c: u32): bool {
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

/** True if the consuming instruction at `ins` accepts code point `c` (MATCH, FAIL and unknown opcodes never do). */
// @ts-ignore: decorator
@inline
export function consumes(program: usize, programLen: i32, ins: usize, c: u32): bool {
  const op = <u32>load<u8>(ins);
  if (op == OP_CHAR) return load<u32>(ins, 4) == c;
  if (op == OP_ANYNL) return c != 0x0a;
  if (op == OP_CLASS) return classHas(program, programLen, ins, c);
  return op == OP_ANY;
}

/**
 * Decodes the multi-byte sequence whose lead byte `b0` (>= 0x80) is at
 * `pos`. Returns (width << 21) | code point; invalid or truncated sequences
 * give U+FFFD with width 1 (the Go / RE2 convention).
 */
export function decodeMultiByte(input: usize, inputLen: i32, pos: i32, b0: u32): u32 {
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
