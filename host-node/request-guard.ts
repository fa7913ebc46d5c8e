/**
 * Request strictness Node's HTTP/1 parser does not give (security rule 3), checked before a
 * request is routed, so nothing a check refuses ever reaches a backend:
 *
 * - request line: only HTTP/1.0 and HTTP/1.1 on an HTTP/1 connection (`GET / HTTP/2.0` -> 505);
 *   the asterisk form only for `OPTIONS *` (answered by the gateway itself, never forwarded);
 *   `CONNECT` -> 405; a target longer than `maxUrlBytes` -> 414;
 * - framing: `Transfer-Encoding` on HTTP/1.0 -> 400; any coding but a single `chunked` -> 501
 *   (RFC 9112 §6.1); both close the connection, since the body's end is unknown;
 * - header lines: more than `maxHeaderLines` -> 431 (Node truncates instead); a field name with
 *   `_` -> 400 (it would alias a `-` name in CGI-style backends); several `Host` fields or a
 *   `Host` that is not `host[:port]` (e.g. with userinfo) -> 400; HTTP/1.0 without `Host` -> 400
 *   (routing needs an authority; Envoy's 426 would ask for an upgrade the gateway does not need);
 * - body: a declared `Content-Length` above `maxRequestBodyBytes` -> 413 (chunked bodies are
 *   counted while they stream, see `limitBody`).
 *
 * The rest of rule 3 (`Content-Length` with `Transfer-Encoding`, duplicate or malformed
 * `Content-Length`, obs-fold, bare CR/LF, control bytes) Node's parser already answers with 400.
 */
import type { IncomingMessage } from 'node:http';
import { Http2ServerRequest } from 'node:http2';
import { Transform, type TransformCallback } from 'node:stream';
import type { GatewayRequest } from './servers.js';

export interface RequestLimits {
  /** Header field lines per request (431 beyond; decision 3). */
  maxHeaderLines: number;
  /** Request-target length in bytes (414 beyond). */
  maxUrlBytes: number;
  /** Request body bytes (413 beyond); 0 = unlimited. */
  maxRequestBodyBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxHeaderLines: 100,
  maxUrlBytes: 16 * 1024,
  maxRequestBodyBytes: 64 * 1024 * 1024,
};

/** How the gateway answers a refused request itself. */
export interface Refusal {
  status: number;
  /** The connection cannot be trusted for another request (framing is unknown): close it. */
  close: boolean;
  /** For logs and tests. */
  reason: string;
  headers?: [string, string][];
}

/** Methods announced for `OPTIONS *` (what the gateway forwards). */
export const ASTERISK_OPTIONS_ALLOW = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

const refuse = (status: number, reason: string, close = false, headers?: [string, string][]): Refusal => ({ status, close, reason, ...(headers ? { headers } : {}) });

/** `host[:port]`: a reg-name or IPv4 address (RFC 3986 unreserved, sub-delims, `%`) or a bracketed IPv6 literal. */
const HOST_FIELD = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;
/** The last Host value that passed HOST_FIELD: clients repeat theirs, so most requests skip the pattern. */
let lastValidHost: string | undefined;

/**
 * The refusal for a request the gateway must not route, or undefined when it may go on.
 * `OPTIONS *` comes back as a 200 "refusal": the gateway answers it, nothing is forwarded.
 */
export function checkRequest(req: GatewayRequest, limits: RequestLimits): Refusal | undefined {
  const http2 = req instanceof Http2ServerRequest;
  if (!http2 && req.httpVersionMajor !== 1) return refuse(505, `HTTP/${req.httpVersion} on an HTTP/1 connection`, true);
  const method = req.method ?? '';
  if (method === 'CONNECT') return refuse(405, 'CONNECT is not proxied', true, [['allow', ASTERISK_OPTIONS_ALLOW]]);
  const url = req.url ?? '';
  if (url.length > limits.maxUrlBytes) return refuse(414, `request target over ${limits.maxUrlBytes} bytes`, true);
  if (url === '*') {
    if (method === 'OPTIONS') return refuse(200, 'OPTIONS * is answered by the gateway', false, [['allow', ASTERISK_OPTIONS_ALLOW]]);
    return refuse(400, `asterisk-form target with ${method}`);
  }
  const raw = req.rawHeaders;
  let lines = 0;
  let hosts = 0;
  let host: string | undefined;
  let codings: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 0x3a /* ':' HTTP/2 pseudo-header */) continue;
    if (++lines > limits.maxHeaderLines) return refuse(431, `more than ${limits.maxHeaderLines} header lines`, true);
    if (name.includes('_')) return refuse(400, `header name with an underscore: ${name}`);
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) {
      hosts++;
      host = raw[i + 1]!;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      codings = codings === undefined ? raw[i + 1]! : `${codings},${raw[i + 1]!}`;
    }
  }
  if (!http2) {
    const h1 = req as IncomingMessage;
    if (hosts > 1) return refuse(400, 'more than one Host field');
    if (hosts === 0) return refuse(400, `HTTP/${h1.httpVersion} request without Host`);
    if (host !== lastValidHost) {
      if (!HOST_FIELD.test(host!)) return refuse(400, 'Host is not host[:port]');
      lastValidHost = host;
    }
    if (codings !== undefined) {
      if (h1.httpVersionMinor === 0) return refuse(400, 'Transfer-Encoding on HTTP/1.0', true);
      if (codings.trim().toLowerCase() !== 'chunked') return refuse(501, `Transfer-Encoding ${JSON.stringify(codings)}`, true);
    }
  } else if (hosts > 1) {
    return refuse(400, 'more than one Host field');
  }
  if (limits.maxRequestBodyBytes > 0) {
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > limits.maxRequestBodyBytes) return refuse(413, `Content-Length over ${limits.maxRequestBodyBytes} bytes`, true);
  }
  return undefined;
}

/** Error a body stream fails with when it grows beyond the limit. */
export class BodyTooLarge extends Error {
  readonly status = 413;
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

/**
 * The request body as a stream that fails with `BodyTooLarge` once more than `limit` bytes went
 * through (for bodies whose size is not declared up front). Returns `body` itself when the
 * declared length already bounds it or there is no limit.
 */
export function limitBody<T extends NodeJS.ReadableStream>(body: T, declaredLength: string | undefined, limit: number): T | Transform {
  if (limit <= 0 || declaredLength !== undefined) return body;
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyTooLarge(limit));
      else callback(null, chunk);
    },
  });
  body.on('error', (err: Error) => counter.destroy(err));
  return body.pipe(counter);
}
