/**
 * The request-target canonicalizer every host runs before matching (security rules 1-2,
 * decisions 1-2): the path it returns is both the path the router matches and the path that
 * goes upstream, so what was matched is what the backend receives.
 *
 * Never `new URL()`: the WHATWG parser treats `//host/x` as an authority, resolves `%2e%2e`
 * and turns `\` into `/` before anyone can decide about it. This module works on the raw
 * target as a string (Node's `req.url`; at the edge, the path and query of `request.url`).
 *
 * What it does, in order:
 *
 * 1. Rejects (400) a target holding a raw control byte (0x00-0x1F, 0x7F) anywhere.
 * 2. Drops a fragment (`#...`): it is never matched nor forwarded.
 * 3. Rejects (400) anything but origin-form (`/...`): absolute-form and asterisk-form targets.
 * 4. Splits path and query at the first `?`.
 * 5. Path, per character (RFC 3986 section 6.2.2 normalization):
 *    - `%XY` must be two hex digits (else 400); the byte it encodes must not be a control byte
 *      (else 400); unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded (`/%61dmin` is
 *      `/admin`, `%2e%2e` is `..`); other escapes stay, with upper-case hex;
 *    - `%2F` and `%5C` (escaped slashes) stay escaped: they are data, not separators, while
 *      dot segments are removed (step 6);
 *    - a raw `\` is a `/` (the Envoy vector `/a/..\c` -> `/c`, and what the WHATWG parser
 *      does, so a Workers request, which reaches the worker already parsed, agrees);
 *    - characters RFC 3986 does not allow in a path (space, `"`, `<`, `>`, `[`, `]`, `^`, `` ` ``,
 *      `{`, `|`, `}`, and non-ASCII) are percent-encoded (as UTF-8; Node's parser refuses raw
 *      non-ASCII bytes, so such characters come only from callers passing decoded strings).
 * 6. Dot segments are removed (RFC 3986 section 5.2.4), after the decoding above, so
 *    `%2e%2e` segments count; then repeated slashes are merged (a trailing `/` stays).
 *    `;` has no special meaning: `..;x=y` is an ordinary segment. This is the WHATWG URL
 *    parser's reading of the path too, so the edge, which receives targets already parsed that
 *    way, reaches the same path (`/x/%2F/../y` is `/x/y` on both hosts).
 *    If escaped slashes are left after that, the result is `escaped-slash` (decision 1): the
 *    host answers a redirect to the path with them unescaped and normalized again (HTTPRoute),
 *    or 400 (gRPC).
 * 7. The query is kept as sent, except that the characters the WHATWG URL standard encodes in
 *    the query of an http(s) URL (space, `"`, `'`, `<`, `>`) and `\`, `^`, `` ` ``, `{`, `|`, `}`,
 *    non-ASCII are percent-encoded, so both hosts forward the same bytes.
 *
 * A target that needs none of this (the common case) is returned as it is after one scan.
 */
import type { ImmediateResponse } from './filters/types.js';

export type CanonicalTarget =
  /** `target` = `path` + (`?` + `query` when the query is not null). */
  | { kind: 'ok'; target: string; path: string; query: string | null }
  /**
   * The path held `%2F` or `%5C`. `location` is the target with them unescaped, normalized
   * again (path and query): where an HTTPRoute request is redirected.
   */
  | { kind: 'escaped-slash'; location: string }
  /** Not a target the gateway accepts: answer 400. */
  | { kind: 'invalid'; reason: string };

export interface CanonicalizeOptions {
  /**
   * `redirect` (default): escaped slashes give an `escaped-slash` result. `keep`: they stay
   * escaped in the path (for paths the configuration wrote, e.g. after URLRewrite).
   */
  escapedSlashes?: 'redirect' | 'keep';
}

/** Status of the redirect to the unescaped path: method and body are kept. */
export const ESCAPED_SLASH_REDIRECT_STATUS = 307;

// Character classes of the ASCII range.
const PLAIN = 1; // allowed in a path as it is: unreserved, sub-delims, ':', '@' ('/', '%', '\' are handled apart)
const UNRESERVED = 2;
const QUERY_OK = 4; // allowed in a query as it is (pchar, '/', '?', '%'), minus what WHATWG encodes there

