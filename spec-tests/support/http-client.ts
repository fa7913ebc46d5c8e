/**
 * The conformance client: one request on a fresh connection to a gateway listener, over
 * HTTP/1.1 (plain or TLS) or HTTP/2 (ALPN h2 over TLS, or h2c with prior knowledge), with the
 * Host / :authority header and every other header sent exactly as given.
 *
 * Failures before a complete response (refused or reset connections, TLS handshake errors,
 * timeouts) reject with a `TransportError`.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as http2Connect, constants as h2, type ClientHttp2Session, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';

export type ClientProtocol = 'HTTP' | 'HTTPS' | 'H2' | 'H2C_PRIOR_KNOWLEDGE';

export interface ClientTls {
  /** SNI, also the name the server certificate must match. */
  serverName: string;
  /** PEM of the certificates to trust. */
  ca: string;
  /** Client certificate and key (PEM). */
  cert?: string;
  key?: string;
}

export interface ClientRequest {
  protocol: ClientProtocol;
  address: string;
  port: number;
  method: string;
  /** Path plus query, sent as the request target. */
  path: string;
  /** Host header (:authority for HTTP/2). */
  host: string;
  /** Header name/value pairs in order (without Host). */
  headers: readonly (readonly [string, string])[];
  body?: string;
  tls?: ClientTls;
  timeoutMs: number;
}

export interface ClientResponse {
  status: number;
  /** Lower-case names; one entry per field line. */
  headers: Record<string, string[]>;
  body: Buffer;
}

export class TransportError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TransportError';
  }
}

/**
 * Go's `x509.Certificate.VerifyHostname`, which the harness's client applies: IP literals match
 * IP SANs; names match DNS SANs case-insensitively, label by label, a leading `*` label matching
 * exactly one label (so `*.org` matches `example.org`, which Node's own check refuses).
 */
export function verifyHostnameLikeGo(host: string, cert: PeerCertificate): Error | undefined {
  const sans = (cert.subjectaltname ?? '').split(/,\s*/).filter((s) => s !== '');
  const name = host.replace(/\.$/, '').toLowerCase();
  if (isIP(name) !== 0) {
    if (sans.some((s) => s.startsWith('IP Address:') && s.slice('IP Address:'.length).toLowerCase() === name)) return undefined;
    return new Error(`certificate is not valid for IP ${host} (SANs: ${cert.subjectaltname ?? 'none'})`);
  }
  const hostLabels = name.split('.');
  for (const san of sans) {
    if (!san.startsWith('DNS:')) continue;
    const pattern = san.slice(4).replace(/\.$/, '').toLowerCase();
    const labels = pattern.split('.');
    if (pattern === '' || labels.length !== hostLabels.length) continue;
    if (labels.every((l, i) => (i === 0 && l === '*') || l === hostLabels[i])) return undefined;
  }
  return new Error(`certificate is valid for ${cert.subjectaltname ?? 'no names'}, not ${host}`);
}

/** Responses larger than this are cut (echo answers are a few KiB). */
const MAX_BODY = 4 * 1024 * 1024;

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? err);
}

function rawHeaders(res: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!.toLowerCase();
    (out[name] ??= []).push(res.rawHeaders[i + 1]!);
  }
  return out;
}

