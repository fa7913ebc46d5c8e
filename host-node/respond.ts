/** Answers the gateway gives itself: no route, misdirected, no backend, upstream failures. */
import { STATUS_CODES } from 'node:http';
import { grpcStatusFor, isGrpc, sendTrailersOnly } from './grpc.js';
import type { GatewayResponse } from './servers.js';

/**
 * Writes a complete response with a short text body (`<code> <reason>`), or the given body
 * and headers. `close` asks HTTP/1 clients to close the connection (draining).
 */
export function reply(res: GatewayResponse, status: number, close: boolean, headers?: readonly [string, string][], body?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status >= 400 && headers === undefined && res.req.httpVersionMajor === 2 && isGrpc(res.req.headers)) {
    // gRPC clients read the outcome from grpc-status: a trailers-only answer says it exactly.
    const grpc = { 'content-type': 'application/grpc', 'grpc-status': String(grpcStatusFor(status)), 'grpc-message': encodeURIComponent(`${status} ${STATUS_CODES[status] ?? ''}`.trim()) };
    if (sendTrailersOnly(res, 200, grpc)) return;
  }
  const text = body ?? (headers === undefined ? `${status} ${STATUS_CODES[status] ?? ''}\n` : '');
  const out: Record<string, string | string[]> = {};
  if (headers) {
    for (const [name, value] of headers) {
      const prior = out[name];
      out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
  }
  if (out['content-type'] === undefined && text !== '') out['content-type'] = 'text/plain; charset=utf-8';
  out['content-length'] = String(Buffer.byteLength(text));
  if (close && res.req.httpVersionMajor === 1) out.connection = 'close';
  res.writeHead(status, out);
  res.end(text);
}
