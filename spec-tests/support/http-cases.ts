/**
 * The `http[]` cases of the conformance corpus, typed, and how one exchange is judged: the
 * harness's CompareRequest (conformance README, "Harness semantics"):
 *
 * - the status must be one of `statusCodes`, where 408 and 504 stand for each other;
 * - on 200/204 the echo JSON is checked (path with query, method, host when expected, namespace
 *   exactly, request headers with values joined by `,`, absent headers, pod name prefix, the
 *   SNI and client certificate the TLS backend saw) and so are response headers, valid header
 *   values and absent response headers; a response that is not `application/json` reads as a
 *   request with path, host and namespace "" (the gateway answered itself);
 * - on 3xx, only when `redirectRequest` is given: Location scheme, host, port and path, with
 *   the request's scheme/path and the scheme's default port standing in for absent values.
 */
import type { ClientProtocol, ClientResponse } from './http-client.js';

export interface HttpCaseRequest {
  host: string;
  method: string;
  /** Path, possibly with `?query`; may hold `{placeholders}`. */
  path: string;
  headers: Record<string, string>;
  protocol: ClientProtocol;
  unfollowRedirect?: boolean;
  body?: string;
  /** SNI the client sends (HTTPS, H2). */
  serverName?: string;
  /** SNI the TLS backend must see (never sent by the client). */
  sni?: string;
  /** `<PEM of tls.crt in Secret ns/name>`: the client certificate the TLS backend must see. */
  clientCert?: string;
}

export interface HttpExpectedRequest {
  host?: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  absentHeaders?: string[];
  sni?: string;
}

export interface HttpExpectedResponse {
  statusCodes: number[];
  headers?: Record<string, string>;
  validHeaderValues?: Record<string, string[]>;
  absentHeaders?: string[];
  ignoreWhitespace?: boolean;
}

export interface RedirectExpectation {
  scheme?: string;
  host?: string;
  port?: string;
  path?: string;
}

export interface MirrorTarget {
  name: string;
  namespace: string;
  percent?: number;
}

export interface HttpCase {
  request: HttpCaseRequest;
  expectedRequest?: HttpExpectedRequest;
  backend: string;
  namespace: string;
  /** Absent only for `expectFailure` cases. */
  response?: HttpExpectedResponse;
  redirectRequest?: RedirectExpectation;
  mirroredTo?: MirrorTarget[];
  backendSetResponseHeaders?: Record<string, string>;
  /** `namespace/name` of the Gateway. */
  gateway: string;
  /** Listener whose port is used. */
  listener?: string;
  port: number;
  scheme: string;
  tls?: { serverName?: string; serverCertificate: string; clientCertificate?: string | null };
  expectTransportError?: boolean;
  expectFailure?: boolean;
  subtest?: string;
  phase?: string;
  testCaseName?: string;
  placeholders?: Record<string, string>;
}

/** What the request that reached the backend looked like, per the echo answer. */
export interface CapturedRequest {
  path: string;
  host: string;
  method: string;
  namespace: string;
  pod: string;
  /** Absent when the answer was not the echo JSON. */
  headers?: Record<string, string[]>;
  tls?: { serverName?: string; peerCertificates?: string[] };
}

/** The request as sent, for the defaults the comparison takes from it. */
export interface SentRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  /** URL scheme of the request (`http` or `https`). */
  scheme: string;
  /** The case's request headers after placeholder substitution (without X-Echo-Set-Header). */
  headers: Record<string, string>;
  /** Host as the case gives it ("" when defaulted). */
  host: string;
  /** PEM of the client certificate the TLS backend must have seen (GatewayTLSBackendClientCertificate). */
  backendClientCertPem?: string;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

const PASS: Verdict = { ok: true };
const fail = (reason: string): Verdict => ({ ok: false, reason });

/** 408 and 504 are interchangeable timeout codes. */
export function isTimeoutStatus(code: number): boolean {
  return code === 408 || code === 504;
}

function firstHeader(res: ClientResponse, name: string): string | undefined {
  return res.headers[name.toLowerCase()]?.[0];
}

