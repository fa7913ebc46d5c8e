/**
 * HTTP echo backends: the request handler of echo-basic, shared by the plain HTTP/1.1 listener,
 * the HTTPS listener (HTTP/1.1 and HTTP/2 by ALPN, optional client certificates) and the h2c
 * listener (`h2c.ts`).
 *
 * Routes (upstream's ServeMux, after collapsing `//` in the path):
 * - `/health`: 200 `OK`.
 * - `/status/NNN`: answers status NNN when the whole request URI is exactly `/status/<3 digits>`,
 *   400 otherwise.
 * - `/retry/...?uuid=U&succeedAfter=N[&responseCode=C][&delayRetry=D]`: the first N requests
 *   for U fail (status C, or a connection reset when C is absent, after sleeping D), later ones
 *   are echoed.
 * - `/ws`: WebSocket echo (`websocket.ts`).
 * - anything else: the JSON echo (`echoBody`), after sleeping `?delay=D` (Go duration).
 *
 * Every echo is logged as `Echoing back request made to <RequestURI> to client (<addr>)`.
 * Request bodies are read completely before anything is answered.
 */
import { createServer as createHttpServer, ServerResponse, type IncomingMessage } from 'node:http';
import {
  constants as h2constants,
  createSecureServer,
  Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { DurationError, parseGoDuration } from './duration.js';
import {
  asPod,
  goJson,
  listenLoopback,
  peerCertificatePems,
  remoteAddr,
  sleep,
  tlsFacts,
  type EchoListener,
  type EchoPod,
  type PodIdentity,
} from './shared.js';
import { createWebSocketEcho, type WebSocketEcho } from './websocket.js';

export type EchoRequest = IncomingMessage | Http2ServerRequest;
export type EchoResponse = ServerResponse | Http2ServerResponse;

/** The `tls` object of an echo answer (Go `TLSAssertions`; empty optional fields are omitted). */
export interface EchoTlsAssertions {
  version: string;
  peerCertificates?: string[];
  serverName: string;
  negotiatedProtocol?: string;
  cipherSuite: string;
}

/** The JSON body of an echo answer, in upstream's field order. */
export interface EchoBody {
  /** The request URI as received: path plus query. */
  path: string;
  host: string;
  method: string;
  /** `HTTP/1.1`, `HTTP/1.0` or `HTTP/2.0`. */
  proto: string;
  /** Request headers by Go canonical name, one entry per received field line. */
  headers: Record<string, string[]>;
  httpPort: string;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
  tls?: EchoTlsAssertions;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's `textproto.CanonicalMIMEHeaderKey`: the first letter and every letter after `-` upper
 * case, the rest lower case; names with characters outside the token set stay as they are.
 */
export function canonicalHeaderName(name: string): string {
  if (!TOKEN.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/**
 * Request headers as Go's server presents them: keyed by canonical name, one value per field
 * line, without pseudo-headers and without Host (Go moves it to `Request.Host`). HTTP/2
 * `cookie` fields are joined with `; ` as Go's HTTP/2 server does.
 */
export function echoedHeaders(rawHeaders: readonly string[], http2: boolean): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.startsWith(':') || name.toLowerCase() === 'host') continue;
    const key = canonicalHeaderName(name);
    const values = byName.get(key) ?? [];
    values.push(rawHeaders[i + 1]!);
    byName.set(key, values);
  }
  if (http2 && byName.has('Cookie')) byName.set('Cookie', [byName.get('Cookie')!.join('; ')]);
  const out: Record<string, string[]> = {};
  for (const key of [...byName.keys()].sort()) out[key] = byName.get(key)!;
  return out;
}

/** TLS facts of the connection in the echo's `tls` form. */
export function tlsAssertions(socket: TLSSocket): EchoTlsAssertions {
  const facts = tlsFacts(socket);
  const peers = peerCertificatePems(socket);
  return {
    version: facts.version,
    ...(peers.length > 0 ? { peerCertificates: peers } : {}),
    serverName: facts.serverName,
    ...(facts.negotiatedProtocol !== '' ? { negotiatedProtocol: facts.negotiatedProtocol } : {}),
    cipherSuite: facts.cipherSuite,
  };
}

/** The connection a request arrived on (the TLS socket for HTTPS, the session socket for HTTP/2). */
function connectionOf(req: EchoRequest): Socket | TLSSocket | undefined {
  if (req instanceof Http2ServerRequest) return req.stream.session?.socket as Socket | TLSSocket | undefined;
  return req.socket;
}

function requestHost(req: EchoRequest, uri: string): string {
  if (req instanceof Http2ServerRequest) return req.authority ?? req.headers.host ?? '';
  // Absolute-form request targets carry the host themselves (Go's Request.Host is the URL's).
  if (/^https?:\/\//i.test(uri)) {
    try {
      return new URL(uri).host;
    } catch {
      // Fall back to the Host header for an unparseable target.
    }
  }
  return req.headers.host ?? '';
}

/** Builds the echo answer for a request (the body is independent of the listener kind). */
export function echoBody(pod: EchoPod, req: EchoRequest): EchoBody {
  const uri = req.url ?? '';
  const http2 = req instanceof Http2ServerRequest;
  const socket = connectionOf(req);
  const body: EchoBody = {
    path: uri,
    host: requestHost(req, uri),
    method: req.method ?? '',
    proto: http2 ? 'HTTP/2.0' : `HTTP/${req.httpVersion}`,
    headers: echoedHeaders(req.rawHeaders, http2),
    httpPort: pod.httpPort,
    namespace: pod.namespace,
    ingress: pod.ingress,
    service: pod.service,
    pod: pod.pod,
  };
  if (socket instanceof TLSSocket) body.tls = tlsAssertions(socket);
  return body;
}

/** The minimal response surface the handler needs, common to HTTP/1 and HTTP/2 responses. */
interface ResponseSink {
  statusCode: number;
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
  getHeader(name: string): unknown;
  end(data: string): unknown;
}

const VALID_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Applies `X-Echo-Set-Header: Name:value,Name2:value2` (every field line): each pair sets a
 * response header, a repeated name appends `,value`. Pairs whose name or value cannot be sent
 * are skipped, as Go's header writer skips them.
 */
export function applyEchoSetHeader(res: ResponseSink, requestedValues: readonly string[]): void {
  for (const list of requestedValues) {
    for (const pair of list.split(',')) {
      const trimmed = pair.trim();
      const colon = trimmed.indexOf(':');
      const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
      const value = colon < 0 ? '' : trimmed.slice(colon + 1).trim();
      if (!TOKEN.test(name) || !VALID_HEADER_VALUE.test(value)) continue;
      const existing = res.getHeader(name);
      res.setHeader(name, existing === undefined ? value : `${String(existing)},${value}`);
    }
  }
}

function headerValues(req: EchoRequest, name: string): string[] {
  const out: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  return out;
}

function sendJsonError(res: ResponseSink, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(goJson({ message }));
}

/** The path the routes are matched on: decoded, with `//` collapsed as upstream does. */
function routingPath(uri: string): string {
  let path = uri;
  if (/^https?:\/\//i.test(uri)) {
    try {
      path = new URL(uri).pathname;
    } catch {
      path = uri;
    }
  }
  path = path.split('?', 1)[0]!;
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep the raw path when it is not valid percent-encoding.
  }
  return path.replaceAll('//', '/');
}

