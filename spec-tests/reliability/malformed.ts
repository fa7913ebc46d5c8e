/**
 * The malformed and malicious requests of design/security.md §6 (S, H and A rows; battery B1),
 * as raw bytes, with the answer the gateway must give. The fixture is the path matrix's
 * (`/public` -> backend `public`, `/admin` -> backend `admin`, host `a.example`).
 *
 * A row the gateway must refuse is never seen by a backend; a row it forwards names what the
 * backend must (not) see.
 */
import type { Recorded } from './support.js';

export interface MalformedRow {
  id: string;
  /** The bytes sent, given the row's unique marker (a query value that identifies the request upstream). */
  request: (marker: string) => string;
  /** Acceptable statuses of the (last) response. `h2` = the connection turned HTTP/2 (a SETTINGS frame came back). */
  want: readonly number[] | 'h2';
  /** Acceptable statuses when the row follows a valid request on a keep-alive connection (default: `want`). */
  afterRequest?: readonly number[];
  /** The connection must be closed after the answer (framing cannot be trusted). */
  close?: boolean;
  /** Number of responses expected on the connection (default 1). */
  responses?: number;
  /**
   * The row is forwarded: how many requests with the marker the `public` backend must see, and
   * a check of each. Rows without it must never reach any backend.
   */
  forwarded?: { count: number; check?: (seen: Recorded) => string | undefined };
  /** The backend may see the head of the request but never a complete body (errors in a streamed body). */
  bodyError?: boolean;
  note?: string;
}

export const HOST = 'a.example';
const H = `Host: ${HOST}\r\n`;
const p = (m: string) => `/public/bad?r=${m}`;

/** Header names of a recorded request, lower case. */
export function names(seen: Recorded): string[] {
  return seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

export function header(seen: Recorded, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < seen.rawHeaders.length; i += 2) if (seen.rawHeaders[i]!.toLowerCase() === name) out.push(seen.rawHeaders[i + 1]!);
  return out;
}

const absent =
  (...forbidden: string[]) =>
  (seen: Recorded): string | undefined => {
    const present = names(seen).filter((n) => forbidden.includes(n));
    return present.length > 0 ? `forwarded ${present.join(', ')}` : undefined;
  };

const smuggled = `GET /admin HTTP/1.1\r\n${H}X: `;

