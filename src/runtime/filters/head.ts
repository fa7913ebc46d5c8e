/**
 * Helpers on a `RequestHead` shared by several filters: the authority (Host) and copies.
 */
import { copyHeaders } from './headers.js';
import type { RequestHead } from './types.js';

/** Replaces the request's authority, keeping a Host header the map carries in step. */
export function setAuthority(head: RequestHead, authority: string): void {
  head.authority = authority;
  if (head.headers.has('host')) head.headers.set('host', authority);
}

/**
 * The host part of an authority: without the port, an IPv6 literal keeping its brackets
 * (`[::1]:8080` -> `[::1]`).
 */
export function hostOf(authority: string): string {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    return close < 0 ? authority : authority.slice(0, close + 1);
  }
  const colon = authority.lastIndexOf(':');
  return colon < 0 ? authority : authority.slice(0, colon);
}

/** A head whose headers can be changed without affecting `head`'s. */
export function copyHead(head: RequestHead): RequestHead {
  return { method: head.method, scheme: head.scheme, authority: head.authority, path: head.path, headers: copyHeaders(head.headers) };
}
