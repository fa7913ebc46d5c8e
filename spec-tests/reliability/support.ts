/**
 * Harness of the reliability and security battery (design/security.md §5): loopback backends
 * that record every request they receive, a raw-socket HTTP/1 client for traffic no HTTP
 * library will send, a keep-alive load generator with latency figures, and the fixture the
 * battery's gateway serves. Loopback only; every wait is bounded.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import type { RecordableHistogram } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One request as a backend received it. */
export interface Recorded {
  backend: string;
  method: string;
  /** The request target exactly as received. */
  url: string;
  /** Field lines as received (name, value, name, value...). */
  rawHeaders: string[];
  /** sha256 of the body; undefined when the body never completed (the request was aborted). */
  bodySha256: string | undefined;
  bodyBytes: number;
}

export interface RecordingBackend {
  readonly name: string;
  readonly port: number;
  /** Requests whose head arrived, in order (bodies filled in when they complete). */
  readonly requests: Recorded[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Stops accepting and closes every connection. */
  close(): Promise<void>;
  /**
   * The B11 race, made deterministic: a request arriving on a connection that has been idle for
   * `ms` or more since its last response is not answered; the connection is closed instead, as
   * when a backend's keep-alive timer fires just as the request arrives. Not recorded in `requests`.
   */
  dropReusedAfterIdle(ms: number): void;
  /** Requests dropped that way. */
  readonly dropped: number;
}

/**
 * A backend answering 200 with a JSON echo (`backend`, `url`, `headers` as raw lines) after
 * reading the whole body; `?delay=<ms>` delays the answer (bounded to 30 s). It takes request
 * heads up to 128 KiB, so whatever the gateway forwards arrives.
 */
export async function startRecordingBackend(name: string, port = 0): Promise<RecordingBackend> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  let idleMs = 0;
  let connections = 0;
  let dropped = 0;
  /** When each connection's last response finished. */
  const idleSince = new WeakMap<Socket, number>();
  const server: Server = createServer({ keepAliveTimeout: 0, requestTimeout: 0, maxHeaderSize: 128 * 1024 }, (req: IncomingMessage, res: ServerResponse) => {
    const since = idleSince.get(req.socket);
    if (idleMs > 0 && since !== undefined && Date.now() - since >= idleMs) {
      dropped++;
      req.socket.destroy();
      return;
    }
    res.once('finish', () => idleSince.set(req.socket, Date.now()));
    const entry: Recorded = { backend: name, method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, bodySha256: undefined, bodyBytes: 0 };
    requests.push(entry);
    const hash = createHash('sha256');
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      entry.bodyBytes += chunk.length;
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      entry.bodySha256 = hash.digest('hex');
      const delay = Math.min(30_000, Number(/[?&]delay=([0-9]+)/.exec(entry.url)?.[1] ?? 0));
      const answer = () => {
        if (res.destroyed) return;
        const body = JSON.stringify({ backend: name, url: entry.url, method: entry.method, headers: entry.rawHeaders, bodyBytes: entry.bodyBytes });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    name,
    port: (server.address() as AddressInfo).port,
    requests,
    get connections() {
      return connections;
    },
    dropReusedAfterIdle(ms: number) {
      idleMs = ms;
    },
    get dropped() {
      return dropped;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

/** A parsed HTTP/1 response read from a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Interim (1xx) statuses seen before it. */
  interim: number[];
}

/**
 * An HTTP/1 client connection that writes exactly the bytes it is given and parses responses
 * (Content-Length, chunked, or up to close). Never normalizes anything.
 */
export class RawConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private closedFlag = false;
  private waiters: (() => void)[] = [];
  private readonly socket: Socket;
  readonly connected: Promise<void>;

  constructor(port: number) {
    this.socket = netConnect({ host: '127.0.0.1', port });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes received and not yet parsed as a response. */
  get pending(): Buffer {
    return this.buffer;
  }

  write(data: string | Buffer): void {
    if (!this.closedFlag) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when bytes arrive or the socket closes, or after `deadline`. */
  private async more(deadline: number): Promise<boolean> {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return Date.now() < deadline;
  }

  /** Waits until the server closes the connection; false if it is still open after `timeoutMs`. */
  async waitClose(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closedFlag) if (!(await this.more(deadline))) return this.closedFlag;
    return true;
  }

  /** The next response, or 'closed' when the connection closed first, or 'timeout'. */
  async response(timeoutMs = 5_000, head = false): Promise<RawResponse | 'closed' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    const interim: number[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.closedFlag) return 'closed';
        if (!(await this.more(deadline))) return this.closedFlag ? 'closed' : 'timeout';
        continue;
      }
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] ([0-9]{3})/.exec(lines[0]!)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      if (status >= 100 && status < 200) {
        interim.push(status);
        this.buffer = this.buffer.subarray(end + 4);
        continue;
      }
      let rest = this.buffer.subarray(end + 4);
      let body: Buffer;
      if (head) {
        body = Buffer.alloc(0);
      } else if (headers['content-length'] !== undefined) {
        const length = Number(headers['content-length']);
        while (rest.length < length) {
          if (this.closedFlag || !(await this.more(deadline))) return this.closedFlag ? 'closed' : 'timeout';
          rest = this.buffer.subarray(end + 4);
        }
        body = rest.subarray(0, length);
        rest = rest.subarray(length);
      } else if ((headers['transfer-encoding'] ?? '').toLowerCase() === 'chunked') {
        const parts: Buffer[] = [];
        let offset = 0;
        for (;;) {
          const lineEnd = rest.indexOf('\r\n', offset);
          const size = lineEnd < 0 ? NaN : parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
          if (lineEnd < 0 || rest.length < lineEnd + 2 + size + 2) {
            if (this.closedFlag || !(await this.more(deadline))) return this.closedFlag ? 'closed' : 'timeout';
            rest = this.buffer.subarray(end + 4);
            continue;
          }
          if (size === 0) {
            offset = lineEnd + 4;
            break;
          }
          parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
          offset = lineEnd + 2 + size + 2;
        }
        body = Buffer.concat(parts);
        rest = rest.subarray(offset);
      } else {
        while (!this.closedFlag) if (!(await this.more(deadline))) return 'timeout';
        body = this.buffer.subarray(end + 4);
        rest = Buffer.alloc(0);
      }
      this.buffer = Buffer.from(rest);
      return { status, headers, body: Buffer.from(body), interim };
    }
  }
}