export const MALFORMED: readonly MalformedRow[] = [
  // Framing / smuggling.
  { id: 'S1', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, want: [400], close: true },
  { id: 'S2', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`, want: [400], close: true },
  { id: 'S3', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, want: [400], close: true },
  { id: 'S4', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`, want: [400], close: true },
  ...['+5', '1 2', '-1', '0x5', '99999999999999999999999'].map(
    (v, i): MalformedRow => ({ id: `S5${'abcde'[i]}`, request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Content-Length: ${v}\r\n\r\nhello`, want: [400], close: true }),
  ),
  { id: 'S6', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H} Content-Length: 5\r\n\r\nhello`, want: [400], close: true },
  { id: 'S7a', request: (m) => `GET ${p(m)} HTTP/1.1\r\nHost : ${HOST}\r\n\r\n`, want: [400], close: true },
  { id: 'S7b', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`, want: [400], close: true },
  { id: 'S8', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\nabc`, want: [400, 501], close: true },
  { id: 'S9', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\n\r\n`, want: [400, 501], close: true },
  { id: 'S10', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, want: [400], close: true },
  { id: 'S11', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n`, want: [400], close: true },
  { id: 'S12', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: \r\n chunked\r\n\r\n0\r\n\r\n`, want: [400], close: true },
  { id: 'S13', request: (m) => `POST ${p(m)} HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, want: [400], close: true },
  { id: 'S14', request: (m) => `GET ${p(m)} HTTP/1.1\nHost: ${HOST}\n\n`, want: [400], close: true },
  { id: 'S15', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X-A: b\rX-B: c\r\n\r\n`, want: [400], close: true },
  { id: 'S16', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}\rX`, want: [400], close: true },
  {
    id: 'S17',
    request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n`,
    want: [400, 502],
    close: true,
    bodyError: true,
    note: 'the head is valid, so the request is streamed upstream before the body error; the upstream request is aborted',
  },
  {
    id: 'S18',
    request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;${'a'.repeat(65_536)}\r\nhello\r\n0\r\n\r\n`,
    want: [400, 413, 502],
    close: true,
    bodyError: true,
  },
  { id: 'S19', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n`, want: [400, 502], close: true, bodyError: true },
  { id: 'S20', request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n`, want: [400, 502], close: true, bodyError: true },
  {
    id: 'S21',
    request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}Content-Length: ${smuggled.length}\r\n\r\n${smuggled}GET ${p(m)}-second HTTP/1.1\r\n${H}\r\n`,
    want: [200],
    responses: 2,
    forwarded: { count: 2, check: (seen) => (seen.url.endsWith('-second') ? (seen.bodyBytes === 0 ? undefined : 'second request has a body') : seen.bodyBytes === smuggled.length ? undefined : 'body not forwarded as a body') },
    note: 'the body is never parsed as a request: /admin is never seen',
  },
  { id: 'S22', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`, want: [403], close: true },
  { id: 'S23', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: foo\r\n\r\n`, want: [403], close: true },
  {
    id: 'S24',
    request: (m) => `POST ${p(m)} HTTP/1.1\r\n${H}Content-Length: 2\r\nExpect: 100-continue\r\n\r\nhi`,
    want: [200],
    forwarded: { count: 1, check: (seen) => absent('expect')(seen) ?? (seen.bodyBytes === 2 ? undefined : `body ${seen.bodyBytes} bytes`) },
  },
  { id: 'S25', request: () => `CONNECT ${HOST}:443 HTTP/1.1\r\nHost: ${HOST}:443\r\n\r\n`, want: [405], close: true },
  {
    id: 'S26',
    request: () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    want: 'h2',
    afterRequest: [400, 505],
    close: true,
    note: 'cleartext listeners speak h2c with prior knowledge: as the first bytes the preface starts HTTP/2; after an HTTP/1 request it is a malformed HTTP/1 request',
  },
  // Header validity.
  { id: 'H1', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X-A: b\x00c\r\n\r\n`, want: [400], close: true },
  { id: 'H2', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X-A: b\x01c\r\n\r\n`, want: [400], close: true },
  { id: 'H3', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X\x7fA: b\r\n\r\n`, want: [400], close: true },
  { id: 'H4', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}: b\r\n\r\n`, want: [400], close: true },
  { id: 'H5', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X_Auth_User: admin\r\n\r\n`, want: [400] },
  { id: 'H7', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}__proto__: x\r\n\r\n`, want: [400], note: 'a name with "_" (H5 rule): 400, and no crash' },
  { id: 'H7b', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}constructor: x\r\nhasOwnProperty: y\r\n\r\n`, want: [200], forwarded: { count: 1 } },
  { id: 'H8', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}${Array.from({ length: 100 }, (_, i) => `h${i}: v\r\n`).join('')}\r\n`, want: [431], close: true, note: 'Host + 100 lines = 101' },
  { id: 'H8ok', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}${Array.from({ length: 99 }, (_, i) => `h${i}: v\r\n`).join('')}\r\n`, want: [200], forwarded: { count: 1 } },
  { id: 'H9', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(60 * 1024 + 1)}\r\n\r\n`, want: [431], close: true },
  { id: 'H10', request: (m) => `GET /${'a'.repeat(17 * 1024)}?r=${m} HTTP/1.1\r\n${H}\r\n`, want: [414, 431], close: true },
  { id: 'H11', request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`, want: [400], close: true },
  {
    id: 'H12',
    request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}Connection: close, X-Forwarded-For, x-forwarded-host, x-real-ip, x-request-id\r\nX-Forwarded-For: 1.2.3.4\r\nX-Real-IP: 1.2.3.4\r\nX-Request-Id: client-chosen\r\n\r\n`,
    want: [200],
    close: true,
    forwarded: {
      count: 1,
      check: (seen) => {
        const xff = header(seen, 'x-forwarded-for');
        if (xff.length !== 1 || xff[0] !== '127.0.0.1') return `X-Forwarded-For ${JSON.stringify(xff)}`;
        if (header(seen, 'x-forwarded-host')[0] !== HOST) return 'X-Forwarded-Host missing';
        const id = header(seen, 'x-request-id');
        if (id.length !== 1 || id[0] === 'client-chosen') return `X-Request-Id ${JSON.stringify(id)}`;
        // The only Connection field upstream is the gateway's own for its pooled connection.
        if (header(seen, 'connection').some((v) => v.toLowerCase() !== 'keep-alive')) return `Connection ${JSON.stringify(header(seen, 'connection'))}`;
        return absent('x-real-ip')(seen);
      },
    },
  },
  {
    id: 'H13',
    request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}X-Switchyard-Original-Path: /admin\r\nX-Switchyard-Internal: 1\r\n\r\n`,
    want: [200],
    forwarded: { count: 1, check: (seen) => (names(seen).some((n) => n.startsWith('x-switchyard-')) ? 'internal header forwarded' : undefined) },
  },
  {
    id: 'H14',
    request: (m) => `GET ${p(m)} HTTP/1.1\r\n${H}TE: trailers\r\nProxy-Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n`,
    want: [200],
    forwarded: { count: 1, check: (seen) => absent('proxy-connection', 'keep-alive')(seen) ?? (header(seen, 'te').every((v) => v === 'trailers') ? undefined : 'TE other than trailers') },
  },
  // Authority / request line.
  { id: 'A1', request: (m) => `GET ${p(m)} HTTP/1.1\r\n\r\n`, want: [400], close: true },
  { id: 'A2', request: (m) => `GET ${p(m)} HTTP/1.1\r\nHost: ${HOST}\r\nHost: b.example\r\n\r\n`, want: [400] },
  { id: 'A3', request: (m) => `GET ${p(m)} HTTP/1.1\r\nHost: u@${HOST}\r\n\r\n`, want: [400] },
  { id: 'A4a', request: (m) => `GET ${p(m)} HTTP/1.1\r\nHost: A.EXAMPLE:80\r\n\r\n`, want: [200], forwarded: { count: 1 } },
  { id: 'A4b', request: (m) => `GET ${p(m)} HTTP/1.1\r\nHost: ${HOST}.\r\n\r\n`, want: [200], forwarded: { count: 1 } },
  { id: 'A5', request: (m) => `GET http://evil.example/admin?r=${m} HTTP/1.1\r\nHost: good.example\r\n\r\n`, want: [400], note: 'absolute-form is refused (never routed by Host)' },
  { id: 'A6', request: (m) => `GET ${p(m)} HTTP/1.0\r\n\r\n`, want: [400], close: true, note: 'HTTP/1.0 without Host: 400 (no authority to route on)' },
  { id: 'A7', request: () => `GET * HTTP/1.1\r\n${H}\r\n`, want: [400] },
  { id: 'A7ok', request: () => `OPTIONS * HTTP/1.1\r\n${H}\r\n`, want: [200], note: 'answered by the gateway, never forwarded' },
  { id: 'A8', request: (m) => `GET ${p(m)} HTTP/2.0\r\n${H}\r\n`, want: [505, 400], close: true },
  { id: 'A9', request: (m) => `GET //evil.example/x?r=${m} HTTP/1.1\r\n${H}\r\n`, want: [404], note: 'merged to /evil.example/x: a path, never an authority' },
];
