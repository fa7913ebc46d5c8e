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
 * The rules themselves are src/runtime/hop-by-hop.ts, shared with the Node gateway; this file
 * applies them to WHATWG Headers without Node built-ins.
 */
import { RecordHeaders } from '../src/runtime/filters/index.js';
import { dropsRequestHeader, HOP_BY_HOP, isTrailersOnly, nominatedHeaders } from '../src/runtime/hop-by-hop.js';

/** The platform's own field about this hop: not the client's to forward. */
const PLATFORM_OWN = 'cf-connecting-ip';

export interface EdgeForwardedFacts {
  clientIp: string;
  proto: 'http' | 'https';
  authority: string;
}

/** The request headers to send upstream, as the map the filters work on. */
export function upstreamRequestHeaders(headers: Headers, facts: EdgeForwardedFacts): RecordHeaders {
  const drop = nominatedHeaders(headers.get('connection'));
  const out = new RecordHeaders();
  headers.forEach((value, name) => {
    if (name === PLATFORM_OWN || dropsRequestHeader(name, drop)) {
      if (name === 'te' && isTrailersOnly(value)) out.set('te', 'trailers');
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
  const drop = nominatedHeaders(headers.get('connection'));
  const out = new RecordHeaders();
  headers.forEach((value, name) => {
    if (name === 'set-cookie' || HOP_BY_HOP.has(name) || drop.has(name)) return;
    out.append(name, value);
  });
  for (const cookie of (headers as Headers & { getSetCookie?: () => string[] }).getSetCookie?.() ?? []) out.append('set-cookie', cookie);
  return out;
}