/** Sends `text` on a fresh connection and returns the first response (or how the connection ended). */
export async function rawOnce(port: number, text: string | Buffer, timeoutMs = 5_000): Promise<{ answer: RawResponse | 'closed' | 'timeout'; closedAfter: boolean }> {
  const c = new RawConnection(port);
  await c.connected;
  c.write(text);
  const answer = await c.response(timeoutMs);
  const closedAfter = answer === 'closed' || (await c.waitClose(answer === 'timeout' ? 0 : 300));
  c.destroy();
  return { answer, closedAfter };
}

/** Latency percentiles (ms) of a sample. */
export function percentiles(samples: number[]): { p50: number; p99: number; max: number } {
  if (samples.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface LoadResult {
  sent: number;
  /** By status; 0 = transport error. */
  statuses: Map<number, number>;
  failures: number;
  latencies: number[];
  errors: string[];
  /** Every request that did not succeed: when it started and ended (Date.now()), its status (0 = transport error). */
  failed: { startedAt: number; endedAt: number; status: number; path: string }[];
}

export interface LoadOptions {
  port: number;
  host: string;
  /** Concurrent keep-alive connections, each sending one request after another. */
  connections: number;
  durationMs: number;
  /** Target request rate over all connections (0 = as fast as possible). */
  rps: number;
  /** Path of the n-th request. */
  path: (n: number) => string;
  /** Statuses that count as success (default: 2xx). */
  ok?: (status: number) => boolean;
  /** Sent as the body of a POST (with Content-Length) instead of a GET. */
  body?: Buffer;
  /** Stops early when it resolves. */
  stop?: Promise<unknown>;
  /**
   * Records latencies here (µs) instead of in `LoadResult.latencies`, so that a long run's
   * memory stays flat.
   */
  histogram?: RecordableHistogram;
}

/** Steady keep-alive load with node:http (valid GETs, or POSTs of `body`); bounded by `durationMs`. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  // Node 20's agent honours the server's `Keep-Alive: timeout=N` (closing an idle connection 1 s
  // before it) only when it has a timeout of its own; without one it keeps idle connections until
  // the gateway closes them, and a request sent as the gateway closes is reset.
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, timeout: 30_000 });
  const result: LoadResult = { sent: 0, statuses: new Map(), failures: 0, latencies: [], errors: [], failed: [] };
  const ok = options.ok ?? ((s: number) => s >= 200 && s < 300);
  const started = Date.now();
  const end = started + options.durationMs;
  let stopped = false;
  void options.stop?.then(() => (stopped = true));
  const interval = options.rps > 0 ? (1000 * options.connections) / options.rps : 0;
  let n = 0;
  const worker = async (w: number) => {
    let next = started + (interval * w) / options.connections;
    while (!stopped && Date.now() < end) {
      if (interval > 0) {
        const wait = next - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next += interval;
        if (stopped || Date.now() >= end) break;
      }
      const path = options.path(n++);
      const startedAt = Date.now();
      const t0 = performance.now();
      const status = await new Promise<number>((resolve) => {
        const method = options.body ? 'POST' : 'GET';
        const req = httpRequest({ host: '127.0.0.1', port: options.port, path, agent, method, headers: { host: options.host }, timeout: 30_000 }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', (err) => fail(err));
        });
        const fail = (err: Error) => {
          if (result.errors.length < 20) result.errors.push(`${path}: ${err.message}${req.reusedSocket ? ' (reused connection)' : ''}`);
          resolve(0);
        };
        req.on('timeout', () => req.destroy(new Error('client timeout')));
        req.on('error', fail);
        req.end(options.body);
      });
      const ms = performance.now() - t0;
      if (options.histogram) options.histogram.record(Math.max(1, Math.round(ms * 1_000)));
      else result.latencies.push(ms);
      result.sent++;
      result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
      if (!ok(status)) {
        result.failures++;
        result.failed.push({ startedAt, endedAt: Date.now(), status, path });
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, w) => worker(w)));
  agent.destroy();
  return result;
}

/** One request on a fresh connection with node:http: status and body. */
export function get(port: number, path: string, host = 'a.example', timeoutMs = 15_000): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { host }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 }));
      res.on('error', () => resolve({ status: 0, body, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0 }));
    req.end();
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resident set size in MiB. */
export function rssMiB(): number {
  return Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Memory outside the JS heap (Wasm memories, ArrayBuffers) in MiB after a full collection. */
export function externalMiB(): number {
  collect();
  collect();
  return Math.round((process.memoryUsage().external / 1024 / 1024) * 10) / 10;
}

/** Live JavaScript heap in MiB after a full collection (what stays retained). */
export function retainedHeapMiB(): number {
  collect();
  collect();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

/** A loopback endpoint that never completes a TCP handshake (see `startBlackHole`). */
export interface BlackHole {
  readonly port: number;
  /** Kills the stopped listener process and drops the connections queued on it. */
  close(): Promise<void>;
}

/**
 * A black-holed endpoint on loopback. Loopback never drops packets by itself (a port without a
 * listener refuses at once), so the hole is a listening socket whose accept queue is full: a
 * child process listens with `backlog: 1` and stops itself (SIGSTOP) so it never accepts; the
 * queue is then filled with idle connections from here (Linux keeps backlog + 1 of them).
 * From then on the kernel drops every SYN to the port (tcp_abort_on_overflow is 0 by default),
 * so a client's connect hangs until its own timeout, as with a firewall that drops.
 * Verified before returning: a probe connect must still be pending after `verifyMs`.
 */
export async function startBlackHole(verifyMs = 300): Promise<BlackHole> {
  const script =
    "const s=require('node:net').createServer();" +
    "s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(s.address().port+'\\n');process.kill(process.pid,'SIGSTOP')})";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const queued: Socket[] = [];
  const close = async () => {
    for (const s of queued) s.destroy();
    await kill();
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('black-hole listener did not start within 10 s')), 10_000);
      child.stdout!.once('data', (chunk: Buffer) => {
        clearTimeout(timer);
        resolve(Number(chunk.toString().trim()));
      });
      child.once('exit', () => reject(new Error('black-hole listener exited')));
    });
    // Fill the accept queue: connect until one connection stays pending (at most 8 tries).
    for (let i = 0; i < 8; i++) {
      const socket = netConnect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      queued.push(socket);
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), verifyMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!connected) return { port, close };
    }
    throw new Error(`port ${port} kept accepting connections: no black hole on this system`);
  } catch (err) {
    await close();
    throw err;
  }
}
