/**
 * Forwarding one request upstream: an undici `dispatch` per attempt whose handler writes the
 * upstream response straight into the client response (no buffering; the upstream is paused
 * while the client cannot take more). Around the attempts: the rule's request timeout (whole
 * exchange) and backend timeout (each attempt) -> 504, retries on the rule's codes and on
 * connection failures for requests without a body, the one retry of an idempotent request
 * whose reused keep-alive connection the backend had closed, and the one retry on another
 * endpoint of a request whose connection never opened (refused, unreachable, connect timeout:
 * nothing reached the backend, so even a non-idempotent request is safe to replay, and so is a
 * request body nothing has read yet; once read, a body is never replayed).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Readable, type Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Decision } from '../src/runtime/types.js';
import { editResponse, hasResponseFilters, RecordHeaders, type RequestHead } from '../src/runtime/filters/index.js';
import type { EndpointSet, UpstreamTarget } from './endpoints.js';
import type { Generation } from './generation.js';
import { forwardedResponseHeaders, headerRecord } from './headers.js';
import { isTrailersOnly, sendTrailersOnly } from './grpc.js';
import type { RulePolicy } from './policy.js';
import { BodyTooLarge, limitBody } from './request-guard.js';
import { reply } from './respond.js';
import type { GatewayRequest, GatewayResponse } from './servers.js';

/** Why the gateway itself cut an attempt or the exchange short. */
class GatewayAbort extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Errors of a connection the backend closed under a request (reused keep-alive socket). */
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const REFUSED_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The connection to the endpoint never opened: nothing of the request was sent. */
function connectFailure(code: string): boolean {
  return REFUSED_CODES.has(code) || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** Everything one proxied request needs; created by the request handler once routing is done. */
export interface ExchangeInit {
  generation: Generation;
  req: GatewayRequest;
  res: GatewayResponse;
  decision: Decision;
  /** The client request as the filters saw it (for response filters). */
  request: RequestHead;
  /** What goes upstream. */
  upstream: RequestHead;
  endpoints: EndpointSet;
  policy: RulePolicy;
  /** The request carries no body (it can be replayed). */
  bodiless: boolean;
  /** Request body bytes allowed (413 beyond); 0 = unlimited. A declared Content-Length was checked already. */
  bodyLimit: number;
  /** The socket the request came in on: while it drains, responses ask HTTP/1 clients to close. */
  socket: { readonly draining: boolean };
}

/** The kind of an upstream failure by its error code, as metrics and access logs report it. */
export function upstreamErrorKind(code: string): 'connect' | 'timeout' | 'reset' | 'tls' | 'protocol' | 'other' {
  if (REFUSED_CODES.has(code) || code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  if (RESET_CODES.has(code) || code === 'UND_ERR_CLOSED') return 'reset';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') return 'tls';
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code.startsWith('ERR_HTTP2')) return 'protocol';
  return 'other';
}

export class ProxyExchange {
  /** Response body bytes written to the client. */
  bytesOut = 0;
  /** Status sent to the client (0 until sent). */
  status = 0;
  /** Why the last upstream attempt failed (for metrics and logs); undefined when none did. */
  upstreamError: string | undefined;
  private attemptNo = 0;
  private retriesLeft: number;
  private resetRetryLeft: boolean;
  /** The one retry on another endpoint after a connection that never opened (while the request body is unread). */
  private connectRetryLeft: boolean;
  private current: Attempt | null = null;
  private requestTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly headers: Record<string, string | string[]>;
  /** The response head was a gRPC trailers-only answer: the stream is complete already. */
  private trailersOnly = false;
  /** The request body as sent upstream (counted against the body limit); created on first use. */
  private body: Readable | null = null;
  /** Whether a 'drain' listener resumes the paused upstream (added the first time the client pushes back). */
  private drainWatched = false;

  constructor(readonly init: ExchangeInit) {
    this.retriesLeft = init.bodiless ? init.policy.retries : 0;
    this.resetRetryLeft = init.bodiless && IDEMPOTENT.has(init.upstream.method);
    this.connectRetryLeft = true;
    const up = init.upstream;
    this.headers = headerRecord(up.headers);
    this.headers.host = up.authority;
  }

  /** Sends the first attempt. The owner calls `onClientClose` when the client response closes. */
  start(): void {
    const { policy } = this.init;
    if (policy.requestTimeoutMs > 0) {
      this.requestTimer = setTimeout(() => this.onRequestTimeout(), policy.requestTimeoutMs);
    }
    this.attempt();
  }

  /** Whether the client already has a response head (or the exchange is over). */
  private get answered(): boolean {
    return this.finished || this.status !== 0;
  }

  private attempt(): void {
    if (this.answered) return;
    const outliers = this.init.generation.pools.outliers;
    const target = this.init.endpoints.next((t) => outliers.isEjected(t));
    // No ready endpoint: 503; a backend that must not be connected to (unusable BackendTLSPolicy): 500.
    if (target === undefined) return this.fail(this.init.endpoints.problem !== undefined ? 500 : 503);
    const { upstream, req, bodiless, policy, generation } = this.init;
    const attempt = new Attempt(this, ++this.attemptNo, target);
    this.current = attempt;
    if (policy.backendTimeoutMs > 0) attempt.arm(policy.backendTimeoutMs);
    try {
      generation.pools.get(target).dispatch(
        {
          method: upstream.method,
          path: upstream.path,
          headers: this.headers,
          body: bodiless ? null : this.requestBody(req),
          idempotent: bodiless && IDEMPOTENT.has(upstream.method),
        },
        attempt,
      );
    } catch {
      // undici refused the request head outright (a header it will not send).
      attempt.disarm();
      this.fail(502);
    }
  }

  private requestBody(req: GatewayRequest): Readable {
    this.body ??= limitBody(req as Readable, req.headers['content-length'], this.init.bodyLimit) as Readable;
    return this.body;
  }

  /** Called by the current attempt when the upstream response head arrives; false = discard it and retry. */
  accept(status: number): boolean {
    if (this.retriesLeft > 0 && this.init.policy.retryCodes.has(status)) {
      this.retriesLeft--;
      return false;
    }
    return true;
  }

  /** Sends the upstream response head to the client. */
  commit(status: number, headers: IncomingHttpHeaders): void {
    const out = forwardedResponseHeaders(headers);
    if (hasResponseFilters(this.init.decision)) editResponse(this.init.decision, this.init.request, status, new RecordHeaders(out, true));
    if (this.init.socket.draining && this.init.req.httpVersionMajor === 1) out.connection = 'close';
    this.status = status;
    // Both response kinds take (status, headers); the union's overloads do not unify.
    // A gRPC trailers-only answer must stay one HEADERS frame that ends the stream.
    if (isTrailersOnly(this.init.req, out) && sendTrailersOnly(this.init.res, status, out)) {
      this.trailersOnly = true;
      return;
    }
    (this.init.res as ServerResponse).writeHead(status, out);
  }

  /** A chunk of the upstream body; false when the client needs the upstream paused. */
  write(chunk: Buffer): boolean {
    this.bytesOut += chunk.length;
    const res = this.init.res as Writable;
    if (res.write(chunk)) return true;
    if (!this.drainWatched) {
      this.drainWatched = true;
      res.on('drain', () => this.current?.controller?.resume());
    }
    return false;
  }

  complete(trailers: IncomingHttpHeaders): void {
    if (this.trailersOnly) return;
    const { res } = this.init;
    if (trailers && hasFields(trailers)) res.addTrailers(trailers as Record<string, string>);
    res.end();
  }

  /** The attempt ended with an error before or after the response head. */
  failed(error: Error, committed: boolean, target?: UpstreamTarget): void {
    const code = (error as { code?: string }).code ?? '';
    // Nothing was sent on a connection that never opened: the endpoint leaves the rotation.
    const outliers = this.init.generation.pools.outliers;
    if (target !== undefined && connectFailure(code)) outliers.connectFailed(target);
    if (this.finished) return;
    if (!committed && this.status !== 0) return;
    if (error instanceof BodyTooLarge) {
      // The client's fault, not the backend's: the rest of the body is never read, so the connection closes.
      if (committed) this.init.res.destroy();
      else this.fail(error.status, true);
      return;
    }
    this.upstreamError = error instanceof GatewayAbort ? 'timeout' : upstreamErrorKind(code);
    if (committed) {
      this.init.res.destroy();
      return;
    }
    if (error instanceof GatewayAbort) return this.fail(error.status);
    // Not one of the route's attempts: the endpoint (ejected above) never saw the request.
    if (this.connectRetryLeft && target !== undefined && connectFailure(code) && this.bodyUnread() && this.init.endpoints.hasOther(target, (t) => outliers.isEjected(t))) {
      this.connectRetryLeft = false;
      return this.retryLater(0);
    }
    if (this.retriesLeft > 0) {
      this.retriesLeft--;
      return this.retryLater();
    }
    if (this.resetRetryLeft && RESET_CODES.has(code)) {
      this.resetRetryLeft = false;
      return this.retryLater();
    }
    this.fail(connectFailure(code) ? 503 : 502);
  }

  /** Whether no byte of the request body has been taken from it yet (so the next attempt sends it whole). */
  private bodyUnread(): boolean {
    return this.body === null || !Readable.isDisturbed(this.body);
  }

  /** Try again after `backoff` (the rule's, unless given): a discarded response (a retried status) or a failed attempt. */
  retryLater(backoff = this.init.policy.backoffMs): void {
    if (this.answered) return;
    if (backoff > 0) setTimeout(() => this.attempt(), backoff).unref();
    // Never from inside the failed attempt's callback: undici would queue the retry on the
    // connection being torn down, and fail it with the same error.
    else setImmediate(() => this.attempt());
  }

  isCurrent(attempt: Attempt): boolean {
    return this.current === attempt && !this.finished;
  }

  private fail(status: number, close = false): void {
    if (this.answered) return;
    this.status = status;
    reply(this.init.res, status, close || this.init.socket.draining);
  }

  private onRequestTimeout(): void {
    if (this.finished) return;
    const current = this.current;
    const committed = current?.committed ?? false;
    current?.abort(new GatewayAbort(504, 'request timeout'));
    if (!committed) this.fail(504);
    else this.init.res.destroy();
  }

  /** The client response closed (finished or cut off). */
  onClientClose(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.requestTimer) clearTimeout(this.requestTimer);
    if (!this.init.res.writableFinished) this.current?.abort(new GatewayAbort(499, 'client closed'));
    this.current?.disarm();
  }
}

