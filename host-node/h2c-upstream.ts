/**
 * Cleartext HTTP/2 to one backend origin (appProtocol `kubernetes.io/h2c`, gRPC) over node:http2,
 * behind undici's dispatch-handler interface so the proxy drives it like its HTTP/1.1 pools.
 * Response trailers (gRPC's `grpc-status` / `grpc-message`) reach the handler's
 * `onResponseEnd`, which undici's H2CClient does not deliver.
 *
 * One session per origin carries every request; a session that failed, went away or stayed idle
 * for `keepAliveTimeoutMs` is replaced by a new one on the next request.
 */
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

export interface H2cUpstreamOptions {
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
}

class ConnectTimeoutError extends Error {
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';
}

/** Response header names HTTP/2 forbids or that only describe the hop. */
const DROPPED_REQUEST_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function withoutPseudo(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && k.charCodeAt(0) !== 0x3a) out[k] = v;
  return out;
}

/** Aborts, pauses and resumes one stream for the handler (undici's DispatchController). */
class StreamController {
  aborted = false;
  reason: Error | null = null;
  paused = false;
  private stream: ClientHttp2Stream | null = null;

  constructor(private readonly onAbort: (reason: Error) => void) {}

  attach(stream: ClientHttp2Stream): void {
    this.stream = stream;
    if (this.paused) stream.pause();
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.stream?.close(constants.NGHTTP2_CANCEL);
    this.onAbort(reason);
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }
}

export class H2cUpstream {
  private session: ClientHttp2Session | undefined;
  private open = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly origin: string,
    private readonly options: H2cUpstreamOptions,
  ) {}

  /** Sends one request; the proxy passes its headers as a record and its body as a stream or null. */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const opts = { method: options.method, path: options.path, headers: (options.headers ?? {}) as Record<string, string | string[]>, body: (options.body ?? null) as Readable | null };
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      handler.onResponseError?.(controller as unknown as Dispatcher.DispatchController, err);
    };
    const controller = new StreamController(fail);
    handler.onRequestStart?.(controller as unknown as Dispatcher.DispatchController, {});
    if (controller.aborted) return true;
    if (this.closed) {
      fail(Object.assign(new Error('the upstream is closed'), { code: 'UND_ERR_CLOSED' }));
      return true;
    }
    const headers: OutgoingHttpHeaders = {
      ':method': opts.method,
      ':path': opts.path,
      ':scheme': 'http',
      ':authority': (opts.headers.host as string | undefined) ?? new URL(this.origin).host,
    };
    for (const [k, v] of Object.entries(opts.headers)) if (!DROPPED_REQUEST_HEADERS.has(k)) headers[k] = v;
    let stream: ClientHttp2Stream;
    try {
      stream = this.currentSession().request(headers, { endStream: opts.body === null });
    } catch (err) {
      fail(err as Error);
      return true;
    }
    this.streamOpened();
    controller.attach(stream);
    let trailers: Record<string, string | string[]> = {};
    let ended = false;
    stream.on('response', (head) => {
      if (settled) return;
      const status = Number(head[':status']);
      handler.onResponseStart?.(controller as unknown as Dispatcher.DispatchController, status, withoutPseudo(head), '');
    });
    stream.on('data', (chunk: Buffer) => {
      if (!settled) handler.onResponseData?.(controller as unknown as Dispatcher.DispatchController, chunk);
    });
    stream.on('trailers', (t) => {
      trailers = withoutPseudo(t);
    });
    stream.on('end', () => {
      ended = true;
    });
    stream.on('error', (err) => fail(err));
    stream.once('close', () => {
      this.streamClosed();
      if (settled) return;
      // Trailers may arrive after 'end'; the stream's close is the point where both are known.
      if (ended && stream.rstCode === constants.NGHTTP2_NO_ERROR) {
        settled = true;
        handler.onResponseEnd?.(controller as unknown as Dispatcher.DispatchController, trailers);
      } else {
        fail(Object.assign(new Error(`HTTP/2 stream closed (code ${stream.rstCode})`), { code: 'UND_ERR_SOCKET' }));
      }
    });
    if (opts.body) {
      opts.body.on('error', (err) => {
        stream.close(constants.NGHTTP2_CANCEL);
        fail(err);
      });
      opts.body.pipe(stream);
    }
    return true;
  }

  /** Lets requests in flight finish, then closes the session. */
  close(): Promise<void> {
    this.closed = true;
    this.clearIdle();
    const session = this.session;
    this.session = undefined;
    if (!session || session.destroyed) return Promise.resolve();
    return new Promise((resolve) => session.close(() => resolve()));
  }

  /** Closes the session and every request on it now. */
  destroy(): Promise<void> {
    this.closed = true;
    this.clearIdle();
    this.session?.destroy();
    this.session = undefined;
    return Promise.resolve();
  }

  private currentSession(): ClientHttp2Session {
    const existing = this.session;
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = connect(this.origin);
    this.session = session;
    const timer = setTimeout(() => session.destroy(new ConnectTimeoutError(`connect to ${this.origin} timed out`)), this.options.connectTimeoutMs);
    session.once('connect', () => clearTimeout(timer));
    session.once('close', () => {
      clearTimeout(timer);
      if (this.session === session) this.session = undefined;
    });
    session.once('goaway', () => {
      if (this.session === session) this.session = undefined;
    });
    // Stream errors report session failures to each request; the session itself must not throw.
    session.on('error', () => undefined);
    session.unref();
    return session;
  }

  private streamOpened(): void {
    this.open++;
    this.clearIdle();
    this.session?.ref();
  }

  private streamClosed(): void {
    if (--this.open > 0) return;
    const session = this.session;
    session?.unref();
    this.idleTimer = setTimeout(() => {
      if (this.open === 0 && this.session === session) {
        this.session = undefined;
        session?.close();
      }
    }, this.options.keepAliveTimeoutMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
