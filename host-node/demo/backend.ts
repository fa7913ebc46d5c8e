/**
 * The demo's backends: small HTTP servers that answer every request with JSON saying which
 * backend served it and what it received (method, path, Host, headers), so the effect of a
 * route, a canary split, a header modifier or a rewrite is visible in the answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoBackendOptions {
  /** Reported as `backend` in every answer, e.g. `shop/api-v1`. */
  name: string;
  host?: string;
  /** 0 (the default) lets the system choose. */
  port?: number;
}

export interface DemoBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What a demo backend answers. */
export interface DemoAnswer {
  backend: string;
  method: string;
  /** The request target as the backend received it (after any rewrite by the gateway). */
  path: string;
  host: string;
  /** Request headers, lower-case names, repeated ones joined with `, `. */
  headers: Record<string, string>;
  bodyBytes: number;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    out[name] = name in out ? `${out[name]}, ${value}` : value;
  }
  return out;
}

async function answer(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let bodyBytes = 0;
  for await (const chunk of req) bodyBytes += (chunk as Buffer).length;
  const body: DemoAnswer = {
    backend: name,
    method: req.method ?? '',
    path: req.url ?? '',
    host: req.headers.host ?? '',
    headers: headersOf(req),
    bodyBytes,
  };
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'X-Demo-Backend': name,
  });
  res.end(text);
}

export async function startDemoBackend(options: DemoBackendOptions): Promise<DemoBackend> {
  const server = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 },
    (req, res) => {
      answer(options.name, req, res).catch(() => res.destroy());
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    name: options.name,
    host: address.address,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
