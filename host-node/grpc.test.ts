import { describe, expect, it } from 'vitest';
import { GRPC_STATUS, grpcStatusFor, grpcTimeoutMs, isGrpc, withGrpcDeadline } from './grpc.js';
import { DEFAULT_POLICY } from './policy.js';

describe('gRPC on the HTTP path', () => {
  it('recognises gRPC content types only', () => {
    expect(isGrpc({ 'content-type': 'application/grpc' })).toBe(true);
    expect(isGrpc({ 'content-type': 'application/grpc+proto' })).toBe(true);
    expect(isGrpc({ 'content-type': 'application/grpc-web' })).toBe(false);
    expect(isGrpc({ 'content-type': 'application/json' })).toBe(false);
    expect(isGrpc({})).toBe(false);
  });

  it('maps gateway HTTP statuses to gRPC statuses as clients do', () => {
    expect(grpcStatusFor(404)).toBe(GRPC_STATUS.UNIMPLEMENTED);
    expect(grpcStatusFor(503)).toBe(GRPC_STATUS.UNAVAILABLE);
    expect(grpcStatusFor(504)).toBe(GRPC_STATUS.DEADLINE_EXCEEDED);
    expect(grpcStatusFor(500)).toBe(GRPC_STATUS.UNKNOWN);
  });

  it('reads grpc-timeout and lets the shorter of it and the route timeout bound the call', () => {
    expect(grpcTimeoutMs('2S')).toBe(2000);
    expect(grpcTimeoutMs('150m')).toBe(150);
    expect(grpcTimeoutMs('10u')).toBe(1);
    expect(grpcTimeoutMs('1H')).toBe(3_600_000);
    expect(grpcTimeoutMs('123456789S')).toBeUndefined();
    expect(grpcTimeoutMs('5s')).toBeUndefined();
    const grpc = { 'content-type': 'application/grpc', 'grpc-timeout': '300m' };
    expect(withGrpcDeadline(DEFAULT_POLICY, grpc).requestTimeoutMs).toBe(300);
    expect(withGrpcDeadline({ ...DEFAULT_POLICY, requestTimeoutMs: 100 }, grpc).requestTimeoutMs).toBe(100);
    expect(withGrpcDeadline({ ...DEFAULT_POLICY, requestTimeoutMs: 1000 }, grpc).requestTimeoutMs).toBe(300);
    expect(withGrpcDeadline(DEFAULT_POLICY, { 'grpc-timeout': '300m' })).toBe(DEFAULT_POLICY);
  });
});
