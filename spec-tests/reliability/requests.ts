/**
 * Generated request targets for differential runs between hosts (battery B6: Node adapter vs
 * edge adapter): a seeded generator combining the path matrix's prefixes with the awkward
 * pieces of security.md §6 (dot segments plain and percent-encoded, escaped slashes and
 * backslashes, repeated slashes, `;` parameters, encoded unreserved characters, case changes,
 * UTF-8, queries). Deterministic for a seed, so a mismatch can be replayed from its index.
 */

/** xorshift32: small, fast, and the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

const PREFIXES = ['/public', '/admin', '/api', '/publicity', '/PUBLIC', '/%61dmin', '/pub%6Cic', '/', '', '/other', '/api..', '/public%2F..', '/public%5C..'];
const SEGMENTS = [
  'x', 'items', 'admin', 'public', 'api', '..', '.', '%2e%2e', '%2E.', '.%2e', '%2e', '', 'a%20b', '%7e', '~', '%41', 'a;b', '..;x=y', '*',
  '%C3%BC', 'caf%C3%A9', '%00', '.%00..', '%2F', '%2f..', '%5C', '%5c..', 'a%2Fb', '%25', '%252e', 'a.b', '...', '-_', 'x%3Bz', '@', ':', 'a+b', "!$&'()",
];
const SEPARATORS = ['/', '/', '/', '/', '//', '\\'];
const QUERIES = ['', '', '', '?q=1', '?a=%2F&b=..', '?x=/../admin', '?', '?%2e%2e'];

/** The next target from `random` (an origin-form request target, raw bytes as written). */
export function generateTarget(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let path = pick(PREFIXES);
  const segments = Math.floor(random() * 5);
  for (let i = 0; i < segments; i++) path += pick(SEPARATORS) + pick(SEGMENTS);
  if (random() < 0.1) path += '/';
  if (!path.startsWith('/')) path = '/' + path;
  return path + pick(QUERIES);
}

/** `count` targets from `seed`. */
export function generateTargets(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => generateTarget(random));
}
