/**
 * The `grpc[]` calls of the conformance corpus (GRPCRoute tests): a unary call of the echo
 * service through the gateway over h2c (insecure gRPC), with the case's `:authority` and
 * metadata, judged like the harness: the status code must equal the expected one; when OK, the
 * echoed `fully_qualified_method` must be the method called, `context.namespace` the expected
 * namespace (when given) and `context.pod` must start with the backend name.
 */
import { credentials, Metadata, status as grpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { createGrpcEchoClient, type GrpcEchoResponse } from './echo/index.js';
import type { Verdict } from './http-cases.js';

export interface GrpcCase {
  request: { method: string; authority: string; metadata: Record<string, string> };
  response: { code: string; codeNumber: number };
  backend: string;
  namespace: string;
  gateway: string;
  listener?: string;
  port: number;
  subtest?: string;
  phase?: string;
}

export interface GrpcResult {
  code: number;
  details: string;
  response?: GrpcEchoResponse;
}

/** One client per gateway address and authority (a channel is one HTTP/2 connection, reused). */
export class GrpcClients {
  private readonly clients = new Map<string, Client>();

  get(address: string, port: number, authority: string): Client {
    const key = `${address}:${port}|${authority}`;
    let client = this.clients.get(key);
    if (!client) {
      client = createGrpcEchoClient(`${address}:${port}`, credentials.createInsecure(), authority ? { 'grpc.default_authority': authority } : {});
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/** Calls `/<service>/<method>` of the echo service; resolves the status (never rejects for gRPC errors). */
export function grpcCall(client: Client, c: GrpcCase, timeoutMs: number, extraMetadata: Record<string, string> = {}): Promise<GrpcResult> {
  const method = c.request.method.split('/').pop()!;
  const metadata = new Metadata();
  // grpc-go lower-cases metadata keys (metadata.New); so does grpc-js.
  for (const [k, v] of Object.entries({ ...c.request.metadata, ...extraMetadata })) metadata.add(k.toLowerCase(), v);
  const call = (client as unknown as Record<string, Function>)[method];
  if (typeof call !== 'function') return Promise.resolve({ code: grpcStatus.UNIMPLEMENTED, details: `the client has no method ${method}` });
  return new Promise((resolve) => {
    call.call(client, {}, metadata, { deadline: Date.now() + timeoutMs }, (err: ServiceError | null, response: GrpcEchoResponse) => {
      if (err) resolve({ code: err.code, details: err.details });
      else resolve({ code: grpcStatus.OK, details: '', response });
    });
  });
}

/** The harness's checks on one call. */
export function judgeGrpc(c: GrpcCase, r: GrpcResult): Verdict {
  if (r.code !== c.response.codeNumber) {
    return { ok: false, reason: `status ${grpcStatus[r.code] ?? r.code} (${r.details}), expected ${c.response.code}` };
  }
  if (r.code !== grpcStatus.OK) return { ok: true };
  const a = r.response?.assertions;
  if (!a) return { ok: false, reason: 'the response carries no assertions' };
  if (a.fully_qualified_method !== c.request.method) return { ok: false, reason: `method ${a.fully_qualified_method} answered, expected ${c.request.method}` };
  if (c.namespace && a.context?.namespace !== c.namespace) return { ok: false, reason: `namespace ${a.context?.namespace}, expected ${c.namespace}` };
  if (!a.context?.pod?.startsWith(c.backend)) return { ok: false, reason: `pod ${a.context?.pod} answered, expected one of ${c.backend}` };
  return { ok: true };
}