const CLASS = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = PLAIN | UNRESERVED;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = PLAIN | UNRESERVED;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = PLAIN | UNRESERVED;
for (const ch of '-._~') CLASS[ch.charCodeAt(0)] = PLAIN | UNRESERVED;
for (const ch of "!$&'()*+,;=:@") CLASS[ch.charCodeAt(0)] |= PLAIN;
for (let c = 0x21; c < 0x7f; c++) if (CLASS[c] & PLAIN) CLASS[c] |= QUERY_OK;
for (const ch of '/?%') CLASS[ch.charCodeAt(0)] |= QUERY_OK;
CLASS[0x27] &= ~QUERY_OK; // "'": WHATWG encodes it in special-scheme queries

const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function pct(byte: number): string {
  return '%' + HEX[byte >> 4] + HEX[byte & 15];
}

/** Percent-encoding of the character at `i` (a code unit above 0x7F): its UTF-8 bytes. */
function encodeNonAscii(s: string, i: number): { text: string; width: number } {
  const cp = s.codePointAt(i)!;
  const width = cp > 0xffff ? 2 : 1;
  let text = '';
  for (const b of encoder.encode(String.fromCodePoint(cp))) text += pct(b);
  return { text, width };
}

/** Whether the path `s[0, n)` needs any work: a `%`, `\`, a character to encode, `//`, or a `.`/`..` segment. */
function pathIsCanonical(path: string, n = path.length): boolean {
  let segmentStart = 1;
  for (let i = 1; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segmentStart;
      if (len === 0 && i < n) return false; // '//'
      if (len === 1 && path.charCodeAt(segmentStart) === 0x2e) return false; // '.'
      if (len === 2 && path.charCodeAt(segmentStart) === 0x2e && path.charCodeAt(segmentStart + 1) === 0x2e) return false; // '..'
      segmentStart = i + 1;
      continue;
    }
    if (c >= 0x80 || !(CLASS[c] & PLAIN)) return false;
  }
  return true;
}

/** Whether the query `s[from, end)` is kept as it is. */
function queryIsCanonical(query: string, from = 0): boolean {
  for (let i = from; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c >= 0x80 || !(CLASS[c] & QUERY_OK)) return false;
  }
  return true;
}

function canonicalQuery(query: string): string {
  if (queryIsCanonical(query)) return query;
  let out = '';
  for (let i = 0; i < query.length; ) {
    const c = query.charCodeAt(i);
    if (c < 0x80) {
      out += CLASS[c] & QUERY_OK ? query[i] : pct(c);
      i++;
    } else {
      const e = encodeNonAscii(query, i);
      out += e.text;
      i += e.width;
    }
  }
  return out;
}

/**
 * RFC 3986 section 5.2.4 on an absolute path, then repeated slashes merged (a trailing slash
 * kept). Dot segments go first, as in the WHATWG parser, so `/a//../b` is `/a/b` on both hosts.
 */
export function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  let trailing = false;
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i];
    const last = i === segments.length - 1;
    if (s === '.') {
      trailing = last;
    } else if (s === '..') {
      out.pop();
      trailing = last;
    } else {
      out.push(s);
      trailing = last && s === '';
    }
  }
  const kept = out.filter((s) => s !== '');
  if (kept.length === 0) return '/';
  return '/' + kept.join('/') + (trailing ? '/' : '');
}

// Every '%' of a path built by `canonicalPath` starts an escape with upper-case hex, so these find exactly the escaped slashes.
const ESCAPED_SLASH = /%2F|%5C/;
const ESCAPED_SLASH_ALL = /%2F|%5C/g;

type PathResult = { kind: 'ok'; path: string; escapedSlash: boolean } | { kind: 'invalid'; reason: string };

