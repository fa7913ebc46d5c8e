/**
 * RE2-syntax regular-expression parser.
 *
 * Produces a small AST in which every character-matching construct is already
 * resolved to a code point or a normalized code point set: negation, Perl and
 * POSIX classes and case folding (`(?i)`) are applied here, so the compiler
 * and the reference matcher only see literals, sets, assertions, concatenation,
 * alternation and counted repetition. Captures are dropped (matching only
 * answers match / no match), and so is laziness (`*?` accepts the same
 * strings as `*`).
 *
 * Supported (as RE2): literals and escapes (`\t \n \r \f \v \a`, `\xHH`,
 * `\x{H..}`, octal `\0`, `\123`, `\Q...\E`, escaped punctuation), `.`,
 * classes `[...]` / `[^...]` with ranges, Perl classes `\d \w \s \D \W \S`
 * and POSIX classes `[[:alpha:]]` / `[[:^alpha:]]` (all ASCII, as RE2),
 * anchors `^ $ \A \z`, ASCII word boundaries `\b \B`, groups `(...)`,
 * `(?:...)`, `(?P<name>...)`, `(?<name>...)`, alternation, the quantifiers
 * `* + ? {n} {n,} {n,m}` and their lazy forms (counts up to 1000), and the
 * flags `i` (simple Unicode case folding), `m` (multi-line `^ $`), `s` (`.`
 * matches `\n`) and `U` (ungreedy; no effect on match / no match) as
 * `(?flags)` or `(?flags:...)`, with `-` to clear.
 *
 * Rejected with an error that names the problem and its offset:
 * backreferences, lookaround, atomic groups, possessive and stacked
 * quantifiers, recursion, Unicode property classes (`\p{...}`), `\C`, `\Z`,
 * and all malformed syntax. Offsets are UTF-16 indexes into the pattern.
 */
import {
  ALL,
  ALL_BUT_NEWLINE,
  type CodeSet,
  MAX_CODE_POINT,
  PERL_CLASSES,
  POSIX_CLASSES,
  type Range,
  complement,
  normalize,
} from './charset.js';
import { caseOrbit, foldSet } from './casefold.js';

export type AssertKind =
  | 'beginText'
  | 'endText'
  | 'beginLine'
  | 'endLine'
  | 'wordBoundary'
  | 'notWordBoundary';

export type RegexNode =
  | { readonly type: 'empty' }
  | { readonly type: 'literal'; readonly cp: number }
  | { readonly type: 'class'; readonly ranges: CodeSet }
  | { readonly type: 'assert'; readonly kind: AssertKind }
  | { readonly type: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly type: 'alternate'; readonly items: readonly RegexNode[] }
  /** `max` is -1 when unbounded. */
  | { readonly type: 'repeat'; readonly item: RegexNode; readonly min: number; readonly max: number };

/** RE2's limit on `{n,m}` counts. */
export const MAX_REPEAT = 1000;
/** RE2's limit on group nesting. */
export const MAX_NESTING = 1000;

export class RegexSyntaxError extends Error {
  readonly offset: number;
  readonly description: string;
  constructor(description: string, offset: number) {
    super(`${description} at offset ${offset}`);
    this.name = 'RegexSyntaxError';
    this.offset = offset;
    this.description = description;
  }
}

interface Flags {
  /** Case-insensitive. */
  i: boolean;
  /** Multi-line: `^` and `$` also match at line boundaries. */
  m: boolean;
  /** `.` also matches `\n`. */
  s: boolean;
}

const EMPTY: RegexNode = { type: 'empty' };

