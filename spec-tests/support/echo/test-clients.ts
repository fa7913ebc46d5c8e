/**
 * Small real clients (node:http, node:http2, node:net, node:tls, node:dgram) used by the echo
 * backend tests.
 */
import { createSocket } from 'node:dgram';
import { request as httpRequestRaw, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect as http2Connect, type ClientSessionOptions, type SecureClientSessionOptions } from 'node:http2';
import { request as httpsRequestRaw } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders | readonly string[];
  body?: string;
  /** TLS options for https URLs. */
  tls?: ConnectionOptions;
}

/** One HTTP/1.1 request on a fresh connection. */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResult> {
  const target = new URL(url);
  const raw = target.protocol === 'https:' ? httpsRequestRaw : httpRequestRaw;
  return new Promise((resolve, reject) => {
    const req = raw(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers as OutgoingHttpHeaders,
        agent: false,
        ...(options.tls ?? {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface Http2Result {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/2 request (h2c prior knowledge for http URLs, ALPN h2 for https URLs). */
export function http2Request(
  url: string,
  headers: Record<string, string | string[]>,
  options: ClientSessionOptions | SecureClientSessionOptions = {},
): Promise<Http2Result> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(url, options);
    session.on('error', reject);
    const stream = session.request(headers);
    let status = 0;
    let responseHeaders: Record<string, string | string[] | undefined> = {};
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      session.close();
      resolve({ status, headers: responseHeaders, body });
    });
    stream.on('error', (err) => {
      session.destroy();
      reject(err);
    });
    stream.end();
  });
}

/** A newline-oriented client for the TCP echo protocol. */
export class LineClient {
  #buffer = '';
  #waiters: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  #ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#deliver();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    const fail = (err: Error) => {
      this.#ended = true;
      for (const w of this.#waiters.splice(0)) w.reject(err);
    };
    socket.on('end', () => fail(new Error('connection ended')));
    socket.on('error', fail);
  }

  static connect(port: number, tls?: ConnectionOptions): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = tls
        ? tlsConnect({ host: '127.0.0.1', port, ...tls }, () => resolve(new LineClient(socket)))
        : netConnect({ host: '127.0.0.1', port }, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  #deliver(): void {
    let newline: number;
    while (this.#waiters.length > 0 && (newline = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, newline + 1);
      this.#buffer = this.#buffer.slice(newline + 1);
      this.#waiters.shift()!.resolve(line);
    }
  }

  /** The next line, including its `\n`. */
  readLine(timeoutMs = 2000): Promise<string> {
    if (this.#ended && this.#buffer.indexOf('\n') < 0) return Promise.reject(new Error('connection ended'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.#deliver();
    });
  }

  /** Data received but not yet read as lines. */
  pending(): string {
    return this.#buffer;
  }

  send(text: string): void {
    this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends one datagram from a fresh connected socket; resolves the first reply, or undefined on timeout. */
export function udpExchange(port: number, payload: Buffer | string, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const done = (value: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('message', (msg) => done(msg));
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.connect(port, '127.0.0.1', () => socket.send(payload));
  });
}

/** Whether a TCP connect to 127.0.0.1:port is refused (nothing listens any more). */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
