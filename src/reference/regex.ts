/**
 * Reference regular-expression matcher: the oracle for the Wasm Pike VM.
 *
 * It shares only the parser with the production path (src/compile/regex/
 * parse.ts, which resolves syntax, classes and case folding into an AST) and
 * executes that AST in a completely different way from the VM: by Brzozowski
 * derivatives. The derivative of an expression by a code point is the
 * expression that matches what may follow that code point; the input matches
 * if, after taking the derivative by every input code point in turn, the
 * final expression accepts the empty string. Terms are interned and kept in a
 * normal form (flattened, deduplicated, sorted alternatives) so the number of
 * distinct terms stays finite, and no backtracking ever happens.
 *
 * Zero-width assertions (^ $ \A \z \b \B and their multi-line forms) make
 * "accepts the empty string" depend on the position; `nullable` therefore
 * takes the code points before and after the current position.
 *
 * Semantics are those of compileRegex: full match; input code points decoded
 * from UTF-8 with every invalid byte read as U+FFFD (one byte each).
 */
import { compileRegex } from '../compile/regex/program.js';
import { type AssertKind, type RegexNode, parseRegex } from '../compile/regex/parse.js';

/**
 * True if the whole of `input` matches `pattern`. Unpaired surrogates in
 * `input` read as U+FFFD (as a UTF-8 encoder would write them). Throws an
 * Error with compileRegex's message for patterns compileRegex rejects.
 */
export function referenceRegexMatch(pattern: string, input: string): boolean {
  const codePoints: number[] = [];
  for (const ch of input) {
    const c = ch.codePointAt(0)!;
    codePoints.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return matchCodePoints(pattern, codePoints);
}

/** As referenceRegexMatch, for raw bytes that may be invalid UTF-8. */
export function referenceRegexMatchBytes(pattern: string, input: Uint8Array): boolean {
  return matchCodePoints(pattern, decodeUtf8Lossy(input));
}

/**
 * UTF-8 to code points; any byte that does not start a complete, shortest,
 * non-surrogate sequence up to U+10FFFF becomes one U+FFFD.
 */
export function decodeUtf8Lossy(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    let length = 0;
    if (lead < 0x80) length = 1;
    else if ((lead & 0xe0) === 0xc0) length = 2;
    else if ((lead & 0xf0) === 0xe0) length = 3;
    else if ((lead & 0xf8) === 0xf0) length = 4;
    let cp = -1;
    if (length === 1) cp = lead;
    else if (length > 1 && i + length <= bytes.length) {
      let value = lead & (0x7f >> length);
      let ok = true;
      for (let k = 1; k < length; k++) {
        const b = bytes[i + k];
        if ((b & 0xc0) !== 0x80) ok = false;
        value = (value << 6) | (b & 0x3f);
      }
      const shortest = [0, 0, 0x80, 0x800, 0x10000][length];
      if (ok && value >= shortest && value <= 0x10ffff && !(value >= 0xd800 && value <= 0xdfff)) cp = value;
    }
    if (cp < 0) {
      out.push(0xfffd);
      i += 1;
    } else {
      out.push(cp);
      i += length;
    }
  }
  return out;
}

// ---- terms -----------------------------------------------------------------

type Term =
  | { readonly id: number; readonly k: 'none' }
  | { readonly id: number; readonly k: 'eps' }
  | { readonly id: number; readonly k: 'set'; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly id: number; readonly k: 'assert'; readonly kind: AssertKind }
  | { readonly id: number; readonly k: 'seq'; readonly head: Term; readonly tail: Term }
  | { readonly id: number; readonly k: 'alt'; readonly items: readonly Term[] }
  /** body{min,max}; max = Infinity when unbounded. */
  | { readonly id: number; readonly k: 'rep'; readonly body: Term; readonly min: number; readonly max: number };

type TermShape = Term extends infer T ? (T extends Term ? Omit<T, 'id'> : never) : never;

/** Code points around the current position; -1 at either end of the input. */
interface Context {
  readonly before: number;
  readonly after: number;
}

class Terms {
  private readonly interned = new Map<string, Term>();
  readonly none: Term;
  readonly eps: Term;

  constructor() {
    this.none = this.intern('none', { k: 'none' });
    this.eps = this.intern('eps', { k: 'eps' });
  }

  private intern(key: string, shape: TermShape): Term {
    let t = this.interned.get(key);
    if (t === undefined) {
      t = { ...shape, id: this.interned.size } as Term;
      this.interned.set(key, t);
    }
    return t;
  }

  set(ranges: readonly (readonly [number, number])[]): Term {
    if (ranges.length === 0) return this.none;
    return this.intern(`set:${ranges.map(([lo, hi]) => `${lo}-${hi}`).join(',')}`, { k: 'set', ranges });
  }

  assert(kind: AssertKind): Term {
    return this.intern(`assert:${kind}`, { k: 'assert', kind });
  }

  seq(head: Term, tail: Term): Term {
    if (head.k === 'none' || tail.k === 'none') return this.none;
    if (head.k === 'eps') return tail;
    if (tail.k === 'eps') return head;
    if (head.k === 'seq') return this.seq(head.head, this.seq(head.tail, tail));
    return this.intern(`seq:${head.id},${tail.id}`, { k: 'seq', head, tail });
  }

