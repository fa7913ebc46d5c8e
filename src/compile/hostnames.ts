/**
 * Hostnames: request-host normalisation, listener specificity, and the per-listener hostname
 * index (exact names, wildcard suffixes, and the routes that accept any host).
 *
 * Listener choice (isolation): among the listeners on the request's port, an exact hostname
 * equal to the host wins, then the matching wildcard with the longest suffix, then a listener
 * without hostname; the first such listener in table order wins a tie.
 * Route hostnames inside the chosen listener: routes whose effective hostnames contain the host
 * exactly come first, then routes by their longest matching wildcard suffix, then routes that
 * accept any host. A request falls through to the next, less specific group when no match of a
 * more specific one accepts it (hostname specificity is the first precedence key, not a filter).
 * `*.example.com` matches `a.example.com` and `a.b.example.com`, never `example.com`.
 */

/** Lower-cases, drops a `:port` (also after a bracketed IPv6 literal) and one trailing dot. */
export function normalizeHost(host: string): string {
  let end = host.length;
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    if (close >= 0) end = close + 1;
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) end = colon;
  }
  if (end > 0 && host.charCodeAt(end - 1) === 0x2e /* . */) end--;
  const h = end === host.length ? host : host.slice(0, end);
  return h.toLowerCase();
}

/** `*.example.com` -> `.example.com`; null for an exact name. */
export function wildcardSuffix(hostname: string): string | null {
  return hostname.startsWith('*.') ? hostname.slice(1) : null;
}

/**
 * Whether a wildcard suffix (`.example.com`) matches a normalised host: the host ends with it
 * and has at least one byte before it (the core tries each `.` at a position > 0).
 */
export function suffixMatches(suffix: string, host: string): boolean {
  return host.length > suffix.length && host.endsWith(suffix);
}

/**
 * Listener specificity for a host: exact 2^20 + length, wildcard 2^19 + suffix length, no
 * hostname 1; 0 = the listener does not accept the host.
 */
export function listenerScore(hostname: string | undefined, host: string): number {
  if (!hostname) return 1;
  const h = hostname.toLowerCase();
  const suffix = wildcardSuffix(h);
  if (suffix === null) return h === host ? (1 << 20) + h.length : 0;
  return suffixMatches(suffix, host) ? (1 << 19) + suffix.length : 0;
}