export function parseRegex(pattern: string): RegexNode {
  return new Parser(pattern).parse();
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isOctal = (c: number): boolean => c >= 0x30 && c <= 0x37;
const isAsciiAlnum = (c: number): boolean =>
  isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const hexValue = (c: number): number => {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
};

function show(cp: number): string {
  if (cp > 0x20 && cp < 0x7f) return String.fromCharCode(cp);
  return `\\x{${cp.toString(16).toUpperCase()}}`;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly names = new Set<string>();

  constructor(private readonly src: string) {}

  parse(): RegexNode {
    this.checkSurrogates();
    const node = this.parseAlternation({ i: false, m: false, s: false });
    if (this.pos < this.src.length) {
      // parseAlternation stops only at the end or at ')'.
      throw new RegexSyntaxError('unexpected ) with no group to close', this.pos);
    }
    return node;
  }

  private checkSurrogates(): void {
    const s = this.src;
    for (let i = 0; i < s.length; i++) {
      const u = s.charCodeAt(i);
      if (u >= 0xd800 && u <= 0xdbff) {
        const v = s.charCodeAt(i + 1);
        if (v >= 0xdc00 && v <= 0xdfff) {
          i++;
          continue;
        }
        throw new RegexSyntaxError('invalid UTF-16 (unpaired surrogate) in pattern', i);
      }
      if (u >= 0xdc00 && u <= 0xdfff) {
        throw new RegexSyntaxError('invalid UTF-16 (unpaired surrogate) in pattern', i);
      }
    }
  }

  // ---- low-level cursor -------------------------------------------------

  private eof(): boolean {
    return this.pos >= this.src.length;
  }

  /** Code point at `pos + ahead` code units, or -1 past the end. */
  private peek(ahead = 0): number {
    const c = this.src.codePointAt(this.pos + ahead);
    return c === undefined ? -1 : c;
  }

  private lookingAt(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  /** Consumes and returns one code point. */
  private next(): number {
    const c = this.src.codePointAt(this.pos);
    if (c === undefined) throw new RegexSyntaxError('unexpected end of pattern', this.pos);
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  // ---- structure ---------------------------------------------------------

  /**
   * Parses alternatives up to the end of the pattern or an unconsumed `)`.
   * `flags` belongs to the enclosing group: `(?i)` changes it for the rest of
   * the group, across `|`, as in RE2 and Perl.
   */
  private parseAlternation(flags: Flags): RegexNode {
    const alternatives: RegexNode[] = [];
    let items: RegexNode[] = [];
    for (;;) {
      if (this.eof() || this.peek() === 0x29 /* ) */) break;
      const c = this.peek();
      if (c === 0x7c /* | */) {
        alternatives.push(concat(items));
        items = [];
        this.pos++;
        continue;
      }
      if (c === 0x2a || c === 0x2b || c === 0x3f || (c === 0x7b && this.braceRepeatAt(this.pos))) {
        const op = c === 0x7b ? this.src.slice(this.pos, this.src.indexOf('}', this.pos) + 1) : String.fromCharCode(c);
        throw new RegexSyntaxError(`missing argument to repetition operator ${op}`, this.pos);
      }
      if (this.lookingAt('\\Q')) {
        // \Q...\E: everything up to \E (or the end) is literal. As in RE2, a
        // following quantifier applies to the last character only.
        this.pos += 2;
        const end = this.src.indexOf('\\E', this.pos);
        const chars = [...this.src.slice(this.pos, end < 0 ? this.src.length : end)];
        this.pos = end < 0 ? this.src.length : end + 2;
        const last = chars.pop();
        for (const ch of chars) items.push(literal(ch.codePointAt(0)!, flags));
        if (last !== undefined) items.push(this.parseQuantifiers(literal(last.codePointAt(0)!, flags)));
        continue;
      }
      const atom = this.parseAtom(flags);
      if (atom === null) continue; // a flag group such as (?i): nothing to repeat
      items.push(this.parseQuantifiers(atom));
    }
    alternatives.push(concat(items));
    return alternatives.length === 1 ? alternatives[0] : { type: 'alternate', items: alternatives };
  }

  /**
   * If a well-formed `{n}`, `{n,}` or `{n,m}` starts at `at`, returns its
   * bounds and end; otherwise (RE2 treats such a `{` as a literal) undefined.
   */
  private braceRepeatAt(at: number): { min: number; max: number; end: number } | undefined {
    const s = this.src;
    if (s.charCodeAt(at) !== 0x7b) return undefined;
    const digits = (from: number): number => {
      let i = from;
      while (isDigit(s.charCodeAt(i))) i++;
      return i;
    };
    const minEnd = digits(at + 1);
    if (minEnd === at + 1) return undefined;
    const min = Number(s.slice(at + 1, minEnd));
    if (s.charCodeAt(minEnd) === 0x7d) return { min, max: min, end: minEnd + 1 };
    if (s.charCodeAt(minEnd) !== 0x2c) return undefined;
    const maxEnd = digits(minEnd + 1);
    if (s.charCodeAt(maxEnd) !== 0x7d) return undefined;
    const max = maxEnd === minEnd + 1 ? -1 : Number(s.slice(minEnd + 1, maxEnd));
    return { min, max, end: maxEnd + 1 };
  }

  private parseQuantifiers(atom: RegexNode): RegexNode {
    const start = this.pos;
    let min: number;
    let max: number;
    const c = this.peek();
    if (c === 0x2a) [min, max] = [0, -1];
    else if (c === 0x2b) [min, max] = [1, -1];
    else if (c === 0x3f) [min, max] = [0, 1];
    else if (c === 0x7b && this.braceRepeatAt(this.pos)) {
      const rep = this.braceRepeatAt(this.pos)!;
      const text = this.src.slice(this.pos, rep.end);
      if (rep.min > MAX_REPEAT || rep.max > MAX_REPEAT) {
        throw new RegexSyntaxError(`repetition count in ${text} exceeds the limit of ${MAX_REPEAT}`, this.pos);
      }
      if (rep.max !== -1 && rep.max < rep.min) {
        throw new RegexSyntaxError(`invalid repetition range ${text} (minimum greater than maximum)`, this.pos);
      }
      [min, max] = [rep.min, rep.max];
      this.pos = rep.end - 1;
    } else {
      return atom;
    }
    this.pos++;
    if (this.peek() === 0x3f) this.pos++; // lazy: same language
    else if (this.peek() === 0x2b) {
      throw new RegexSyntaxError(
        `possessive quantifier ${this.src.slice(start, this.pos + 1)} is not supported`,
        start,
      );
    }
    const n = this.peek();
    if (n === 0x2a || n === 0x2b || n === 0x3f || (n === 0x7b && this.braceRepeatAt(this.pos))) {
      const end = n === 0x7b ? this.braceRepeatAt(this.pos)!.end : this.pos + 1;
      throw new RegexSyntaxError(
        `invalid nested repetition operator ${this.src.slice(start, end)} (put the repeated part in a group)`,
        start,
      );
    }
    return { type: 'repeat', item: atom, min, max };
  }

  /** Parses one atom; returns null for a flag-only group such as `(?i)`. */
  private parseAtom(flags: Flags): RegexNode | null {
    const start = this.pos;
    const c = this.next();
    switch (c) {
      case 0x28: // (
        return this.parseGroup(flags, start);
      case 0x5b: // [
        return this.parseClass(flags, start);
      case 0x2e: // .
        return { type: 'class', ranges: flags.s ? ALL : ALL_BUT_NEWLINE };
      case 0x5e: // ^
        return { type: 'assert', kind: flags.m ? 'beginLine' : 'beginText' };
      case 0x24: // $
        return { type: 'assert', kind: flags.m ? 'endLine' : 'endText' };
      case 0x5c: // backslash
        return this.parseEscape(flags, start);
      default:
        return literal(c, flags);
    }
  }

  private parseGroup(flags: Flags, start: number): RegexNode | null {
    if (++this.depth > MAX_NESTING) {
      throw new RegexSyntaxError(`groups nested more than ${MAX_NESTING} deep`, start);
    }
    const inner: Flags = { ...flags };
    if (this.peek() === 0x3f /* ? */) {
      this.pos++;
      if (this.lookingAt('=') || this.lookingAt('!')) {
        throw new RegexSyntaxError(`lookahead assertion (?${this.src[this.pos]} is not supported`, start);
      }
      if (this.lookingAt('<=') || this.lookingAt('<!')) {
        throw new RegexSyntaxError(`lookbehind assertion (?${this.src.slice(this.pos, this.pos + 2)} is not supported`, start);
      }
      if (this.lookingAt('>')) throw new RegexSyntaxError('atomic group (?> is not supported', start);
      if (this.lookingAt('#')) throw new RegexSyntaxError('comment group (?# is not supported', start);
      if (this.lookingAt('P=')) throw new RegexSyntaxError('backreference (?P=name) is not supported', start);
      if (this.lookingAt('P>') || this.lookingAt('R') || isDigit(this.peek()) || this.lookingAt('&')) {
        throw new RegexSyntaxError('recursion and subroutine calls are not supported', start);
      }
      if (this.lookingAt('P<') || this.lookingAt('<')) {
        this.pos += this.lookingAt('P<') ? 2 : 1;
        this.parseGroupName(start);
      } else if (this.parseFlags(inner, start)) {
        // (?flags) applies to the rest of the enclosing group.
        Object.assign(flags, inner);
        this.depth--;
        return null;
      }
    }
    const body = this.parseAlternation(inner);
    if (this.peek() !== 0x29) {
      throw new RegexSyntaxError('missing ) for group opened', start);
    }
    this.pos++;
    this.depth--;
    return body;
  }

  private parseGroupName(start: number): void {
    const close = this.src.indexOf('>', this.pos);
    if (close < 0) throw new RegexSyntaxError('unterminated group name', start);
    const name = this.src.slice(this.pos, close);
    if (name.length === 0 || ![...name].every((ch) => ch === '_' || isAsciiAlnum(ch.charCodeAt(0)))) {
      throw new RegexSyntaxError(`invalid group name <${name}> (use letters, digits and _)`, start);
    }
    if (this.names.has(name)) {
      throw new RegexSyntaxError(`duplicate group name <${name}>`, start);
    }
    this.names.add(name);
    this.pos = close + 1;
  }

  /**
   * Parses `flags)` or `flags:` after `(?`. Returns true for `(?flags)`,
   * false for `(?flags:` (the group body follows).
   */
  private parseFlags(inner: Flags, start: number): boolean {
    let negate = false;
    let sawFlag = false;
    let sawFlagAfterMinus = false;
    for (;;) {
      if (this.eof()) throw new RegexSyntaxError('missing ) for group opened', start);
      const c = this.next();
      switch (c) {
        case 0x69: // i
        case 0x6d: // m
        case 0x73: // s
          inner[String.fromCharCode(c) as 'i' | 'm' | 's'] = !negate;
          sawFlag = true;
          if (negate) sawFlagAfterMinus = true;
          break;
        case 0x55: // U (ungreedy): does not change which strings match
          sawFlag = true;
          if (negate) sawFlagAfterMinus = true;
          break;
        case 0x2d: // -
          if (negate) throw new RegexSyntaxError('invalid group flags (repeated -)', start);
          negate = true;
          break;
        case 0x3a: // :
        case 0x29: {
          // )
          if (negate && !sawFlagAfterMinus) {
            throw new RegexSyntaxError('invalid group flags (- must be followed by a flag)', start);
          }
          if (c === 0x29 && !sawFlag) throw new RegexSyntaxError('missing flags in (?)', start);
          return c === 0x29;
        }
        default:
          throw new RegexSyntaxError(
            `invalid or unsupported group syntax (?${this.src.slice(start + 2, this.pos)}`,
            start,
          );
      }
    }
  }

  // ---- escapes -----------------------------------------------------------

  private parseEscape(flags: Flags, start: number): RegexNode {
    if (this.eof()) throw new RegexSyntaxError('trailing backslash at end of pattern', start);
    const c = this.peek();
    switch (c) {
      case 0x41: // A
        this.pos++;
        return { type: 'assert', kind: 'beginText' };
      case 0x7a: // z
        this.pos++;
        return { type: 'assert', kind: 'endText' };
      case 0x62: // b
        this.pos++;
        return { type: 'assert', kind: 'wordBoundary' };
      case 0x42: // B
        this.pos++;
        return { type: 'assert', kind: 'notWordBoundary' };
      case 0x5a: // Z
        throw new RegexSyntaxError('\\Z is not supported (use \\z for end of text)', start);
      case 0x45: // E
        throw new RegexSyntaxError('\\E without a preceding \\Q', start);
    }
    const perl = this.tryPerlClass(flags);
    if (perl !== undefined) return { type: 'class', ranges: perl };
    return literal(this.parseEscapeChar(start, false), flags);
  }

  /** `\d \s \w \D \S \W` at `pos` (just after the backslash). */
  private tryPerlClass(flags: Flags): Range[] | undefined {
    const c = this.peek();
    const name = String.fromCharCode(c | 0x20);
    if (c > 0x7f || (name !== 'd' && name !== 's' && name !== 'w')) return undefined;
    this.pos++;
    const positive = flags.i ? foldSet(PERL_CLASSES[name]) : [...PERL_CLASSES[name]];
    return c >= 0x61 ? positive : complement(positive);
  }

  /**
   * A single-character escape at `pos` (just after the backslash); shared by
   * atoms and class members. `start` is the offset of the backslash.
   */
  private parseEscapeChar(start: number, inClass: boolean): number {
    const c = this.next();
    switch (c) {
      case 0x61: return 0x07; // \a
      case 0x66: return 0x0c; // \f
      case 0x74: return 0x09; // \t
      case 0x6e: return 0x0a; // \n
      case 0x72: return 0x0d; // \r
      case 0x76: return 0x0b; // \v
      case 0x78: return this.parseHexEscape(start);
      case 0x70:
      case 0x50:
        throw new RegexSyntaxError(`Unicode character class \\${String.fromCharCode(c)} is not supported`, start);
      case 0x6b: // k
        throw new RegexSyntaxError('backreference \\k is not supported', start);
      case 0x43: // C
        throw new RegexSyntaxError('\\C (any byte) is not supported', start);
    }
    if (c === 0x30 || (isOctal(c) && isOctal(this.peek()))) {
      // Octal, as RE2: \0, \0o, \0oo, or \ooo starting with 1-7 (at least two digits).
      let value = c - 0x30;
      for (let k = 0; k < 2 && isOctal(this.peek()); k++) value = value * 8 + (this.next() - 0x30);
      return value;
    }
    if (c >= 0x31 && c <= 0x39 && !inClass) {
      throw new RegexSyntaxError(`backreference \\${String.fromCharCode(c)} is not supported`, start);
    }
    if (c < 0x80 && !isAsciiAlnum(c)) return c; // escaped punctuation, e.g. \. \/ \\ \-
    if (inClass && c === 0x62) {
      throw new RegexSyntaxError('\\b (word boundary) is not allowed in a character class', start);
    }
    throw new RegexSyntaxError(`invalid escape sequence \\${String.fromCodePoint(c)}`, start);
  }

  private parseHexEscape(start: number): number {
    if (this.peek() === 0x7b /* { */) {
      this.pos++;
      let value = 0;
      let digits = 0;
      while (hexValue(this.peek()) >= 0) {
        value = value * 16 + hexValue(this.next());
        digits++;
        if (value > MAX_CODE_POINT) {
          throw new RegexSyntaxError('escape \\x{...} is beyond the last code point U+10FFFF', start);
        }
      }
      if (digits === 0 || this.peek() !== 0x7d) {
        throw new RegexSyntaxError('invalid escape \\x{...}: expected hex digits and }', start);
      }
      this.pos++;
      return value;
    }
    const hi = hexValue(this.peek());
    const lo = hexValue(this.peek(1));
    if (hi < 0 || lo < 0) {
      throw new RegexSyntaxError('invalid escape \\x: expected two hex digits or {hex}', start);
    }
    this.pos += 2;
    return hi * 16 + lo;
  }

  // ---- character classes -------------------------------------------------

  private parseClass(flags: Flags, start: number): RegexNode {
    let negated = false;
    if (this.peek() === 0x5e /* ^ */) {
      negated = true;
      this.pos++;
    }
    const members: Range[] = [];
    let first = true;
    for (;;) {
      if (this.eof()) throw new RegexSyntaxError('missing ] for character class opened', start);
      const c = this.peek();
      if (c === 0x5d /* ] */ && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === 0x5b && this.peek(1) === 0x3a /* [: */) {
        const posix = this.tryPosixClass(flags);
        if (posix !== undefined) {
          members.push(...posix);
          continue;
        }
      }
      if (c === 0x5c && this.peek(1) >= 0) {
        const save = this.pos;
        this.pos++;
        const perl = this.tryPerlClass(flags);
        if (perl !== undefined) {
          members.push(...perl);
          continue;
        }
        this.pos = save;
      }
      const loAt = this.pos;
      const lo = this.parseClassChar();
      let hi = lo;
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== 0x5d && this.peek(1) >= 0) {
        this.pos++;
        if (this.peek() === 0x5c && this.isPerlClassEscapeAt(this.pos + 1)) {
          throw new RegexSyntaxError(
            `invalid character class range ${this.src.slice(loAt, this.pos + 2)} (a class cannot end a range)`,
            loAt,
          );
        }
        hi = this.parseClassChar();
        if (hi < lo) {
          throw new RegexSyntaxError(
            `invalid character class range ${this.src.slice(loAt, this.pos)} (${show(lo)} > ${show(hi)})`,
            loAt,
          );
        }
      }
      members.push([lo, hi]);
    }
    let set = normalize(members);
    if (flags.i) set = foldSet(set);
    if (negated) set = complement(set);
    return { type: 'class', ranges: set };
  }

  private isPerlClassEscapeAt(at: number): boolean {
    const ch = this.src[at];
    return ch !== undefined && 'dswDSW'.includes(ch);
  }

  private parseClassChar(): number {
    const start = this.pos;
    const c = this.next();
    if (c !== 0x5c) return c;
    if (this.eof()) throw new RegexSyntaxError('trailing backslash at end of pattern', start);
    return this.parseEscapeChar(start, true);
  }

  /** `[:name:]` or `[:^name:]` at `pos`; undefined (no input consumed) if not a POSIX class. */
  private tryPosixClass(flags: Flags): Range[] | undefined {
    const close = this.src.indexOf(':]', this.pos + 2);
    if (close < 0) return undefined;
    const body = this.src.slice(this.pos + 2, close);
    const negated = body.startsWith('^');
    const name = negated ? body.slice(1) : body;
    const set = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
    if (set === undefined) {
      throw new RegexSyntaxError(`unknown POSIX class [:${body}:]`, this.pos);
    }
    this.pos = close + 2;
    const positive = flags.i ? foldSet(set) : [...set];
    return negated ? complement(positive) : positive;
  }
}

function literal(cp: number, flags: Flags): RegexNode {
  if (flags.i) {
    const orbit = caseOrbit(cp);
    if (orbit.length > 1) return { type: 'class', ranges: normalize(orbit.map((m): Range => [m, m])) };
  }
  return { type: 'literal', cp };
}

function concat(items: RegexNode[]): RegexNode {
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return items[0];
  return { type: 'concat', items };
}
