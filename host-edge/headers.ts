/**
 * Header hygiene at the edge, with the Node gateway's rules (host-node/headers.ts, security
 * rule 4) on WHATWG Headers: hop-by-hop headers (RFC 9110 §7.6.1) and every header a
 * `Connection` field nominates are removed before the gateway adds `X-Forwarded-*` and
 * `X-Request-Id`; gateway-internal `x-switchyard-*` headers never come from a client.
 *
 * The client of a worker is the address the platform reports (`cf-connecting-ip`); no peer in
 * front of a worker is a trusted proxy, so `X-Forwarded-For` is that address alone and the
 * request id is always the gateway's, as on Node without trusted proxies.
 *
 * Workers-safe (no Node built-ins): host-node/headers.ts carries Node-only trust logic.
 */
import { RecordHeaders } from '../src/runtime/filters/index.js';

/** Never forwarded in either direction. */
const HOP_BY_HOP: readonly string[] = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'];
/** Request fields the gateway sets itself, or that are the platform's about this hop. */
const REQUEST_OWN: ReadonlySet<string> = new Set(['host', 'expect', 'cf-connecting-ip']);
const INTERNAL_HEADER_PREFIX = 'x-switchyard-';

function nominated(connection: string | null): Set<string> {
  const out = new Set<string>();
  for (const token of (connection ?? '').split(',')) {
    const t = token.trim().toLowerCase();
    if (t !== '') out.add(t);
  }
  return out;
}

export interface EdgeForwardedFacts {
  clientIp: string;
  proto: 'http' | 'https';
  authority: string;
}

/** The request headers to send upstream, as the map the filters work on. */
export function upstreamRequestHeaders(headers: Headers, facts: EdgeForwardedFacts): RecordHeaders {
  const drop = nominated(headers.get('connection'));
  const out = new RecordHeaders();
  headers.forEach((value, name) => {
    if (HOP_BY_HOP.includes(name) || REQUEST_OWN.has(name) || drop.has(name) || name.startsWith(INTERNAL_HEADER_PREFIX)) {
      if (name === 'te' && value.trim().toLowerCase() === 'trailers') out.set('te', 'trailers');
      return;
    }
    out.append(name, value);
  });
  out.set('x-forwarded-for', facts.clientIp);
  out.set('x-request-id', crypto.randomUUID());
  out.set('x-forwarded-proto', facts.proto);
  out.set('x-forwarded-host', facts.authority);
  return out;
}

/** An upstream response's headers without hop-by-hop and nominated fields. */
export function downstreamResponseHeaders(headers: Headers): RecordHeaders {
  const drop = nominated(headers.get('connection'));
  const out = new RecordHeaders();
  headers.forEach((value, name) => {
    if (name === 'set-cookie' || HOP_BY_HOP.includes(name) || drop.has(name)) return;
    out.append(name, value);
  });
  for (const cookie of (headers as Headers & { getSetCookie?: () => string[] }).getSetCookie?.() ?? []) out.append('set-cookie', cookie);
  return out;
}