/** The captured request of an exchange: the echo JSON, or the harness's stand-in for other answers. */
export function captureRequest(res: ClientResponse, sent: SentRequest): CapturedRequest | { error: string } {
  if (firstHeader(res, 'content-type') !== 'application/json') {
    return { path: '', host: '', method: sent.method, namespace: '', pod: '' };
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch (err) {
    return { error: `the application/json answer does not parse: ${(err as Error).message}` };
  }
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const headers: Record<string, string[]> = {};
  if (b.headers && typeof b.headers === 'object') {
    for (const [k, v] of Object.entries(b.headers as Record<string, unknown>)) {
      headers[k.toLowerCase()] = [...(headers[k.toLowerCase()] ?? []), ...(Array.isArray(v) ? v.map(String) : [String(v)])];
    }
  }
  const tls = b.tls && typeof b.tls === 'object' ? (b.tls as CapturedRequest['tls']) : undefined;
  return { path: str(b.path), host: str(b.host), method: str(b.method), namespace: str(b.namespace), pod: str(b.pod), headers, ...(tls ? { tls } : {}) };
}

/** The parts of a Location header Go's url.Parse exposes: scheme, hostname, port, path. */
export function parseLocation(location: string): { scheme: string; host: string; port: string; path: string } {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)/.exec(location)!;
  const scheme = (m[1] ?? '').toLowerCase();
  let authority = m[2] ?? '';
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let host = authority;
  let port = '';
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(authority);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] ?? '';
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      host = authority.slice(0, colon);
      port = authority.slice(colon + 1);
    }
  }
  let path = m[3] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // Go keeps an undecodable path as it is.
  }
  return { scheme, host, port, path };
}

function pathOnly(pathWithQuery: string): string {
  const q = pathWithQuery.indexOf('?');
  return q < 0 ? pathWithQuery : pathWithQuery.slice(0, q);
}

function joined(values: readonly string[] | undefined): string | undefined {
  return values === undefined ? undefined : values.join(',');
}

const noSpaces = (s: string) => s.replace(/\s+/g, '');

function normalizePem(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

function compareRedirect(c: HttpCase, sent: SentRequest, res: ClientResponse): Verdict {
  const expected = c.redirectRequest!;
  const location = firstHeader(res, 'location');
  if (location === undefined) return fail(`${res.status} without a Location header`);
  const got = parseLocation(location);
  const host = expected.host || got.host;
  const scheme = expected.scheme || sent.scheme;
  const path = expected.path || pathOnly(sent.path);
  if (host !== got.host) return fail(`expected redirected hostname to be "${host}", got "${got.host}" (Location ${location})`);
  if (!expected.port) {
    if (got.scheme === 'http' && got.port !== '80' && got.port !== '') return fail(`for http scheme, expected redirected port to be 80 or not set, got "${got.port}" (Location ${location})`);
    if (got.scheme === 'https' && got.port !== '443' && got.port !== '') return fail(`for https scheme, expected redirected port to be 443 or not set, got "${got.port}" (Location ${location})`);
  } else if (expected.port !== got.port) {
    return fail(`expected redirected port to be "${expected.port}", got "${got.port}" (Location ${location})`);
  }
  if (scheme !== got.scheme) return fail(`expected redirected scheme to be "${scheme}", got "${got.scheme}" (Location ${location})`);
  if (path !== got.path) return fail(`expected redirected path to be "${path}", got "${got.path}" (Location ${location})`);
  return PASS;
}

function compareResponseHeaders(expected: HttpExpectedResponse, res: ClientResponse): Verdict {
  const normalize = expected.ignoreWhitespace ? noSpaces : (s: string) => s;
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = joined(res.headers[name.toLowerCase()]);
    if (actual === undefined) return fail(`expected response header ${name} to be set, response headers: ${JSON.stringify(res.headers)}`);
    if (normalize(actual) !== normalize(value)) return fail(`expected response header ${name} to be set to ${value}, got ${actual}`);
  }
  for (const [name, values] of Object.entries(expected.validHeaderValues ?? {})) {
    const actual = joined(res.headers[name.toLowerCase()]);
    if (actual === undefined) return fail(`expected response header ${name} to be set, response headers: ${JSON.stringify(res.headers)}`);
    if (!values.some((v) => normalize(v) === normalize(actual))) return fail(`expected response header ${name} to be one of ${JSON.stringify(values)}, got ${actual}`);
  }
  for (const name of expected.absentHeaders ?? []) {
    const actual = res.headers[name.toLowerCase()];
    if (actual !== undefined) return fail(`expected response header ${name} to not be set, got ${joined(actual)}`);
  }
  return PASS;
}

