/**
 * CORS: the gateway answers preflight requests itself and adds the CORS response headers to
 * the answers of actual cross-origin requests whose Origin is allowed.
 *
 * Wildcards in `allowMethods`/`allowHeaders` are answered by echoing what the preflight asks
 * for (the spec allows that with or without credentials, and unlike `*` it also covers
 * Authorization). A wildcard origin is answered with `*` unless credentials are allowed, where
 * the spec requires the request's Origin; every echoed Origin comes with `Vary: Origin` so
 * caches keep answers for different origins apart.
 */
import type { HTTPCORSFilter } from '../../model/gateway-api.js';
import { joinHeaderValue, type HeaderMap } from './headers.js';
import type { ImmediateResponse, RequestHead } from './types.js';

/** The spec's default for `maxAge` when a filter reaches us without defaults applied. */
const DEFAULT_MAX_AGE = 5;

/** A preflight: OPTIONS carrying Origin and Access-Control-Request-Method (Fetch standard). */
export function isPreflight(head: RequestHead): boolean {
  return head.method === 'OPTIONS' && head.headers.has('origin') && head.headers.has('access-control-request-method');
}

/**
 * The answer to a preflight for a rule with this filter: 204 with the allow headers when the
 * Origin is allowed, else 403 without CORS headers (the spec allows 403 or an OK status; 403
 * says plainly that the preflight was refused).
 */
export function preflightResponse(cors: HTTPCORSFilter, head: RequestHead): ImmediateResponse {
  const origin = head.headers.get('origin') ?? '';
  if (!originAllowed(cors, origin)) return { status: 403, headers: [] };
  const credentials = cors.allowCredentials === true;
  const headers: [string, string][] = [];
  const allowOrigin = allowOriginValue(cors, origin);
  headers.push(['access-control-allow-origin', allowOrigin]);
  if (allowOrigin !== '*') headers.push(['vary', 'Origin']);
  if (credentials) headers.push(['access-control-allow-credentials', 'true']);

  const methods = listValue(cors.allowMethods, head.headers.get('access-control-request-method'), credentials);
  if (methods !== null) headers.push(['access-control-allow-methods', methods]);
  const allowHeaders = listValue(cors.allowHeaders, head.headers.get('access-control-request-headers'), credentials);
  if (allowHeaders !== null) headers.push(['access-control-allow-headers', allowHeaders]);
  // Nothing to list for a wildcard with credentials here: a preflight has no response headers.
  const expose = exposeValue(cors, credentials, () => []);
  if (expose !== null) headers.push(['access-control-expose-headers', expose]);
  headers.push(['access-control-max-age', String(cors.maxAge ?? DEFAULT_MAX_AGE)]);
  return { status: 204, headers };
}

/**
 * Adds the CORS headers of an actual (non-preflight) response when `request` carries an allowed
 * Origin. They replace any the backend set, so the route's policy is what the browser sees; a
 * response to a disallowed or absent Origin is left as the backend sent it.
 */
export function addCorsHeaders(cors: HTTPCORSFilter, request: RequestHead, headers: HeaderMap): void {
  const origin = request.headers.get('origin');
  if (origin === null || !originAllowed(cors, origin)) return;
  const credentials = cors.allowCredentials === true;
  const allowOrigin = allowOriginValue(cors, origin);
  headers.set('access-control-allow-origin', allowOrigin);
  if (allowOrigin !== '*') addVaryOrigin(headers);
  if (credentials) headers.set('access-control-allow-credentials', 'true');
  const expose = exposeValue(cors, credentials, () => responseHeaderNames(headers));
  if (expose !== null) headers.set('access-control-expose-headers', expose);
}

/** Whether `origin` (the request's Origin header) matches one of `allowOrigins`. */
export function originAllowed(cors: HTTPCORSFilter, origin: string): boolean {
  const compiled = compile(cors);
  if (compiled.any) return true;
  const parsed = parseOrigin(origin);
  return parsed !== null && compiled.patterns.some((p) => p.scheme === parsed.scheme && p.port === parsed.port && hostMatches(p.host, parsed.host));
}

