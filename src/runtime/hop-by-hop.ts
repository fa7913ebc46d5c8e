/**
 * Header hygiene rules shared by every host (security rule 4): hop-by-hop headers (RFC 9110
 * §7.6.1) and every header a `Connection` field nominates never cross the proxy in either
 * direction; gateway-internal headers (`x-switchyard-*`) never come from a client; `TE:
 * trailers` alone survives on requests because gRPC needs it. Each host applies these rules to
 * its own header representation (Node's header records, WHATWG Headers at the edge).
 * No platform APIs: this module runs on Node and in Workers.
 */

/** Never forwarded in either direction (undici and node:http2 reject several of them outright). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Request fields the proxy handles itself (`host` is re-set from the authority; `expect` is answered here). */
export const REQUEST_OWN: ReadonlySet<string> = new Set(['host', 'expect']);

/** HOP_BY_HOP and REQUEST_OWN in one set: one probe per request header. */
const REQUEST_DROPPED: ReadonlySet<string> = new Set([...HOP_BY_HOP, ...REQUEST_OWN]);

/** Prefix of the headers the gateway itself owns: removed from every client request. */
export const INTERNAL_HEADER_PREFIX = 'x-switchyard-';

const NONE: ReadonlySet<string> = new Set();
/** The usual `Connection` values, parsed once (shared, never modified). */
const COMMON: ReadonlyMap<string, ReadonlySet<string>> = new Map(['keep-alive', 'close'].map((v) => [v, new Set([v])]));

/** The lower-cased header names a `Connection` field nominates (one or several field lines). */
export function nominatedHeaders(connection: string | readonly string[] | null | undefined): ReadonlySet<string> {
  if (connection === null || connection === undefined) return NONE;
  if (typeof connection === 'string') {
    const common = COMMON.get(connection);
    if (common !== undefined) return common;
  }
  const out = new Set<string>();
  for (const list of typeof connection === 'string' ? [connection] : connection) {
    for (const token of list.split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '') out.add(t);
    }
  }
  return out;
}

/** Whether a client request header (lower-case name) is dropped before the request goes upstream. */
export function dropsRequestHeader(name: string, nominated: ReadonlySet<string>): boolean {
  return REQUEST_DROPPED.has(name) || (nominated.size > 0 && nominated.has(name)) || (name.charCodeAt(0) === 0x78 /* 'x' */ && name.startsWith(INTERNAL_HEADER_PREFIX));
}

/** Whether a dropped `TE` value is exactly `trailers`, the one form that is forwarded. */
export function isTrailersOnly(value: string | readonly string[]): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'trailers';
}
