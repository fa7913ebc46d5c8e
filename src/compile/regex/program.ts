/**
 * Compiles a regular expression to bytecode for the core's regex engine
 * (assembly/regex.ts: a lazy DFA over this bytecode, falling back to a Pike
 * VM, a Thompson NFA simulation: time linear in the input bytes, no
 * backtracking, no allocation per match).
 *
 * Semantics: FULL MATCH. The whole input must match the pattern, as if it
 * were written `^(?:pattern)$` (RE2::FullMatch). Gateway API defines
 * HTTPRoute path/header/query and GRPCRoute service/method `RegularExpression`
 * matches by the RE2 syntax, and Envoy (the reference data plane) evaluates
 * them with RE2 full match; an unanchored search would make `/foo` match
 * `/foo/bar/evil`. Only match / no match is computed, so captures and
 * greediness are not represented.
 *
 * Unicode: the VM consumes UTF-8 bytes and decodes code points; an invalid
 * UTF-8 byte decodes to U+FFFD and consumes one byte (so `.` and `[^a]`
 * match it, and so does `\x{FFFD}`).
 *
 * Bytecode (all integers little-endian):
 *
 *   header, 16 bytes:
 *     u32 magic 'SYRX' (0x58525953)   u16 version (1)   u16 n = instruction count
 *     u32 offset of the range table    u32 number of ranges in the table
 *   n instructions, 8 bytes each, from byte 16; instruction k is at 16 + 8k:
 *     u8 opcode, u8 flag, u16 a, u32 b
 *       FAIL   0                          never matches (empty class)
 *       CHAR   1  b = code point
 *       ANY    2                          any code point
 *       ANYNL  3                          any code point except \n
 *       CLASS  4  flag = negated, a = range count, b = byte offset of the ranges
 *       SPLIT  5  a = first target, b = second target (instruction indexes)
 *       JMP    6  a = target
 *       MATCH  7                          accepts if the input is exhausted
 *       ASSERT 8  flag = kind (ASSERT_* below); zero-width
 *   range table: pairs u32 lo, u32 hi (inclusive), sorted and disjoint per
 *   class. Identical classes share one entry.
 *
 * Execution starts at instruction 0 at input offset 0. Instruction indexes
 * fit in 16 bits; programs are capped at MAX_INSTRUCTIONS instructions and
 * MAX_PROGRAM_BYTES bytes (the VM's scratch space is sized for that cap).
 */
import { ALL, ALL_BUT_NEWLINE, type CodeSet, complement, sameSet } from './charset.js';
import { type AssertKind, type RegexNode, RegexSyntaxError, parseRegex } from './parse.js';

export const REGEX_MAGIC = 0x58525953;
export const REGEX_VERSION = 1;
export const HEADER_BYTES = 16;
export const INSTRUCTION_BYTES = 8;
/** Must equal MAX_INSTRUCTIONS in assembly/regex-nfa.ts. */
export const MAX_INSTRUCTIONS = 4096;
export const MAX_PROGRAM_BYTES = 65536;

export const OP_FAIL = 0;
export const OP_CHAR = 1;
export const OP_ANY = 2;
export const OP_ANYNL = 3;
export const OP_CLASS = 4;
export const OP_SPLIT = 5;
export const OP_JMP = 6;
export const OP_MATCH = 7;
export const OP_ASSERT = 8;

export const ASSERT_BEGIN_TEXT = 1;
export const ASSERT_END_TEXT = 2;
export const ASSERT_BEGIN_LINE = 3;
export const ASSERT_END_LINE = 4;
export const ASSERT_WORD_BOUNDARY = 5;
export const ASSERT_NOT_WORD_BOUNDARY = 6;

const ASSERT_CODES: Readonly<Record<AssertKind, number>> = {
  beginText: ASSERT_BEGIN_TEXT,
  endText: ASSERT_END_TEXT,
  beginLine: ASSERT_BEGIN_LINE,
  endLine: ASSERT_END_LINE,
  wordBoundary: ASSERT_WORD_BOUNDARY,
  notWordBoundary: ASSERT_NOT_WORD_BOUNDARY,
};

export type CompileRegexResult =
  | { ok: true; program: Uint8Array; instructions: number }
  | { ok: false; error: string; offset: number };

/**
 * Compiles `pattern` (RE2 syntax, see parse.ts) to a full-match program.
 * Never throws for bad patterns: syntax errors and oversized programs come
 * back as `{ ok: false }` with a message that includes the offset.
 */
