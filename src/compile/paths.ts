/**
 * Path semantics shared by the compiler and the reference matcher.
 *
 * PathPrefix matches whole segments: the prefix is normalised by dropping trailing `/`
 * (`/v2/` and `/v2` are the same prefix; `/` becomes the empty prefix), and it matches a
 * path that starts with it where the next byte is `/` or the end. Its precedence length is the
 * normalised length. The path is the request target up to the first `?`, compared as raw bytes
 * (no percent-decoding, no dot-segment removal: a host that wants those normalises first).
 */
export function normalizePrefix(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2f) end--;
  return value.slice(0, end);
}

/** Whether the normalised prefix matches the path (both as UTF-16 strings of the same bytes). */
export function prefixMatches(normalizedPrefix: string, path: string): boolean {
  if (!path.startsWith(normalizedPrefix)) return false;
  return path.length === normalizedPrefix.length || path.charCodeAt(normalizedPrefix.length) === 0x2f;
}

/** Splits a request target into path and query (the part after the first `?`, or null). */
export function splitTarget(target: string): { path: string; query: string | null } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: null } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/**
 * The value of the first query parameter named exactly `name` (case-sensitive, raw bytes, no
 * decoding); `name` without `=` has the value ''. Null when absent.
 */
export function queryParam(query: string | null, name: string): string | null {
  if (query === null) return null;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const eq = query.indexOf('=', start);
    const nameEnd = eq >= 0 && eq < end ? eq : end;
    if (nameEnd - start === name.length && query.startsWith(name, start)) {
      return nameEnd === end ? '' : query.slice(nameEnd + 1, end);
    }
    start = end + 1;
  }
  return null;
}

/**
 * A gRPC request path `/<service>/<method>` with both parts non-empty and no further `/`;
 * null otherwise.
 */
export function grpcPath(path: string): { service: string; method: string } | null {
  if (path.charCodeAt(0) !== 0x2f) return null;
  const slash = path.indexOf('/', 1);
  if (slash <= 1 || slash === path.length - 1 || path.indexOf('/', slash + 1) >= 0) return null;
  return { service: path.slice(1, slash), method: path.slice(slash + 1) };
}
