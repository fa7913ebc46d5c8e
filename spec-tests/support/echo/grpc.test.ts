import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { certificateFor, INFRA_NS, type GeneratedLeaf } from '../certificates.js';
import { createGrpcEchoClient, grpcEchoMethod, startGrpcEcho, type GrpcEchoResponse, type GrpcEchoServer } from './grpc.js';
import { EchoPod } from './shared.js';
import { connectionRefused } from './test-clients.js';

const POD = 'grpc-infra-backend-v1-6b7c8d9f5a-p4q5r';

type Unary = (req: object, md: Metadata, cb: (err: ServiceError | null, res?: GrpcEchoResponse) => void) => void;

function call(client: Client, method: 'Echo' | 'EchoTwo' | 'EchoThree', md = new Metadata()): Promise<GrpcEchoResponse> {
  const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
  return new Promise((resolve, reject) => fn({}, md, (err, res) => (err ? reject(err) : resolve(res!))));
}

describe('gRPC echo', () => {
  let server: GrpcEchoServer;
  let cert: GeneratedLeaf;
  let plain: Client;
  const pod = new EchoPod({ namespace: INFRA_NS, pod: POD, service: 'grpc-infra-backend-v1' });

  beforeAll(async () => {
    cert = await certificateFor(`${INFRA_NS}/tls-checks-certificate`);
    server = await startGrpcEcho({ pod, tls: { cert: cert.certPem, key: cert.keyPem } });
    plain = createGrpcEchoClient(`127.0.0.1:${server.port}`);
  });
  afterAll(async () => {
    plain?.close();
    await server?.close();
  });

  it('Echo returns the assertions the GRPCRoute checks read', async () => {
    const md = new Metadata();
    md.add('Version', 'one');
    md.add('x-jitter', '42');
    const res = await call(plain, 'Echo', md);
    const a = res.assertions;
    expect(a.fully_qualified_method).toBe('/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo');
    expect(a.context).toEqual({ namespace: INFRA_NS, ingress: '', service_name: 'grpc-infra-backend-v1', pod: POD });
    expect(a.authority).toBe(`127.0.0.1:${server.port}`);
    expect(a.headers).toContainEqual({ key: ':authority', value: a.authority });
    expect(a.headers).toContainEqual({ key: 'version', value: 'one' });
    expect(a.headers).toContainEqual({ key: 'x-jitter', value: '42' });
    expect(a.headers.some((h) => h.key === 'content-type' || h.key === 'te' || h.key.startsWith(':path'))).toBe(false);
    expect(a.tls_assertions).toBeNull();
    expect(pod.log.includes(`Received over plaintext: ${grpcEchoMethod('Echo')}`)).toBe(true);
  });

  it('EchoTwo reports its own method name', async () => {
    const res = await call(plain, 'EchoTwo');
    expect(res.assertions.fully_qualified_method).toBe(grpcEchoMethod('EchoTwo'));
    expect(res.assertions.context.pod).toBe(POD);
  });

  it('EchoThree is unimplemented', async () => {
    await expect(call(plain, 'EchoThree')).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
    expect(status.UNIMPLEMENTED).toBe(12);
  });

  it('honours an overridden :authority', async () => {
    const client = createGrpcEchoClient(`127.0.0.1:${server.port}`, credentials.createInsecure(), {
      'grpc.default_authority': 'grpc.example.com',
    });
    const res = await call(client, 'Echo');
    client.close();
    expect(res.assertions.authority).toBe('grpc.example.com');
  });

  it('serves over TLS with tls_assertions', async () => {
    const client = createGrpcEchoClient(`127.0.0.1:${server.tlsPort}`, credentials.createSsl(Buffer.from(cert.trustPem)), {
      'grpc.ssl_target_name_override': 'abc.example.com',
      'grpc.default_authority': 'abc.example.com',
    });
    const res = await call(client, 'Echo');
    client.close();
    expect(res.assertions.tls_assertions).toEqual({
      version: 'TLSv1.3',
      negotiated_protocol: 'h2',
      server_name: 'abc.example.com',
      cipher_suite: expect.stringMatching(/^TLS_/),
      peer_certificates: [],
    });
    expect(res.assertions.context.namespace).toBe(INFRA_NS);
  });

  it('frees its ports on close', async () => {
    const other = await startGrpcEcho({ pod: { namespace: 'ns', pod: 'g-a-b' }, tls: { cert: cert.certPem, key: cert.keyPem } });
    const client = createGrpcEchoClient(`127.0.0.1:${other.port}`);
    expect((await call(client, 'Echo')).assertions.context.pod).toBe('g-a-b');
    await other.close();
    client.close();
    expect(await connectionRefused(other.port)).toBe(true);
    expect(await connectionRefused(other.tlsPort!)).toBe(true);
  });
});