function compareBackend(c: HttpCase, sent: SentRequest, res: ClientResponse): Verdict {
  const captured = captureRequest(res, sent);
  if ('error' in captured) return fail(captured.error);
  const expected: HttpExpectedRequest = c.expectedRequest ?? {
    host: sent.host,
    method: sent.method,
    path: sent.path,
    headers: sent.headers,
    ...(c.request.sni !== undefined ? { sni: c.request.sni } : {}),
  };
  const method = expected.method || 'GET';
  if (expected.host && expected.host !== captured.host) return fail(`expected host to be ${expected.host}, got ${captured.host}`);
  if (expected.path !== captured.path) return fail(`expected path to be ${expected.path}, got ${captured.path}`);
  if (method !== captured.method) return fail(`expected method to be ${method}, got ${captured.method}`);
  if (c.namespace !== captured.namespace) return fail(`expected namespace to be ${c.namespace}, got ${captured.namespace}`);
  if (expected.headers) {
    if (!captured.headers) return fail(`no headers captured, expected ${Object.keys(expected.headers).length}`);
    for (const [name, value] of Object.entries(expected.headers)) {
      const actual = joined(captured.headers[name.toLowerCase()]);
      if (actual === undefined) return fail(`expected ${name} header to be set, actual headers: ${JSON.stringify(captured.headers)}`);
      if (actual !== value) return fail(`expected ${name} header to be set to ${value}, got ${actual}`);
    }
  }
  if (c.response) {
    const headers = compareResponseHeaders(c.response, res);
    if (!headers.ok) return headers;
  }
  for (const name of expected.absentHeaders ?? []) {
    const actual = captured.headers?.[name.toLowerCase()];
    if (actual !== undefined) return fail(`expected ${name} header to not be set on the backend request, got ${joined(actual)}`);
  }
  if (!captured.pod.startsWith(c.backend)) return fail(`expected pod name to start with ${c.backend}, got ${captured.pod}`);
  if (expected.sni) {
    const seen = captured.tls?.serverName;
    if (seen === undefined) return fail(`expected the backend to see SNI ${expected.sni} over TLS, but the backend connection was not TLS`);
    if (seen !== expected.sni) return fail(`expected the backend to see SNI ${expected.sni}, got ${seen === '' ? 'none' : seen}`);
  }
  if (sent.backendClientCertPem !== undefined) {
    const want = normalizePem(sent.backendClientCertPem);
    const peers = captured.tls?.peerCertificates ?? [];
    if (!peers.some((p) => normalizePem(p) === want)) return fail(`expected the backend to see the gateway's client certificate, got ${peers.length} peer certificate(s)`);
  }
  return PASS;
}

/** Judges one exchange of a case that expects a response (not expectFailure / expectTransportError). */
export function compareExchange(c: HttpCase, sent: SentRequest, res: ClientResponse): Verdict {
  const expected = c.response;
  if (!expected) throw new Error('compareExchange needs a case with a response expectation');
  if (isTimeoutStatus(res.status) && expected.statusCodes.some(isTimeoutStatus)) return PASS;
  if (!expected.statusCodes.includes(res.status)) {
    return fail(`expected status code to be one of ${JSON.stringify(expected.statusCodes)}, got ${res.status}${bodyHint(res)}`);
  }
  if (res.status === 200 || res.status === 204) return compareBackend(c, sent, res);
  if (res.status >= 300 && res.status < 400 && c.redirectRequest) return compareRedirect(c, sent, res);
  return PASS;
}

function bodyHint(res: ClientResponse): string {
  const text = res.body.toString('utf8').trim();
  return text === '' ? '' : ` (body: ${text.length > 200 ? `${text.slice(0, 200)}...` : text})`;
}

/** The pod's backend (Deployment) name: the pod name without its last two `-` segments. */
export function backendFromPod(pod: string): string {
  const parts = pod.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : pod;
}
