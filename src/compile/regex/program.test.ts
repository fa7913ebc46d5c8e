import { describe, expect, it } from 'vitest';
import { caseOrbit, foldSet } from './casefold.js';
import {
  HEADER_BYTES,
  INSTRUCTION_BYTES,
  MAX_INSTRUCTIONS,
  MAX_PROGRAM_BYTES,
  REGEX_MAGIC,
  REGEX_VERSION,
  compileRegex,
  disassembleRegex,
} from './program.js';

function compile(pattern: string): { program: Uint8Array; instructions: number } {
  const r = compileRegex(pattern);
  if (!r.ok) throw new Error(r.error);
  return r;
}

describe('compileRegex: bytecode', () => {
  it('writes the header', () => {
    const { program, instructions } = compile('a[bc]');
    const view = new DataView(program.buffer);
    expect(view.getUint32(0, true)).toBe(REGEX_MAGIC);
    expect(String.fromCharCode(...program.subarray(0, 4))).toBe('SYRX');
    expect(view.getUint16(4, true)).toBe(REGEX_VERSION);
    expect(view.getUint16(6, true)).toBe(instructions);
    expect(instructions).toBe(3);
    expect(view.getUint32(8, true)).toBe(HEADER_BYTES + 3 * INSTRUCTION_BYTES);
    expect(view.getUint32(12, true)).toBe(1); // [bc] is one range
    expect(program.length).toBe(HEADER_BYTES + 3 * INSTRUCTION_BYTES + 8);
  });

  it.each([
    ['abc', ['0: CHAR U+0061', '1: CHAR U+0062', '2: CHAR U+0063', '3: MATCH']],
    ['a|b|c', ['0: SPLIT 1, 3', '1: CHAR U+0061', '2: JMP 7', '3: SPLIT 4, 6', '4: CHAR U+0062', '5: JMP 7', '6: CHAR U+0063', '7: MATCH']],
    ['a*', ['0: SPLIT 1, 3', '1: CHAR U+0061', '2: JMP 0', '3: MATCH']],
    ['a+', ['0: CHAR U+0061', '1: SPLIT 0, 2', '2: MATCH']],
    ['a?', ['0: SPLIT 1, 2', '1: CHAR U+0061', '2: MATCH']],
    ['a{2,3}', ['0: CHAR U+0061', '1: CHAR U+0061', '2: SPLIT 3, 4', '3: CHAR U+0061', '4: MATCH']],
    ['a{0,2}', ['0: SPLIT 1, 4', '1: CHAR U+0061', '2: SPLIT 3, 4', '3: CHAR U+0061', '4: MATCH']],
    ['a{2,}', ['0: CHAR U+0061', '1: CHAR U+0061', '2: SPLIT 1, 3', '3: MATCH']],
    ['a{0}', ['0: MATCH']],
    ['.(?s:.)', ['0: ANYNL', '1: ANY', '2: MATCH']],
    ['[^a]', ['0: CLASS ^[U+0061]', '1: MATCH']],
    ['[a-cx]', ['0: CLASS [U+0061-U+0063 U+0078]', '1: MATCH']],
    ['[^\\x00-\\x{10FFFF}]', ['0: FAIL', '1: MATCH']],
    ['[é]', ['0: CHAR U+00E9', '1: MATCH']],
    ['^\\b\\B$(?m:^$)', ['0: ASSERT beginText', '1: ASSERT wordBoundary', '2: ASSERT notWordBoundary', '3: ASSERT endText', '4: ASSERT beginLine', '5: ASSERT endLine', '6: MATCH']],
  ])('compiles %j', (pattern, listing) => {
    expect(disassembleRegex(compile(pattern).program)).toEqual(listing);
  });

  it('stores identical classes once', () => {
    const { program } = compile('(?i)abab');
    const view = new DataView(program.buffer);
    expect(view.getUint32(12, true)).toBe(4); // [Aa] and [Bb], two ranges each
    const offsets = [0, 1, 2, 3].map((k) => view.getUint32(HEADER_BYTES + INSTRUCTION_BYTES * k + 4, true));
    expect(offsets[0]).toBe(offsets[2]);
    expect(offsets[1]).toBe(offsets[3]);
    expect(offsets[0]).not.toBe(offsets[1]);
  });

  it('is deterministic', () => {
    const p = '(?i)(foo|ba[rz])+\\.v[0-9]{1,3}';
    expect(compile(p).program).toEqual(compile(p).program);
  });

  it('caps the instruction count without materializing huge expansions', () => {
    const started = performance.now();
    expect(compileRegex('((a{1000}){1000}){1000}')).toEqual({
      ok: false,
      error: `pattern too large: it compiles to more than 10^9 instructions, the limit is ${MAX_INSTRUCTIONS}`,
      offset: 0,
    });
    expect(compileRegex('(abcde){1000}')).toEqual({
      ok: false,
      error: `pattern too large: it compiles to 5001 instructions, the limit is ${MAX_INSTRUCTIONS}`,
      offset: 0,
    });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('caps the program size in bytes', () => {
    // Distinct classes of 8 single-code-point ranges: 64 bytes of ranges each.
    const classes = Array.from({ length: 1000 }, (_, i) => {
      const members = Array.from({ length: 8 }, (_, j) => String.fromCodePoint(0x4e00 + 16 * i + 2 * j));
      return `[${members.join('')}]`;
    });
    const fits = compileRegex(classes.slice(0, 500).join(''));
    expect(fits.ok && fits.program.length).toBe(HEADER_BYTES + 501 * INSTRUCTION_BYTES + 500 * 64);
    const r = compileRegex(classes.join(''));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/^pattern too large: its program is \d+ bytes \(character classes too complex\), the limit is 65536$/);
      expect(Number(/is (\d+) bytes/.exec(r.error)![1])).toBeGreaterThan(MAX_PROGRAM_BYTES);
    }
  });
});

describe('case folding', () => {
  it('matches the simple case folding of JavaScript /iu for every cased code point in planes 0 and 1', () => {
    let checked = 0;
    for (let c = 0; c < 0x20000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      const orbit = caseOrbit(c);
      const upper = s.toUpperCase();
      const lower = s.toLowerCase();
      if (orbit.length === 1 && upper === s && lower === s) continue;
      const re = new RegExp(`^\\u{${c.toString(16)}}$`, 'iu');
      for (const m of orbit) expect(re.test(String.fromCodePoint(m)), `${c.toString(16)} ~ ${m.toString(16)}`).toBe(true);
      for (const other of [upper, lower]) {
        if ([...other].length !== 1) continue;
        expect(orbit.includes(other.codePointAt(0)!), `${c.toString(16)} vs ${other}`).toBe(re.test(other));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(2500);
  });

  it('closes sets under folding', () => {
    expect(foldSet([[0x61, 0x63]])).toEqual([[0x41, 0x43], [0x61, 0x63]]);
    expect(foldSet([[0x6b, 0x6b]])).toEqual([[0x4b, 0x4b], [0x6b, 0x6b], [0x212a, 0x212a]]);
    expect(foldSet([[0x30, 0x39]])).toEqual([[0x30, 0x39]]);
    expect(caseOrbit(0x131)).toEqual([0x131]);
    expect(caseOrbit(0x3c3)).toEqual([0x3a3, 0x3c2, 0x3c3]);
  });
});
