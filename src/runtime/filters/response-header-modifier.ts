/**
 * ResponseHeaderModifier: set, add and remove response headers before the response goes to
 * the client.
 */
import type { HeaderModifier } from '../../model/gateway-api.js';
import { applyHeaderModifier, joinHeaderValue, type HeaderMap } from './headers.js';

/**
 * Each Set-Cookie is its own field line (cookie attributes contain commas, so joined values
 * could not be split again); every other added value joins the existing one with ",".
 */
function addResponseHeader(headers: HeaderMap, name: string, value: string): void {
  if (name.toLowerCase() === 'set-cookie') headers.append(name, value);
  else joinHeaderValue(headers, name, value, ',');
}

/** Applies the modifier to the response headers in place. */
export function applyResponseHeaderModifier(headers: HeaderMap, modifier: HeaderModifier): void {
  applyHeaderModifier(headers, modifier, addResponseHeader);
}
