import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8Lossy, referenceRegexMatch, referenceRegexMatchBytes } from './regex.js';

describe('referenceRegexMatch', () => {
  it('throws compileRegex errors for rejected patterns', () => {
    expect(() => referenceRegexMatch('(a', 'a')).toThrow('missing ) for group opened at offset 0');
    expect(() => referenceRegexMatch('(?=a)', 'a')).toThrow('lookahead assertion (?= is not supported at offset 0');
    expect(() => referenceRegexMatch('(a{1000}){5}', 'a')).toThrow(/^pattern too large/);
  });

  it('runs without backtracking on inputs that defeat backtracking matchers', () => {
    const t0 = performance.now();
    expect(referenceRegexMatch('(a|aa)*b', 'a'.repeat(3000))).toBe(false);
    expect(referenceRegexMatch('^(a+)+$', 'a'.repeat(3000) + '!')).toBe(false);
    expect(referenceRegexMatch('(x+x+)+y', 'x'.repeat(3000))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('decodeUtf8Lossy', () => {
  const encoder = new TextEncoder();

  it('decodes what TextEncoder writes (unpaired surrogates become U+FFFD)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const expected = [...s].map((ch) => {
          const c = ch.codePointAt(0)!;
          return c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
        });
        expect(decodeUtf8Lossy(encoder.encode(s))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with a strict decoder on valid bytes and never consumes more than it decodes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const decoded = decodeUtf8Lossy(bytes);
        let text: string | undefined;
        try {
          text = strict.decode(bytes);
        } catch {
          text = undefined;
        }
        if (text !== undefined) expect(decoded).toEqual([...text].map((ch) => ch.codePointAt(0)));
        // Re-encoding the decoded code points never yields more bytes than were read
        // for valid sequences; each U+FFFD stands for exactly one input byte.
        const replacements = decoded.filter((c) => c === 0xfffd).length;
        const valid = decoded.filter((c) => c !== 0xfffd);
        const validBytes = encoder.encode(String.fromCodePoint(...valid)).length;
        const literalFffd = bytes.length - validBytes - replacements;
        expect(literalFffd % 3).toBe(0); // genuine U+FFFD in the input takes 3 bytes
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [[0xe2, 0x82], [0xfffd, 0xfffd]],
    [[0xe2, 0x82, 0xac], [0x20ac]],
    [[0xc0, 0xaf], [0xfffd, 0xfffd]],
    [[0xed, 0xa0, 0x80], [0xfffd, 0xfffd, 0xfffd]],
    [[0xf4, 0x90, 0x80, 0x80], [0xfffd, 0xfffd, 0xfffd, 0xfffd]],
    [[0xf0, 0x9f, 0x98, 0x80, 0x41], [0x1f600, 0x41]],
    [[0xff, 0x41, 0x80], [0xfffd, 0x41, 0xfffd]],
  ])('decodes %j as %j', (bytes, codePoints) => {
    expect(decodeUtf8Lossy(Uint8Array.from(bytes))).toEqual(codePoints);
  });

  it('is what referenceRegexMatchBytes matches against', () => {
    expect(referenceRegexMatchBytes('..', Uint8Array.from([0xe2, 0x82]))).toBe(true);
    expect(referenceRegexMatchBytes('€', Uint8Array.from([0xe2, 0x82, 0xac]))).toBe(true);
  });
});
