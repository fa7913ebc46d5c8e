/**
 * Header hygiene on both legs of the proxy (security rule 4): hop-by-hop headers (RFC 9110
 * §7.6.1) and every header a `Connection` field nominates are removed before the gateway adds
 * its own `X-Forwarded-*` and `X-Request-Id`; gateway-internal headers (`x-switchyard-*`) never
 * come from a client; pseudo-headers of HTTP/2 never travel as fields.
 *
 * `X-Forwarded-For` and `X-Request-Id` are the client's only when the peer is a trusted proxy
 * (`ForwardingTrust`, default: none); otherwise `X-Forwarded-For` is the peer alone and the
 * request id is the gateway's.
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { RecordHeaders, type HeaderMap } from '../src/runtime/filters/index.js';
import { dropsRequestHeader, HOP_BY_HOP, isTrailersOnly, nominatedHeaders } from '../src/runtime/hop-by-hop.js';

/**
 * The peers whose `X-Forwarded-For` and `X-Request-Id` are kept: addresses and CIDR ranges
 * (IPv4 and IPv6), e.g. the load balancer in front of the gateway. Empty by default.
 */
export class ForwardingTrust {
  private readonly list = new BlockList();
  private readonly any: boolean;

  constructor(readonly trustedProxies: readonly string[] = []) {
    for (const entry of trustedProxies) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address);
      if (family === 0) throw new Error(`trusted proxy ${JSON.stringify(entry)} is not an IP address or CIDR range`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) {
        this.list.addAddress(address, type);
        continue;
      }
      const prefix = Number(bits);
      if (!/^[0-9]{1,3}$/.test(bits) || prefix > (family === 6 ? 128 : 32)) throw new Error(`trusted proxy ${JSON.stringify(entry)} has an invalid prefix length`);
      this.list.addSubnet(address, prefix, type);
    }
    this.any = trustedProxies.length > 0;
  }

  /** Whether `address` (a peer address, IPv4-mapped prefix already removed) is a trusted proxy. */
  trusts(address: string): boolean {
    if (!this.any) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

export const NO_TRUSTED_PROXIES = new ForwardingTrust();

export interface ForwardedFacts {
  /** The client's address. */
  clientIp: string;
  proto: 'http' | 'https';
  /** The Host / :authority the client sent. */
  authority: string;
  /** The peer is a trusted proxy: its `X-Forwarded-For` and `X-Request-Id` are kept. */
  trustForwarded?: boolean;
}

/**
 * The headers to send upstream: the client's, minus hop-by-hop and nominated ones, minus
 * pseudo-headers, `host`, `expect` and `x-switchyard-*`, with `X-Forwarded-Proto` /
 * `X-Forwarded-Host` set, `X-Forwarded-For` set to the peer (appended to the client's for a
 * trusted proxy) and an `X-Request-Id` (a trusted proxy's is kept). `TE: trailers` survives
 * (gRPC needs it).
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, facts: ForwardedFacts): Record<string, string | string[]> {
  const drop = nominatedHeaders(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name.charCodeAt(0) === 0x3a /* ':' */) continue;
    if (dropsRequestHeader(name, drop)) {
      if (name === 'te' && isTrailersOnly(value)) out.te = 'trailers';
      continue;
    }
    out[name] = value;
  }
  const prior = facts.trustForwarded ? out['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] = prior === undefined ? facts.clientIp : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${facts.clientIp}`;
  const id = facts.trustForwarded ? out['x-request-id'] : undefined;
  out['x-request-id'] = typeof id === 'string' && id !== '' ? id : requestId();
  out['x-forwarded-proto'] = facts.proto;
  out['x-forwarded-host'] = facts.authority;
  return out;
}

const HEX_DIGITS = new Uint8Array(512);
for (let i = 0; i < 256; i++) HEX_DIGITS.set([i >> 4, i & 15].map((d) => '0123456789abcdef'.charCodeAt(d)), 2 * i);
const ID_BATCH = 128;
const idRandom = Buffer.alloc(16 * ID_BATCH);
let idNext = ID_BATCH;
const idText = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

/**
 * A random (version 4) UUID, as `crypto.randomUUID` gives, written into one flat string: random
 * bytes are drawn 128 ids at a time and the text is built in a byte buffer instead of by
 * concatenating 20 pieces.
 */
export function requestId(): string {
  if (idNext === ID_BATCH) {
    randomFillSync(idRandom);
    idNext = 0;
  }
  const at = 16 * idNext++;
  idRandom[at + 6] = (idRandom[at + 6]! & 0x0f) | 0x40;
  idRandom[at + 8] = (idRandom[at + 8]! & 0x3f) | 0x80;
  for (let i = 0, j = 0; i < 16; i++, j += 2) {
    if (j === 8 || j === 13 || j === 18 || j === 23) j++;
    const b = 2 * idRandom[at + i]!;
    idText[j] = HEX_DIGITS[b]!;
    idText[j + 1] = HEX_DIGITS[b + 1]!;
  }
  return idText.toString('latin1');
}

/** Removes hop-by-hop and nominated fields from an upstream response's headers, in place. */
export function stripResponseHeaders(headers: Record<string, string | string[] | undefined>): void {
  for (const name of nominatedHeaders(headers.connection)) delete headers[name];
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name];
}

/**
 * An upstream response's headers as they go to the client: a new record without hop-by-hop,
 * nominated and undefined fields (what `stripResponseHeaders` leaves, without deleting keys
 * from the parsed record, which would turn it into a slow dictionary-mode object).
 */
export function forwardedResponseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const drop = nominatedHeaders(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || (drop.size > 0 && drop.has(name))) continue;
    out[name] = value;
  }
  return out;
}

/** The client address without the IPv4-mapped IPv6 prefix. */
export function clientAddress(remote: string | undefined): string {
  if (remote === undefined) return '';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

/**
 * A header record to hand to undici: the live record of a `RecordHeaders`, else a copy. Hop-by-hop
 * fields a filter put back (e.g. RequestHeaderModifier `Transfer-Encoding`) are dropped, `TE: trailers` aside.
 */
export function headerRecord(map: HeaderMap): Record<string, string | string[]> {
  let record: Record<string, string | string[]>;
  if (map instanceof RecordHeaders) record = map.toRecord();
  else {
    const copy = new RecordHeaders();
    map.forEach((value, name) => copy.append(name, value));
    record = copy.toRecord();
  }
  for (const name in record) if (HOP_BY_HOP.has(name) && !(name === 'te' && isTrailersOnly(record[name]!))) delete record[name];
  return record;
}