  alt(items: readonly Term[]): Term {
    const byId = new Map<number, Term>();
    const add = (t: Term): void => {
      if (t.k === 'alt') t.items.forEach(add);
      else if (t.k !== 'none') byId.set(t.id, t);
    };
    items.forEach(add);
    const flat = [...byId.values()].sort((x, y) => x.id - y.id);
    if (flat.length === 0) return this.none;
    if (flat.length === 1) return flat[0];
    return this.intern(`alt:${flat.map((t) => t.id).join(',')}`, { k: 'alt', items: flat });
  }

  rep(body: Term, min: number, max: number): Term {
    if (max === 0) return this.eps;
    if (body.k === 'eps') return this.eps;
    if (body.k === 'none') return min === 0 ? this.eps : this.none;
    if (min === 1 && max === 1) return body;
    return this.intern(`rep:${body.id},${min},${max}`, { k: 'rep', body, min, max });
  }

  fromAst(node: RegexNode): Term {
    switch (node.type) {
      case 'empty':
        return this.eps;
      case 'literal':
        return this.set([[node.cp, node.cp]]);
      case 'class':
        return this.set(node.ranges);
      case 'assert':
        return this.assert(node.kind);
      case 'concat':
        return node.items.reduceRight<Term>((tail, item) => this.seq(this.fromAst(item), tail), this.eps);
      case 'alternate':
        return this.alt(node.items.map((item) => this.fromAst(item)));
      case 'repeat':
        return this.rep(this.fromAst(node.item), node.min, node.max === -1 ? Infinity : node.max);
    }
  }
}

const isWordChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

function assertionHolds(kind: AssertKind, ctx: Context): boolean {
  switch (kind) {
    case 'beginText':
      return ctx.before === -1;
    case 'endText':
      return ctx.after === -1;
    case 'beginLine':
      return ctx.before === -1 || ctx.before === 0x0a;
    case 'endLine':
      return ctx.after === -1 || ctx.after === 0x0a;
    case 'wordBoundary':
      return isWordChar(ctx.before) !== isWordChar(ctx.after);
    case 'notWordBoundary':
      return isWordChar(ctx.before) === isWordChar(ctx.after);
  }
}

/** Does `t` match the empty string at a position with context `ctx`? */
function nullable(t: Term, ctx: Context): boolean {
  switch (t.k) {
    case 'none':
    case 'set':
      return false;
    case 'eps':
      return true;
    case 'assert':
      return assertionHolds(t.kind, ctx);
    case 'seq':
      return nullable(t.head, ctx) && nullable(t.tail, ctx);
    case 'alt':
      return t.items.some((item) => nullable(item, ctx));
    case 'rep':
      return t.min === 0 || nullable(t.body, ctx);
  }
}

function inSet(ranges: readonly (readonly [number, number])[], c: number): boolean {
  return ranges.some(([lo, hi]) => lo <= c && c <= hi);
}

/** Derivative of every term by one code point at one position (memoized per position). */
class Deriver {
  private readonly memo = new Map<number, Term>();

  constructor(
    private readonly terms: Terms,
    private readonly c: number,
    private readonly ctx: Context,
  ) {}

  of(t: Term): Term {
    let d = this.memo.get(t.id);
    if (d === undefined) {
      d = this.compute(t);
      this.memo.set(t.id, d);
    }
    return d;
  }

  private compute(t: Term): Term {
    const { terms, ctx } = this;
    switch (t.k) {
      case 'none':
      case 'eps':
      case 'assert':
        return terms.none;
      case 'set':
        return inSet(t.ranges, this.c) ? terms.eps : terms.none;
      case 'seq': {
        // d(AB) = d(A)B | d(B) if A accepts empty here.
        const first = terms.seq(this.of(t.head), t.tail);
        return nullable(t.head, ctx) ? terms.alt([first, this.of(t.tail)]) : first;
      }
      case 'alt':
        return terms.alt(t.items.map((item) => this.of(item)));
      case 'rep': {
        // r{0,inf} = r*: d(r*) = d(r) r*.
        if (t.min === 0 && t.max === Infinity) return terms.seq(this.of(t.body), t);
        // r{n,m} = r r{n-1,m-1} (n > 0) or empty | r r{0,m-1} (n = 0), so
        // d(r{n,m}) = d(r) r{n',m-1} | d(r{n',m-1}) if r accepts empty here,
        // with n' = max(n-1, 0).
        const rest = terms.rep(t.body, Math.max(t.min - 1, 0), t.max - 1);
        const first = terms.seq(this.of(t.body), rest);
        return nullable(t.body, ctx) ? terms.alt([first, this.of(rest)]) : first;
      }
    }
  }
}

function matchCodePoints(pattern: string, input: readonly number[]): boolean {
  const compiled = compileRegex(pattern);
  if (!compiled.ok) throw new Error(compiled.error);
  const terms = new Terms();
  let t = terms.fromAst(parseRegex(pattern));
  for (let i = 0; i < input.length; i++) {
    if (t.k === 'none') return false;
    const ctx: Context = { before: i === 0 ? -1 : input[i - 1], after: input[i] };
    t = new Deriver(terms, input[i], ctx).of(t);
  }
  return nullable(t, { before: input.length === 0 ? -1 : input[input.length - 1], after: -1 });
}
