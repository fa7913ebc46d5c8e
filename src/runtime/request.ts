/**
 * Request reading shared by every matcher: header lookup and gRPC detection. (Host
 * normalisation lives with the other hostname rules in src/compile/hostnames.ts.)
 */
import type { HeaderSource } from './types.js';

/** The value of a header by lower-case name; repeated values joined with `, `; undefined when absent. */
export function headerValue(headers: HeaderSource | undefined, lowerName: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(name: string): string | null }).get(lowerName);
    return v === null ? undefined : v;
  }
  const v = (headers as Record<string, string | readonly string[] | undefined>)[lowerName];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

/** gRPC requests carry `content-type: application/grpc` (optionally `+proto` etc.). */
export function isGrpcRequest(headers: HeaderSource | undefined): boolean {
  const ct = headerValue(headers, 'content-type');
  return ct !== undefined && ct.toLowerCase().startsWith('application/grpc');
}
