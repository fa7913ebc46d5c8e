/**
 * RequestRedirect: the gateway answers with a 3xx whose Location is the request URL with the
 * configured parts replaced.
 */
import type { ListenerInfo, MatchPath } from '../../compile/manifest.js';
import type { HTTPRequestRedirectFilter } from '../../model/gateway-api.js';
import { hostOf } from './head.js';
import { modifyTarget } from './paths.js';
import type { ImmediateResponse, RequestHead } from './types.js';

const DEFAULT_PORT: Record<'http' | 'https', number> = { http: 80, https: 443 };

/**
 * The redirect answer for `head`, which arrived on `listener` and was selected by `match`.
 *
 * - scheme: the filter's, else the request's.
 * - host: the filter's hostname, else the request's Host without its port (a port in Host is
 *   not the redirect port: the rules below decide that).
 * - port: the filter's; else, when the filter changes the scheme, that scheme's well-known port;
 *   else the listener's port. It is left out of Location when it is the scheme's default (80
 *   for http, 443 for https), as the spec asks.
 * - path: modified by `path` (query string kept), else the request target as received.
 * - status: `statusCode`, 302 when unset.
 *
 * When no host is known at all (an HTTP/1.0 request without Host to a listener without a
 * hostname) the Location is the path alone, a relative reference RFC 9110 allows.
 */
export function redirectResponse(
  filter: HTTPRequestRedirectFilter,
  head: RequestHead,
  listener: ListenerInfo,
  match: MatchPath | undefined,
): ImmediateResponse {
  const scheme = filter.scheme ?? head.scheme;
  const port = filter.port ?? (filter.scheme !== undefined ? DEFAULT_PORT[filter.scheme] : listener.port);
  const host = filter.hostname ?? (hostOf(head.authority) || listenerHost(listener));
  const target = filter.path ? modifyTarget(head.path, filter.path, match) : head.path;
  const location = host === '' ? target : `${scheme}://${host}${port === DEFAULT_PORT[scheme] ? '' : `:${port}`}${target}`;
  return { status: filter.statusCode ?? 302, headers: [['location', location]] };
}

/** A listener hostname usable as a host: a wildcard one names no single host. */
function listenerHost(listener: ListenerInfo): string {
  return listener.hostname && !listener.hostname.startsWith('*') ? listener.hostname : '';
}