function queryOf(uri: string): URLSearchParams {
  const q = uri.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : uri.slice(q + 1));
}

/** Reads and discards the request body; false when the client went away first. */
async function drainBody(req: EchoRequest): Promise<boolean> {
  try {
    for await (const _chunk of req) {
      // The body is not echoed; it is only consumed.
    }
    return true;
  } catch {
    return false;
  }
}

/** Ends the exchange without a response: TCP reset on HTTP/1, RST_STREAM on HTTP/2. */
function resetExchange(req: EchoRequest): void {
  if (req instanceof Http2ServerRequest) {
    req.stream.close(h2constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  try {
    req.socket.resetAndDestroy();
  } catch {
    // TLS sockets do not expose their TCP handle; a plain close is the nearest equivalent.
    req.socket.destroy();
  }
}

async function sleepFor(res: ResponseSink, value: string | null): Promise<boolean> {
  if (value === null || value === '') return true;
  let ms: number;
  try {
    ms = parseGoDuration(value);
  } catch (err) {
    if (!(err instanceof DurationError)) throw err;
    sendJsonError(res, 500, err.message);
    return false;
  }
  if (ms > 0) await sleep(ms);
  return true;
}

async function echo(pod: EchoPod, req: EchoRequest, res: ResponseSink): Promise<void> {
  const uri = req.url ?? '';
  const socket = connectionOf(req);
  pod.log.append(`Echoing back request made to ${uri} to client (${socket ? remoteAddr(socket) : ''})`);
  if (!(await sleepFor(res, queryOf(uri).get('delay')))) return;
  const body = echoBody(pod, req);
  applyEchoSetHeader(res, headerValues(req, 'x-echo-set-header'));
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.statusCode = 200;
  res.end(goJson(body, ' '));
}

function status(req: EchoRequest, res: ResponseSink): void {
  const match = /^\/status\/(\d\d\d)$/.exec(req.url ?? '');
  const code = match ? Number(match[1]) : 400;
  if (code < 100) {
    // Go's server aborts the connection when a handler writes an invalid status code.
    resetExchange(req);
    return;
  }
  // An informational code is not a final answer; Go then completes the response with 200.
  res.statusCode = code < 200 ? 200 : code;
  res.end('');
}

async function retry(pod: EchoPod, req: EchoRequest, res: ResponseSink): Promise<void> {
  const query = queryOf(req.url ?? '');
  const uuid = query.get('uuid') ?? '';
  const succeedAfter = Number(query.get('succeedAfter') ?? '0');
  const responseCodeParam = query.get('responseCode');
  const responseCode = responseCodeParam === null || responseCodeParam === '' ? undefined : Number(responseCodeParam);
  if (uuid === '') return sendJsonError(res, 400, 'missing uuid query parameter');
  if (!Number.isInteger(succeedAfter) || succeedAfter < 0) {
    return sendJsonError(res, 400, `invalid succeedAfter ${JSON.stringify(query.get('succeedAfter'))}`);
  }
  if (responseCode !== undefined && !(Number.isInteger(responseCode) && responseCode >= 200 && responseCode <= 999)) {
    return sendJsonError(res, 400, `invalid responseCode ${JSON.stringify(responseCodeParam)}`);
  }
  const attempt = (pod.retryCounts.get(uuid) ?? 0) + 1;
  pod.retryCounts.set(uuid, attempt);
  if (attempt > succeedAfter) return echo(pod, req, res);
  pod.log.append(
    `Failing request made to ${req.url ?? ''} (attempt ${attempt} of ${succeedAfter} for uuid ${uuid}) with ` +
      (responseCode === undefined ? 'a connection reset' : `status ${responseCode}`),
  );
  if (!(await sleepFor(res, query.get('delayRetry')))) return;
  if (responseCode === undefined) return resetExchange(req);
  res.statusCode = responseCode;
  res.end('');
}

export interface EchoHandlerOptions {
  /**
   * Serve the routes (`/health`, `/status/`, `/retry/`, `/ws`) besides the echo; default true.
   * Upstream's h2c listener has none: it echoes every path.
   */
  routes?: boolean;
}

/** The echo-basic request handler for `pod`, usable on HTTP/1 and HTTP/2 (compat API) servers. */
export function createEchoHandler(
  pod: EchoPod,
  options: EchoHandlerOptions = {},
): (req: EchoRequest, res: EchoResponse) => void {
  const routes = options.routes ?? true;
  return (req, res) => {
    const out: ResponseSink = res;
    const done = routes ? handle(pod, req, out) : drainBody(req).then((ok) => (ok ? echo(pod, req, out) : undefined));
    void done.catch((err: unknown) => {
      if (!out.headersSent) sendJsonError(out, 500, err instanceof Error ? err.message : String(err));
      else resetExchange(req);
    });
  };
}

async function handle(pod: EchoPod, req: EchoRequest, res: ResponseSink): Promise<void> {
  if (!(await drainBody(req))) return;
  const path = routingPath(req.url ?? '');
  if (path === '/health') {
    res.statusCode = 200;
    res.end('OK');
  } else if (path.startsWith('/status/')) {
    status(req, res);
  } else if (path.startsWith('/retry/')) {
    await retry(pod, req, res);
  } else if (path === '/ws') {
    // Reached only without a WebSocket upgrade (or over HTTP/2): the handshake cannot happen.
    res.statusCode = 400;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Bad Request');
  } else {
    await echo(pod, req, res);
  }
}

/**
 * Answers an HTTP/1 request that arrived as an `upgrade` event as an ordinary HTTP/1.1 request
 * (declining the upgrade, which a server may always do), then closes the connection.
 */
export function answerWithoutUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  handler: (req: EchoRequest, res: EchoResponse) => void,
): void {
  if (head.length > 0) socket.unshift(head);
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  handler(req, res);
}

/**
 * Handler for an HTTP/1 `upgrade` event: `/ws` WebSocket handshakes go to the WebSocket echo;
 * any other upgrade request (e.g. `Upgrade: h2c`) is answered as a plain request.
 */
export function createUpgradeHandler(
  ws: WebSocketEcho,
  handler: (req: EchoRequest, res: EchoResponse) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (isWebSocket && routingPath(req.url ?? '') === '/ws') ws.handleUpgrade(req, socket, head);
    else answerWithoutUpgrade(req, socket, head, handler);
  };
}