function hasFields(record: object): boolean {
  for (const _ in record) return true;
  return false;
}

/** One upstream attempt: the undici handler of a dispatch. */
class Attempt implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | null = null;
  committed = false;
  /** The response is being discarded for a retry. */
  private discard = false;
  private timer: NodeJS.Timeout | undefined;
  private pendingAbort: Error | null = null;

  constructor(
    private readonly exchange: ProxyExchange,
    readonly no: number,
    readonly target: UpstreamTarget,
  ) {}

  arm(ms: number): void {
    this.timer = setTimeout(() => this.abort(new GatewayAbort(504, 'backend request timeout')), ms);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  abort(reason: Error): void {
    this.disarm();
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort = reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (!this.exchange.isCurrent(this)) return controller.abort(new GatewayAbort(499, 'stale attempt'));
    if (!this.exchange.accept(statusCode)) {
      this.discard = true;
      return;
    }
    this.committed = true;
    this.exchange.commit(statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discard || !this.committed) return;
    if (!this.exchange.write(chunk)) controller.pause();
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.disarm();
    if (this.discard) return this.exchange.retryLater();
    if (this.committed) this.exchange.complete(trailers);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.disarm();
    if (!this.exchange.isCurrent(this)) return;
    if (this.discard) {
      // The discarded response broke off: the retry it earned still stands.
      return this.exchange.retryLater();
    }
    this.exchange.failed(error, this.committed, this.target);
  }
}
