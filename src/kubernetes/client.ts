/**
 * A small Kubernetes API client: JSON requests and watch streams over node:http(s), with the
 * server address, TLS material and credentials of a kubeconfig or the in-cluster service
 * account (see config.ts). Credentials are applied per request, so rotated tokens are used.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeObject } from '../load/load.js';

/** Where the API server is and how to authenticate to it. */
export interface ClusterConnection {
  /** Base URL, e.g. `https://10.96.0.1:443`. */
  server: string;
  /** Adds TLS options, an agent and credential headers to the options of one request. */
  authorize(options: RequestOptions): Promise<void>;
}

/** `metav1.Status`, as the API server reports failures (and watch ERROR events). */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface KubeList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: KubeStatus };

/** A failed API request: the HTTP status and the `Status` the server answered with. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static fromStatus(code: number, status: Partial<KubeStatus> | undefined, fallback: string): ApiError {
    return new ApiError(status?.code ?? code, status?.reason, status?.message ?? fallback);
  }
}

export const isApiError = (err: unknown, code?: number): err is ApiError => err instanceof ApiError && (code === undefined || err.code === code);

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  query?: Query;
  body?: unknown;
  /** Content type of the body; default `application/json`. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface KubeClientOptions {
  /** Deadline of one non-watch request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Sent as User-Agent. */
  userAgent?: string;
}

export class KubeClient {
  readonly #connection: ClusterConnection;
  readonly #timeoutMs: number;
  readonly #userAgent: string;

  constructor(connection: ClusterConnection, options: KubeClientOptions = {}) {
    this.#connection = connection;
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#userAgent = options.userAgent ?? 'switchyard';
  }

  get server(): string {
    return this.#connection.server;
  }

  /** One request; resolves with the parsed JSON body, rejects with an ApiError on HTTP errors. */
  async request<T>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    const res = await this.#send(method, path, spec, this.#timeoutMs);
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    const parsed = parseJson(text);
    if (status < 200 || status > 299) throw ApiError.fromStatus(status, parsed as Partial<KubeStatus> | undefined, `${method} ${path}: HTTP ${status}`);
    if (parsed === undefined) throw new Error(`${method} ${path}: the answer is not JSON`);
    return parsed as T;
  }

  /**
   * A watch stream (`?watch=1`): yields one event per JSON line until the server ends the
   * stream (its timeout), the connection fails (throws), or `signal` aborts (returns).
   * A failed start (e.g. 410 Gone for an expired resourceVersion) throws an ApiError.
   */
  async *watch(path: string, query: Query, signal: AbortSignal, idleTimeoutMs: number): AsyncGenerator<WatchEvent> {
    const res = await this.#send('GET', path, { query: { ...query, watch: 1 }, signal }, idleTimeoutMs);
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const text = await readBody(res);
      throw ApiError.fromStatus(status, parseJson(text) as Partial<KubeStatus> | undefined, `watch ${path}: HTTP ${status}`);
    }
    res.setEncoding('utf8');
    let buffer = '';
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line === '') continue;
          const event = parseJson(line) as WatchEvent | undefined;
          if (!event || typeof event.type !== 'string' || typeof event.object !== 'object' || event.object === null) {
            throw new Error(`watch ${path}: malformed event ${JSON.stringify(line.slice(0, 200))}`);
          }
          yield event;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      res.destroy();
    }
    if (!res.complete && !signal.aborted) throw new Error(`watch ${path}: connection closed mid-stream`);
  }

  async #send(method: string, path: string, spec: RequestSpec, timeoutMs: number): Promise<IncomingMessage> {
    // A path in the server URL (an API server behind a proxy path) prefixes every request path.
    const base = new URL(this.#connection.server);
    const url = new URL(base.origin + base.pathname.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const body = spec.body === undefined ? undefined : Buffer.from(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
    const options: RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: url.pathname + url.search,
      headers: {
        accept: 'application/json',
        'user-agent': this.#userAgent,
        ...(body ? { 'content-type': spec.contentType ?? 'application/json', 'content-length': String(body.length) } : {}),
      },
    };
    await this.#connection.authorize(options);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(options, resolve);
      const abort = () => req.destroy(new Error('aborted'));
      if (spec.signal) {
        if (spec.signal.aborted) abort();
        else spec.signal.addEventListener('abort', abort, { once: true });
        req.once('close', () => spec.signal?.removeEventListener('abort', abort));
      }
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