function sendHttp1(req: ClientRequest): Promise<ClientResponse> {
  const tls = req.protocol === 'HTTPS';
  if (tls && !req.tls) return Promise.reject(new Error('HTTPS request without TLS settings'));
  const headers: string[] = ['Host', req.host];
  for (const [name, value] of req.headers) headers.push(name, value);
  if (req.body !== undefined) headers.push('Content-Length', String(Buffer.byteLength(req.body)));
  return new Promise((resolve, reject) => {
    const options = {
      host: req.address,
      port: req.port,
      method: req.method,
      path: req.path,
      headers: headers as unknown as Record<string, string>,
      setHost: false,
      agent: false as const,
      ...(tls
        ? {
            servername: req.tls!.serverName,
            ca: req.tls!.ca,
            checkServerIdentity: verifyHostnameLikeGo,
            ALPNProtocols: ['http/1.1'],
            ...(req.tls!.cert !== undefined ? { cert: req.tls!.cert, key: req.tls!.key } : {}),
          }
        : {}),
    };
    const r = (tls ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: rawHeaders(res), body: Buffer.concat(chunks) }));
      res.on('error', (err) => reject(new TransportError(`reading the response: ${describe(err)}`, err)));
      res.on('aborted', () => reject(new TransportError('the response was aborted')));
    });
    r.setTimeout(req.timeoutMs, () => r.destroy(new TransportError(`no response within ${req.timeoutMs} ms`)));
    r.on('error', (err) => reject(err instanceof TransportError ? err : new TransportError(describe(err), err)));
    r.end(req.body);
  });
}

function h2Headers(headers: H2Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    out[name] = Array.isArray(value) ? [...value] : [String(value)];
  }
  return out;
}

function sendHttp2(req: ClientRequest): Promise<ClientResponse> {
  const secure = req.protocol === 'H2';
  if (secure && !req.tls) return Promise.reject(new Error('H2 request without TLS settings'));
  return new Promise((resolve, reject) => {
    let session: ClientHttp2Session | undefined;
    const fail = (err: unknown) => {
      session?.destroy();
      reject(err instanceof TransportError ? err : new TransportError(describe(err), err));
    };
    const timer = setTimeout(() => fail(new TransportError(`no response within ${req.timeoutMs} ms`)), req.timeoutMs);
    const done = (value: ClientResponse) => {
      clearTimeout(timer);
      session?.close();
      resolve(value);
    };
    const authority = `${secure ? 'https' : 'http'}://${req.address}:${req.port}`;
    session = http2Connect(
      authority,
      secure
        ? {
            servername: req.tls!.serverName,
            ca: req.tls!.ca,
            checkServerIdentity: verifyHostnameLikeGo,
            ALPNProtocols: ['h2'],
            ...(req.tls!.cert !== undefined ? { cert: req.tls!.cert, key: req.tls!.key } : {}),
          }
        : {},
    );
    session.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    const headers: Record<string, string | string[]> = {
      [h2.HTTP2_HEADER_METHOD]: req.method,
      [h2.HTTP2_HEADER_PATH]: req.path,
      [h2.HTTP2_HEADER_SCHEME]: secure ? 'https' : 'http',
      [h2.HTTP2_HEADER_AUTHORITY]: req.host,
    };
    for (const [name, value] of req.headers) {
      const key = name.toLowerCase();
      const existing = headers[key];
      headers[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const stream = session.request(headers, { endStream: req.body === undefined });
    let status = 0;
    let responseHeaders: Record<string, string[]> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('response', (h) => {
      status = Number(h[h2.HTTP2_HEADER_STATUS] ?? 0);
      responseHeaders = h2Headers(h);
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (status === 0) {
        clearTimeout(timer);
        fail(new TransportError('the stream ended without a response'));
        return;
      }
      done({ status, headers: responseHeaders, body: Buffer.concat(chunks) });
    });
    stream.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    stream.on('close', () => {
      if (status === 0 && stream.rstCode !== undefined && stream.rstCode !== h2.NGHTTP2_NO_ERROR) {
        clearTimeout(timer);
        fail(new TransportError(`stream reset (code ${stream.rstCode})`));
      }
    });
    if (req.body !== undefined) stream.end(req.body);
  });
}

/** Sends one request on a fresh connection. */
export function sendRequest(req: ClientRequest): Promise<ClientResponse> {
  switch (req.protocol) {
    case 'HTTP':
    case 'HTTPS':
      return sendHttp1(req);
    case 'H2':
    case 'H2C_PRIOR_KNOWLEDGE':
      return sendHttp2(req);
    default: {
      const unknown: never = req.protocol;
      return Promise.reject(new Error(`unknown protocol ${String(unknown)}`));
    }
  }
}