/** Step 5 and 6 of the module comment on a path that starts with `/`. */
function canonicalPath(path: string, keepEscapedSlashes: boolean): PathResult {
  if (pathIsCanonical(path)) return { kind: 'ok', path, escapedSlash: false };
  let out = '';
  let escapedSlash = false;
  const n = path.length;
  for (let i = 0; i < n; ) {
    const c = path.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hi = i + 2 < n ? hexValue(path.charCodeAt(i + 1)) : -1;
      const lo = hi < 0 ? -1 : hexValue(path.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return { kind: 'invalid', reason: 'malformed percent-encoding in the path' };
      const byte = (hi << 4) | lo;
      if (byte < 0x20 || byte === 0x7f) return { kind: 'invalid', reason: 'an encoded control character in the path' };
      if (byte === 0x2f || byte === 0x5c) {
        // Data, not a separator, while dot segments are removed (RFC 3986 section 6.2.2).
        escapedSlash = true;
        out += pct(byte);
      } else if (byte < 0x80 && CLASS[byte] & UNRESERVED) {
        out += String.fromCharCode(byte);
      } else {
        out += pct(byte);
      }
      i += 3;
    } else if (c === 0x5c /* \ */ || c === 0x2f) {
      out += '/';
      i++;
    } else if (c < 0x80) {
      out += CLASS[c] & PLAIN ? path[i] : pct(c);
      i++;
    } else {
      const e = encodeNonAscii(path, i);
      out += e.text;
      i += e.width;
    }
  }
  const normalized = removeDotSegments(out);
  if (keepEscapedSlashes || !escapedSlash || !ESCAPED_SLASH.test(normalized)) return { kind: 'ok', path: normalized, escapedSlash: false };
  // Escaped slashes left in the normalized path: the redirect location has them unescaped, normalized again.
  return { kind: 'ok', path: removeDotSegments(normalized.replace(ESCAPED_SLASH_ALL, '/')), escapedSlash: true };
}

/** The canonical form of a request target (see the module comment). */
export function canonicalizeTarget(target: string, options: CanonicalizeOptions = {}): CanonicalTarget {
  let end = target.length;
  for (let i = 0; i < end; i++) {
    const c = target.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return { kind: 'invalid', reason: 'a control character in the request target' };
    if (c === 0x23 /* # */) end = i;
  }
  if (end === 0 || target.charCodeAt(0) !== 0x2f) return { kind: 'invalid', reason: 'the request target is not an absolute path' };
  const raw = end === target.length ? target : target.slice(0, end);
  const q = raw.indexOf('?');
  // The usual target needs no work: checked in place, returned as it is.
  if (pathIsCanonical(raw, q < 0 ? raw.length : q) && (q < 0 || queryIsCanonical(raw, q + 1))) {
    return { kind: 'ok', target: raw, path: q < 0 ? raw : raw.slice(0, q), query: q < 0 ? null : raw.slice(q + 1) };
  }
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? null : raw.slice(q + 1);
  const p = canonicalPath(rawPath, options.escapedSlashes === 'keep');
  if (p.kind === 'invalid') return p;
  const query = rawQuery === null ? null : canonicalQuery(rawQuery);
  const joined = query === null ? p.path : `${p.path}?${query}`;
  if (p.escapedSlash) return { kind: 'escaped-slash', location: joined };
  return { kind: 'ok', target: joined === raw ? raw : joined, path: p.path, query };
}

/**
 * The answer for a target that is not `ok`: 400 for an invalid one; for escaped slashes a 307
 * redirect to the unescaped path, or 400 for a gRPC request (GRPCRoute rejects, decision 1).
 */
export function canonicalAnswer(result: Exclude<CanonicalTarget, { kind: 'ok' }>, grpc: boolean): ImmediateResponse {
  if (result.kind === 'escaped-slash' && !grpc) return { status: ESCAPED_SLASH_REDIRECT_STATUS, headers: [['location', result.location]] };
  return { status: 400, headers: [] };
}

/**
 * A target a filter wrote (URLRewrite): normalized like a client's, with escaped slashes the
 * configuration chose kept as they are. Returned unchanged when it cannot be normalized (it
 * then came from the configuration alone, which validation admitted).
 */
export function canonicalRewrittenTarget(target: string): string {
  const result = canonicalizeTarget(target, { escapedSlashes: 'keep' });
  return result.kind === 'ok' ? result.target : target;
}
