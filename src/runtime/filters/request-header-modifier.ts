/**
 * RequestHeaderModifier: set, add and remove request headers before the request goes upstream.
 */
import type { HeaderModifier } from '../../model/gateway-api.js';
import { setAuthority } from './head.js';
import { applyHeaderModifier, joinHeaderValue, type HeaderMap } from './headers.js';
import type { RequestHead } from './types.js';

/**
 * A request carries one Cookie field whose pairs are separated by "; " (RFC 6265 §5.4), so an
 * added cookie joins with that; every other header joins with ",".
 */
function addRequestHeader(headers: HeaderMap, name: string, value: string): void {
  joinHeaderValue(headers, name, value, name.toLowerCase() === 'cookie' ? '; ' : ',');
}

/**
 * Applies the modifier to `head.headers` (in place). Host is the request's authority, so
 * setting it through this filter changes `head.authority` (and the Host header, when the map
 * carries one) the way URLRewrite's hostname does; removing it or adding a second value is
 * ignored, since a request has exactly one authority.
 */
export function applyRequestHeaderModifier(head: RequestHead, modifier: HeaderModifier): void {
  let split = splits.get(modifier);
  if (split === undefined) {
    const host = hostEntry(modifier);
    split = { host, rest: host === null ? modifier : withoutHost(modifier) };
    splits.set(modifier, split);
  }
  applyHeaderModifier(head.headers, split.rest, addRequestHeader);
  if (split.host !== null && split.host !== undefined) setAuthority(head, split.host);
}

/** Each modifier's Host entry and the rest of it, worked out on first use (modifiers come from the table and never change). */
const splits = new WeakMap<HeaderModifier, { host: string | undefined | null; rest: HeaderModifier }>();

/**
 * Null when the modifier does not mention Host at all (the common case: no copy of it is made);
 * otherwise the value it sets Host to, or undefined when it only adds or removes Host.
 */
function hostEntry(modifier: HeaderModifier): string | undefined | null {
  const isHost = (name: string) => name.toLowerCase() === 'host';
  const set = modifier.set?.find((h) => isHost(h.name));
  if (set) return set.value;
  return modifier.add?.some((h) => isHost(h.name)) || modifier.remove?.some(isHost) ? undefined : null;
}

function withoutHost(modifier: HeaderModifier): HeaderModifier {
  const keep = (name: string) => name.toLowerCase() !== 'host';
  const out: HeaderModifier = {};
  if (modifier.set) out.set = modifier.set.filter((h) => keep(h.name));
  if (modifier.add) out.add = modifier.add.filter((h) => keep(h.name));
  if (modifier.remove) out.remove = modifier.remove.filter(keep);
  return out;
}
