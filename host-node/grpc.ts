/**
 * gRPC on the HTTP path: answers the gateway gives itself to gRPC calls are gRPC statuses
 * (HTTP 200, trailers-only with `grpc-status` / `grpc-message`), mapped from the HTTP status the
 * gateway would have sent as gRPC clients map HTTP statuses (404 -> UNIMPLEMENTED, 503 ->
 * UNAVAILABLE, ...; a gateway 504 is a deadline); and the client's `grpc-timeout` bounds the
 * whole call like a route request timeout (the shorter of the two wins).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { RulePolicy } from './policy.js';
import type { GatewayResponse } from './servers.js';

export const GRPC_STATUS = {
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** Whether a request is a gRPC call (`content-type: application/grpc[+proto|;...]`). */
export function isGrpc(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && /^application\/grpc(?:$|[+;])/i.test(type);
}

/** The gRPC status for an HTTP status the gateway answers with. */
export function grpcStatusFor(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 431:
      return GRPC_STATUS.INTERNAL;
    case 401:
      return GRPC_STATUS.UNAUTHENTICATED;
    case 403:
      return GRPC_STATUS.PERMISSION_DENIED;
    case 404:
      return GRPC_STATUS.UNIMPLEMENTED;
    case 408:
    case 504:
      return GRPC_STATUS.DEADLINE_EXCEEDED;
    case 429:
    case 502:
    case 503:
      return GRPC_STATUS.UNAVAILABLE;
    default:
      return GRPC_STATUS.UNKNOWN;
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/** `grpc-timeout` (1-8 digits and a unit, gRPC over HTTP/2) in ms, at least 1; undefined when absent or malformed. */
export function grpcTimeoutMs(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value.trim());
  if (!m) return undefined;
  return Math.max(1, Math.ceil(Number(m[1]) * UNIT_MS[m[2]!]!));
}

/** The rule's policy with the call's deadline applied as the request timeout when it is shorter. */
export function withGrpcDeadline(policy: RulePolicy, headers: IncomingHttpHeaders): RulePolicy {
  if (!isGrpc(headers)) return policy;
  const deadline = grpcTimeoutMs(headers['grpc-timeout']);
  if (deadline === undefined || (policy.requestTimeoutMs > 0 && policy.requestTimeoutMs <= deadline)) return policy;
  return { ...policy, requestTimeoutMs: deadline };
}

/**
 * Sends `headers` (with `grpc-status`) as a trailers-only response: one HEADERS frame that ends
 * the stream, which gRPC clients need to read the status from it. False (nothing sent) when the
 * response is not HTTP/2.
 */
export function sendTrailersOnly(res: GatewayResponse, status: number, headers: Record<string, string | string[]>): boolean {
  const stream = (res as Http2ServerResponse).stream;
  if (res.req.httpVersionMajor !== 2 || stream === undefined || stream.headersSent || stream.destroyed) return false;
  stream.respond({ ...headers, ':status': status }, { endStream: true });
  return true;
}

/** Whether an upstream response head is a gRPC trailers-only response (its status is in the head). */
export function isTrailersOnly(req: { headers: IncomingHttpHeaders; httpVersionMajor: number }, head: Record<string, unknown>): boolean {
  return req.httpVersionMajor === 2 && head['grpc-status'] !== undefined && isGrpc(req.headers);
}
