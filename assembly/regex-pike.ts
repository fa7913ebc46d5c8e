// Pike VM for Switchyard regular expressions (Thompson NFA simulation, as in
// RE2 and Russ Cox's "Regular Expression Matching: the Virtual Machine
// Approach"): time O(instructions × input bytes), no backtracking, no
// allocation (the thread lists live in static scratch). The lazy DFA
// (regex-dfa.ts) hands programs and inputs it cannot cache well to it, possibly
// in the middle of an input.
import {
  CLOSURE_LIST, HEADER_BYTES, OP_MATCH, SLOT_BYTES, addThread, consumes, contextAt, decodeMultiByte,
  nextGeneration,
} from './regex-nfa';

/** The second thread list (the first is the shared CLOSURE_LIST). */
const OTHER_LIST: usize = memory.data(<i32>SLOT_BYTES, 16);

/** A start list for pikeRun from the beginning: instruction 0 (u16 0, never written). */
export const PIKE_START: usize = memory.data(2, 4);

/**
 * Runs the `n`-instruction program from byte offset `pos` of `input`, with
 * the threads `starts[0..startCount)` (u16 instruction indexes, not yet
 * closed) alive at `pos`. True if the whole rest of the input matches.
 */
export function pikeRun(
  program: usize, programLen: i32, n: i32, input: usize, inputLen: i32, pos: i32, starts: usize, startCount: i32,
): bool {
  const code = program + <usize>HEADER_BYTES;
  let clist = CLOSURE_LIST;
  let nlist = OTHER_LIST;
  let gen = nextGeneration();
  let ctx = contextAt(input, inputLen, pos);
  let ccount: i32 = 0;
  for (let i: i32 = 0; i < startCount; i++) {
    const pc = <i32>load<u16>(starts + (<usize>i << 1));
    if (pc < n) ccount = addThread(code, n, pc, clist, ccount, gen, ctx);
  }
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
    gen = nextGeneration();
    ctx = contextAt(input, inputLen, npos);
    let ncount: i32 = 0;
    for (let t: i32 = 0; t < ccount; t++) {
      const pc = load<i32>(clist + (<usize>t << 2));
      if (pc + 1 < n && consumes(program, programLen, code + (<usize>pc << 3), c)) {
        ncount = addThread(code, n, pc + 1, nlist, ncount, gen, ctx);
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