export interface HttpEchoServer extends EchoListener {
  readonly pod: EchoPod;
  /** Base URL, e.g. `http://127.0.0.1:41234` (`https://` for the TLS listener). */
  readonly url: string;
}

export interface HttpEchoOptions {
  pod: EchoPod | PodIdentity;
}

/** HTTP/1.1 echo on 127.0.0.1 (OS-assigned port; the pod's `httpPort` when not set yet). */
export async function startHttpEcho(options: HttpEchoOptions): Promise<HttpEchoServer> {
  const pod = asPod(options.pod);
  const handler = createEchoHandler(pod);
  const ws = createWebSocketEcho(pod);
  const server = createHttpServer(handler);
  server.on('upgrade', createUpgradeHandler(ws, handler));
  const listener = await listenLoopback(server);
  if (pod.httpPort === '') pod.httpPort = String(listener.port);
  return {
    pod,
    host: listener.host,
    port: listener.port,
    url: `http://${listener.host}:${listener.port}`,
    async close() {
      await ws.close();
      await listener.close();
    },
  };
}

export interface HttpsEchoOptions extends HttpEchoOptions {
  /** Server certificate chain, PEM. */
  cert: string;
  /** Server private key, PEM. */
  key: string;
  /**
   * CA certificates (PEM) for client certificates: a client certificate is then requested and
   * must verify against them when presented; clients without one are still served (Go's
   * `VerifyClientCertIfGiven`).
   */
  clientCa?: string;
}

/**
 * HTTPS echo on 127.0.0.1: HTTP/2 or HTTP/1.1 by ALPN (as Go's TLS server offers both), the
 * echo's `tls` object describing the connection.
 */
export async function startHttpsEcho(options: HttpsEchoOptions): Promise<HttpEchoServer> {
  const pod = asPod(options.pod);
  const handler = createEchoHandler(pod);
  const ws = createWebSocketEcho(pod);
  const server = createSecureServer(
    {
      cert: options.cert,
      key: options.key,
      allowHTTP1: true,
      ...(options.clientCa !== undefined ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
    },
    handler,
  );
  if (options.clientCa !== undefined) {
    server.on('secureConnection', (socket: TLSSocket) => {
      const presented = Object.keys(socket.getPeerCertificate()).length > 0;
      if (presented && !socket.authorized) socket.destroy();
    });
  }
  server.on('upgrade', createUpgradeHandler(ws, handler));
  const listener = await listenLoopback(server);
  if (pod.httpPort === '') pod.httpPort = String(listener.port);
  return {
    pod,
    host: listener.host,
    port: listener.port,
    url: `https://${listener.host}:${listener.port}`,
    async close() {
      await ws.close();
      await listener.close();
    },
  };
}