export function compileRegex(pattern: string): CompileRegexResult {
  let ast: RegexNode;
  try {
    ast = parseRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) return { ok: false, error: e.message, offset: e.offset };
    throw e;
  }
  const count = instructionCount(ast) + 1; // + MATCH
  if (count > MAX_INSTRUCTIONS) {
    const shown = Number.isFinite(count) && count < 1e9 ? String(count) : 'more than 10^9';
    return {
      ok: false,
      error: `pattern too large: it compiles to ${shown} instructions, the limit is ${MAX_INSTRUCTIONS}`,
      offset: 0,
    };
  }
  const builder = new ProgramBuilder();
  builder.compile(ast);
  builder.emit(OP_MATCH, 0, 0, 0);
  const size = builder.byteLength();
  if (size > MAX_PROGRAM_BYTES) {
    return {
      ok: false,
      error: `pattern too large: its program is ${size} bytes (character classes too complex), the limit is ${MAX_PROGRAM_BYTES}`,
      offset: 0,
    };
  }
  const program = builder.encode();
  return { ok: true, program, instructions: builder.instructionCount() };
}

/** Number of instructions `node` compiles to (may be Infinity-large; never materialized). */
function instructionCount(node: RegexNode): number {
  switch (node.type) {
    case 'empty':
      return 0;
    case 'literal':
    case 'class':
    case 'assert':
      return 1;
    case 'concat':
      return node.items.reduce((sum, item) => sum + instructionCount(item), 0);
    case 'alternate':
      // k-1 SPLITs and k-1 JMPs around k alternatives.
      return node.items.reduce((sum, item) => sum + instructionCount(item), 0) + 2 * (node.items.length - 1);
    case 'repeat': {
      const s = instructionCount(node.item);
      if (node.max === -1) return node.min === 0 ? s + 2 : node.min * s + 1;
      return node.min * s + (node.max - node.min) * (s + 1);
    }
  }
}

interface Instruction {
  op: number;
  flag: number;
  a: number;
  b: number;
  /** For CLASS: the set, resolved to a range-table offset when encoding. */
  ranges?: CodeSet;
}

class ProgramBuilder {
  private readonly code: Instruction[] = [];
  private readonly classes = new Map<string, { ranges: CodeSet; index: number }>();
  private rangeCount = 0;

  instructionCount(): number {
    return this.code.length;
  }

  byteLength(): number {
    return HEADER_BYTES + INSTRUCTION_BYTES * this.code.length + 8 * this.rangeCount;
  }

  emit(op: number, flag: number, a: number, b: number): number {
    this.code.push({ op, flag, a, b });
    return this.code.length - 1;
  }

  private pc(): number {
    return this.code.length;
  }

  compile(node: RegexNode): void {
    switch (node.type) {
      case 'empty':
        return;
      case 'literal':
        this.emit(OP_CHAR, 0, 0, node.cp);
        return;
      case 'class':
        this.emitClass(node.ranges);
        return;
      case 'assert':
        this.emit(OP_ASSERT, ASSERT_CODES[node.kind], 0, 0);
        return;
      case 'concat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alternate': {
        const jumps: number[] = [];
        node.items.forEach((item, i) => {
          if (i === node.items.length - 1) {
            this.compile(item);
            return;
          }
          const split = this.emit(OP_SPLIT, 0, this.pc() + 1, 0);
          this.compile(item);
          jumps.push(this.emit(OP_JMP, 0, 0, 0));
          this.code[split].b = this.pc();
        });
        for (const j of jumps) this.code[j].a = this.pc();
        return;
      }
      case 'repeat':
        this.compileRepeat(node.item, node.min, node.max);
        return;
    }
  }

