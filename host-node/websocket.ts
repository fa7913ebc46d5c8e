/**
 * HTTP/1.1 upgrades. Only WebSocket is forwarded (an h2c or unknown upgrade answers 403 and
 * never reaches a backend). The upgrade request goes through the same routing and filters as
 * any request; after the backend's 101 the two sockets are joined as raw byte streams. The
 * upstream socket is never returned to a pool.
 */
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { planRequest } from '../src/runtime/filters/index.js';
import type { Generation } from './generation.js';
import { headerRecord, stripResponseHeaders, type ForwardingTrust } from './headers.js';
import { clientHead, route } from './routing.js';
import type { BindingState } from './servers.js';

export function proxyUpgrade(generation: Generation, req: IncomingMessage, socket: Duplex, head: Buffer, state: BindingState, trust: ForwardingTrust): void {
  socket.on('error', () => socket.destroy());
  if ((req.headers.upgrade ?? '').trim().toLowerCase() !== 'websocket') return answerUpgrade(socket, 403);
  const routed = route(generation, req, state);
  if (!routed.ok) return answerUpgrade(socket, routed.status, routed.headers);
  const plan = planRequest(routed.decision, clientHead(req, state, routed.authority, trust), Math.random);
  if (plan.respond) return answerUpgrade(socket, plan.respond.status, plan.respond.headers, plan.respond.body);
  const endpoints = generation.endpoints.endpoints(routed.decision.backend!, routed.decision.listener.gateway);
  const target = endpoints.next((t) => generation.pools.outliers.isEjected(t));
  if (target === undefined) return answerUpgrade(socket, endpoints.problem !== undefined ? 500 : 503);
  const headers = headerRecord(plan.upstream.headers);
  headers.host = plan.upstream.authority;
  const relay = new UpgradeRelay(socket, head);
  try {
    generation.pools.get(target).dispatch({ method: 'GET', path: plan.upstream.path, headers, body: null, upgrade: 'websocket' }, relay);
  } catch {
    answerUpgrade(socket, 502);
  }
  socket.once('close', () => relay.clientGone());
}

class UpgradeRelay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private started = false;

  constructor(
    private readonly client: Duplex,
    private readonly head: Buffer,
  ) {}

  clientGone(): void {
    if (!this.started) this.controller?.abort(new Error('client closed'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onRequestUpgrade(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, upstream: Duplex): void {
    this.started = true;
    const client = this.client;
    if (client.destroyed) return void upstream.destroy();
    client.write(statusLine(statusCode) + headerLines(headers as Record<string, string | string[] | undefined>) + '\r\n');
    if (this.head.length > 0) upstream.write(this.head);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.pipe(client);
    client.pipe(upstream);
  }

  /** The backend declined the upgrade: relay its answer and close. */
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.started = true;
    const record = headers as Record<string, string | string[] | undefined>;
    stripResponseHeaders(record);
    record.connection = 'close';
    this.client.write(statusLine(statusCode) + headerLines(record) + '\r\n');
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.client.write(chunk);
  }

  onResponseEnd(): void {
    this.client.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.started) return void this.client.destroy();
    const code = (error as { code?: string }).code;
    answerUpgrade(this.client, code === 'ECONNREFUSED' ? 503 : 502);
  }
}

function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
}

function headerLines(headers: Record<string, string | string[] | undefined>): string {
  let out = '';
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out += `${name}: ${v}\r\n`;
  }
  return out;
}

/** A complete answer on a socket that was about to be upgraded; the connection then closes. */
export function answerUpgrade(socket: Duplex, status: number, headers: readonly [string, string][] = [], body = ''): void {
  if (socket.destroyed) return;
  let head = statusLine(status);
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  head += `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body);
}