interface Origin {
  scheme: string;
  host: string;
  /** Explicit or implied (80 for http, 443 for https; 0 for other schemes without a port). */
  port: number;
}

interface CompiledCors {
  /** `allowOrigins` is `["*"]`: every Origin, even `null`. */
  any: boolean;
  patterns: Origin[];
}

/** Parsed allowOrigins per filter object: filters live as long as their table does. */
const compiledFilters = new WeakMap<HTTPCORSFilter, CompiledCors>();

function compile(cors: HTTPCORSFilter): CompiledCors {
  let compiled = compiledFilters.get(cors);
  if (!compiled) {
    const origins = cors.allowOrigins ?? [];
    compiled = {
      any: origins.includes('*'),
      patterns: origins.map(parseOrigin).filter((o): o is Origin => o !== null),
    };
    compiledFilters.set(cors, compiled);
  }
  return compiled;
}

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^:/]+)(?::(\d{1,5}))?\/?$/i;

/**
 * `scheme://host[:port]`, case-folded, with the scheme's default port made explicit: the spec
 * assumes 80/443 when the port is absent, so `https://a.example` and `https://a.example:443` are
 * the same origin. Null for anything else (the opaque origin `null` included).
 */
function parseOrigin(value: string): Origin | null {
  const m = ORIGIN.exec(value.trim());
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  const port = m[3] !== undefined ? Number(m[3]) : scheme === 'http' ? 80 : scheme === 'https' ? 443 : 0;
  return { scheme, host: m[2].toLowerCase(), port };
}

/**
 * A `*` in an allowed host is a greedy match to the left: `*.bar.com` covers `www.bar.com` and
 * `a.www.bar.com` (any number of labels) but not `bar.com`; `*` alone covers every host.
 */
function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*')) return pattern === host;
  const suffix = pattern.slice(1);
  return host.length > suffix.length && host.endsWith(suffix);
}

function allowOriginValue(cors: HTTPCORSFilter, origin: string): string {
  return compile(cors).any && cors.allowCredentials !== true ? '*' : origin;
}

/**
 * Access-Control-Allow-Methods / -Headers: the configured list, or for a wildcard what the
 * preflight asked for (`*` when it asked for nothing and credentials are off; the spec then
 * leaves the header out with credentials). Null: no header.
 */
function listValue(configured: readonly string[] | undefined, requested: string | null, credentials: boolean): string | null {
  if (!configured || configured.length === 0) return null;
  if (!configured.includes('*')) return configured.join(', ');
  if (requested !== null && requested.trim() !== '') return requested.trim();
  return credentials ? null : '*';
}

/**
 * Access-Control-Expose-Headers: the configured list, or for a wildcard `*`; with credentials
 * `*` is not allowed, so the names the response actually carries are listed instead.
 */
function exposeValue(cors: HTTPCORSFilter, credentials: boolean, present: () => string[]): string | null {
  const configured = cors.exposeHeaders;
  if (!configured || configured.length === 0) return null;
  if (!configured.includes('*')) return configured.join(', ');
  if (!credentials) return '*';
  const names = present();
  return names.length > 0 ? names.join(', ') : null;
}

function responseHeaderNames(headers: HeaderMap): string[] {
  const names = new Set<string>();
  headers.forEach((_value, name) => {
    if (!name.toLowerCase().startsWith('access-control-')) names.add(name.toLowerCase());
  });
  return [...names];
}

function addVaryOrigin(headers: HeaderMap): void {
  const vary = headers.get('vary');
  if (vary !== null && vary.split(',').some((t) => ['origin', '*'].includes(t.trim().toLowerCase()))) return;
  joinHeaderValue(headers, 'vary', 'Origin', ', ');
}