  private compileRepeat(item: RegexNode, min: number, max: number): void {
    if (max === -1) {
      if (min === 0) {
        // L: SPLIT L+1, out; item; JMP L; out:
        const split = this.emit(OP_SPLIT, 0, this.pc() + 1, 0);
        this.compile(item);
        this.emit(OP_JMP, 0, split, 0);
        this.code[split].b = this.pc();
        return;
      }
      // item{min-1}; L: item; SPLIT L, out; out:
      for (let i = 0; i < min - 1; i++) this.compile(item);
      const loop = this.pc();
      this.compile(item);
      this.emit(OP_SPLIT, 0, loop, this.pc() + 1);
      return;
    }
    for (let i = 0; i < min; i++) this.compile(item);
    // (item (item (...)?)?)? : every SPLIT skips to the common end.
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      splits.push(this.emit(OP_SPLIT, 0, this.pc() + 1, 0));
      this.compile(item);
    }
    for (const s of splits) this.code[s].b = this.pc();
  }

  private emitClass(ranges: CodeSet): void {
    if (ranges.length === 0) {
      this.emit(OP_FAIL, 0, 0, 0);
    } else if (sameSet(ranges, ALL)) {
      this.emit(OP_ANY, 0, 0, 0);
    } else if (sameSet(ranges, ALL_BUT_NEWLINE)) {
      this.emit(OP_ANYNL, 0, 0, 0);
    } else if (ranges.length === 1 && ranges[0][0] === ranges[0][1]) {
      this.emit(OP_CHAR, 0, 0, ranges[0][0]);
    } else {
      // Store whichever of the set and its complement has fewer ranges.
      const inverse = complement(ranges);
      const negated = inverse.length < ranges.length;
      const stored = negated ? inverse : ranges;
      const key = stored.map(([lo, hi]) => `${lo}-${hi}`).join(',');
      let entry = this.classes.get(key);
      if (entry === undefined) {
        entry = { ranges: stored, index: this.rangeCount };
        this.classes.set(key, entry);
        this.rangeCount += stored.length;
      }
      const at = this.emit(OP_CLASS, negated ? 1 : 0, stored.length, 0);
      this.code[at].ranges = stored;
      this.code[at].b = entry.index; // range index; converted to a byte offset in encode()
    }
  }

  encode(): Uint8Array {
    const bytes = new Uint8Array(this.byteLength());
    const view = new DataView(bytes.buffer);
    const rangesOffset = HEADER_BYTES + INSTRUCTION_BYTES * this.code.length;
    view.setUint32(0, REGEX_MAGIC, true);
    view.setUint16(4, REGEX_VERSION, true);
    view.setUint16(6, this.code.length, true);
    view.setUint32(8, rangesOffset, true);
    view.setUint32(12, this.rangeCount, true);
    this.code.forEach((ins, k) => {
      const at = HEADER_BYTES + INSTRUCTION_BYTES * k;
      const b = ins.op === OP_CLASS ? rangesOffset + 8 * ins.b : ins.b;
      view.setUint8(at, ins.op);
      view.setUint8(at + 1, ins.flag);
      view.setUint16(at + 2, ins.a, true);
      view.setUint32(at + 4, b, true);
    });
    for (const { ranges, index } of this.classes.values()) {
      ranges.forEach(([lo, hi], j) => {
        view.setUint32(rangesOffset + 8 * (index + j), lo, true);
        view.setUint32(rangesOffset + 8 * (index + j) + 4, hi, true);
      });
    }
    return bytes;
  }
}

const OP_NAMES = ['FAIL', 'CHAR', 'ANY', 'ANYNL', 'CLASS', 'SPLIT', 'JMP', 'MATCH', 'ASSERT'];
const ASSERT_NAMES = ['', 'beginText', 'endText', 'beginLine', 'endLine', 'wordBoundary', 'notWordBoundary'];

/** Human-readable listing of a program, one line per instruction (for debugging and tests). */
export function disassembleRegex(program: Uint8Array): string[] {
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const n = view.getUint16(6, true);
  const hex = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const lines: string[] = [];
  for (let k = 0; k < n; k++) {
    const at = HEADER_BYTES + INSTRUCTION_BYTES * k;
    const op = view.getUint8(at);
    const flag = view.getUint8(at + 1);
    const a = view.getUint16(at + 2, true);
    const b = view.getUint32(at + 4, true);
    let text = OP_NAMES[op] ?? `?${op}`;
    if (op === OP_CHAR) text += ` ${hex(b)}`;
    else if (op === OP_SPLIT) text += ` ${a}, ${b}`;
    else if (op === OP_JMP) text += ` ${a}`;
    else if (op === OP_ASSERT) text += ` ${ASSERT_NAMES[flag] ?? flag}`;
    else if (op === OP_CLASS) {
      const parts: string[] = [];
      for (let j = 0; j < a; j++) {
        const lo = view.getUint32(b + 8 * j, true);
        const hi = view.getUint32(b + 8 * j + 4, true);
        parts.push(lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`);
      }
      text += ` ${flag ? '^' : ''}[${parts.join(' ')}]`;
    }
    lines.push(`${k}: ${text}`);
  }
  return lines;
}
