/**
 * Header hygiene on both legs of the proxy: hop-by-hop headers (RFC 9110 §7.6.1) and every
 * header a `Connection` field nominates are removed before the gateway adds its own
 * `X-Forwarded-*`; pseudo-headers of HTTP/2 never travel as fields.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { RecordHeaders, type HeaderMap } from '../src/runtime/filters/index.js';

/** Never forwarded in either direction (undici and node:http2 reject several of them outright). */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
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
const REQUEST_OWN: ReadonlySet<string> = new Set(['host', 'expect']);

function nominated(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const out = new Set<string>();
  for (const list of Array.isArray(connection) ? connection : [connection]) {
    for (const token of list.split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '') out.add(t);
    }
  }
  return out;
}

export interface ForwardedFacts {
  /** The client's address. */
  clientIp: string;
  proto: 'http' | 'https';
  /** The Host / :authority the client sent. */
  authority: string;
}

/**
 * The headers to send upstream: the client's, minus hop-by-hop and nominated ones, minus
 * pseudo-headers, `host` and `expect`, with `X-Forwarded-For` appended and
 * `X-Forwarded-Proto` / `X-Forwarded-Host` set. `TE: trailers` survives (gRPC needs it).
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, facts: ForwardedFacts): Record<string, string | string[]> {
  const drop = nominated(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name.charCodeAt(0) === 0x3a /* ':' */) continue;
    if (HOP_BY_HOP.has(name) || REQUEST_OWN.has(name) || drop?.has(name)) {
      if (name === 'te' && isTrailersOnly(value)) out.te = 'trailers';
      continue;
    }
    out[name] = value;
  }
  const prior = out['x-forwarded-for'];
  out['x-forwarded-for'] = prior === undefined ? facts.clientIp : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${facts.clientIp}`;
  out['x-forwarded-proto'] = facts.proto;
  out['x-forwarded-host'] = facts.authority;
  return out;
}

function isTrailersOnly(value: string | string[]): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'trailers';
}

/** Removes hop-by-hop and nominated fields from an upstream response's headers, in place. */
export function stripResponseHeaders(headers: Record<string, string | string[] | undefined>): void {
  const drop = nominated(headers.connection);
  if (drop) for (const name of drop) delete headers[name];
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name];
}

/** The client address without the IPv4-mapped IPv6 prefix. */
export function clientAddress(remote: string | undefined): string {
  if (remote === undefined) return '';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

/** A header record to hand to undici: the live record of a `RecordHeaders`, else a copy. */
export function headerRecord(map: HeaderMap): Record<string, string | string[]> {
  if (map instanceof RecordHeaders) return map.toRecord();
  const copy = new RecordHeaders();
  map.forEach((value, name) => copy.append(name, value));
  return copy.toRecord();
}
