import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { caFor, certificateFor, INFRA_NS } from '../certificates.js';
import { createGrpcEchoClient, deploymentPodName, startEchoFleet, type EchoBody, type EchoFleet, type GrpcEchoResponse } from './index.js';
import { connectionRefused, http2Request, httpRequest, LineClient, udpExchange } from './test-clients.js';

/** The backend name the weighted tests derive from a pod name: drop the last two `-` segments. */
const backendOfPod = (pod: string) => pod.split('-').slice(0, -2).join('-');

function grpcEcho(client: Client): Promise<GrpcEchoResponse> {
  const fn = (client as unknown as Record<string, (r: object, m: Metadata, cb: (e: ServiceError | null, r?: GrpcEchoResponse) => void) => void>).Echo!;
  return new Promise((resolve, reject) => fn.call(client, {}, new Metadata(), (err, res) => (err ? reject(err) : resolve(res!))));
}

describe('deploymentPodName', () => {
  it('names pods <deployment>-<x>-<y> so the deployment can be recovered', () => {
    const pod = deploymentPodName('infra-backend-v1');
    expect(pod).toMatch(/^infra-backend-v1-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(backendOfPod(pod)).toBe('infra-backend-v1');
    expect(deploymentPodName('a')).not.toBe(deploymentPodName('a'));
  });
});

describe('startEchoFleet', () => {
  let fleet: EchoFleet;
  let trustPem: string;

  beforeAll(async () => {
    const tls = await certificateFor(`${INFRA_NS}/tls-checks-certificate`);
    trustPem = tls.trustPem;
    const clientCa = (await caFor(`${INFRA_NS}/tls-checks-ca-certificate`)).certPem;
    fleet = await startEchoFleet([
      { name: 'infra-backend-v1', namespace: INFRA_NS, kind: 'http' },
      { name: 'infra-backend-v2', namespace: INFRA_NS, kind: 'http' },
      { name: 'tls-backend', namespace: INFRA_NS, kind: 'http', tls: { cert: tls.certPem, key: tls.keyPem, clientCa } },
      { name: 'web-backend', namespace: 'gateway-conformance-web-backend', kind: 'http', pod: 'web-backend-abc-def' },
      { name: 'grpc-infra-backend-v1', namespace: INFRA_NS, kind: 'grpc' },
      { name: 'tcp-backend-v1', namespace: INFRA_NS, kind: 'tcp', tls: { cert: tls.certPem, key: tls.keyPem } },
      { name: 'udp-backend-v1', namespace: INFRA_NS, kind: 'udp', service: 'udp-svc' },
      { name: 'coredns', namespace: INFRA_NS, kind: 'dns' },
    ]);
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('reports every backend with its identity and the ports of its kind', () => {
    expect(fleet.backends.map((b) => b.name)).toEqual([
      'infra-backend-v1', 'infra-backend-v2', 'tls-backend', 'web-backend', 'grpc-infra-backend-v1', 'tcp-backend-v1', 'udp-backend-v1', 'coredns',
    ]);
    const v1 = fleet.get(INFRA_NS, 'infra-backend-v1');
    expect(v1.host).toBe('127.0.0.1');
    expect(Object.keys(v1.ports).sort()).toEqual(['h2c', 'http']);
    expect(v1.service).toBe('infra-backend-v1');
    expect(backendOfPod(v1.pod)).toBe('infra-backend-v1');
    expect(Object.keys(fleet.get(INFRA_NS, 'tls-backend').ports).sort()).toEqual(['h2c', 'http', 'https']);
    expect(Object.keys(fleet.get(INFRA_NS, 'tcp-backend-v1').ports).sort()).toEqual(['tcp', 'tls']);
    expect(fleet.get('gateway-conformance-web-backend', 'web-backend').pod).toBe('web-backend-abc-def');
    expect(() => fleet.get(INFRA_NS, 'missing')).toThrow(/no echo backend gateway-conformance-infra\/missing/);
  });

  it('keeps one pod per backend across its HTTP, h2c and HTTPS listeners', async () => {
    const b = fleet.get(INFRA_NS, 'tls-backend');
    const h1 = JSON.parse((await httpRequest(`http://127.0.0.1:${b.ports.http}/one`)).body) as EchoBody;
    const h2 = JSON.parse((await http2Request(`http://127.0.0.1:${b.ports.h2c}`, { ':path': '/two' })).body) as EchoBody;
    const tls = JSON.parse(
      (await httpRequest(`https://127.0.0.1:${b.ports.https}/three`, { tls: { ca: trustPem, servername: 'abc.example.com' } })).body,
    ) as EchoBody;
    for (const body of [h1, h2, tls]) {
      expect(body.pod).toBe(b.pod);
      expect(body.namespace).toBe(INFRA_NS);
      expect(body.httpPort).toBe(String(b.ports.http));
    }
    expect(tls.tls?.serverName).toBe('abc.example.com');
    expect(b.log.sawRequest('/one') && b.log.sawRequest('/two') && b.log.sawRequest('/three')).toBe(true);
  });

  it('keeps logs per backend, as mirror checks need', async () => {
    const v1 = fleet.get(INFRA_NS, 'infra-backend-v1');
    const v2 = fleet.get(INFRA_NS, 'infra-backend-v2');
    await httpRequest(`http://127.0.0.1:${v2.ports.http}/mirror?gateway-api-conformance-request-id=1`);
    expect(v2.log.sawRequest('/mirror?gateway-api-conformance-request-id=1')).toBe(true);
    expect(v1.log.sawRequest('/mirror?gateway-api-conformance-request-id=1')).toBe(false);
  });

  it('serves gRPC, TCP, UDP and DNS backends', async () => {
    const grpc = fleet.get(INFRA_NS, 'grpc-infra-backend-v1');
    const client = createGrpcEchoClient(`127.0.0.1:${grpc.ports.grpc}`);
    const res = await grpcEcho(client);
    client.close();
    expect(res.assertions.context).toMatchObject({ namespace: INFRA_NS, pod: grpc.pod, service_name: 'grpc-infra-backend-v1' });

    const tcp = fleet.get(INFRA_NS, 'tcp-backend-v1');
    const line = await LineClient.connect(tcp.ports.tcp!);
    await line.readLine();
    line.send('TEST\n');
    expect(JSON.parse(await line.readLine())).toMatchObject({ pod: tcp.pod, tcpport: String(tcp.ports.tcp), tlsport: String(tcp.ports.tls) });
    line.close();

    const udp = fleet.get(INFRA_NS, 'udp-backend-v1');
    const reply = await udpExchange(udp.ports.udp!, 'ping');
    expect(JSON.parse(reply!.toString())).toMatchObject({ request: 'ping', service: 'udp-svc', pod: udp.pod });

    const dns = fleet.get(INFRA_NS, 'coredns');
    const wire = Buffer.concat([
      Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([3, ...Buffer.from('foo'), 3, ...Buffer.from('bar'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1]),
    ]);
    const answer = await udpExchange(dns.ports.dns!, wire);
    expect(answer?.readUInt16BE(0)).toBe(0x1234);
  });

  it('rejects duplicate backends and frees everything on stop', async () => {
    await expect(
      startEchoFleet([
        { name: 'dup', namespace: 'ns', kind: 'http' },
        { name: 'dup', namespace: 'ns', kind: 'tcp' },
      ]),
    ).rejects.toThrow('duplicate echo backend ns/dup');

    const small = await startEchoFleet([
      { name: 'a', namespace: 'ns', kind: 'http' },
      { name: 'b', namespace: 'ns', kind: 'tcp' },
    ]);
    const ports = [small.get('ns', 'a').ports.http!, small.get('ns', 'a').ports.h2c!, small.get('ns', 'b').ports.tcp!];
    const idle = await LineClient.connect(ports[2]!);
    await small.stop();
    await idle.closed;
    for (const port of ports) expect(await connectionRefused(port)).toBe(true);
  });

  it('rejects when one backend cannot start', async () => {
    await expect(
      startEchoFleet([
        { name: 'ok', namespace: 'ns', kind: 'tcp' },
        { name: 'bad', namespace: 'ns', kind: 'http', tls: { cert: 'not a pem', key: 'not a pem' } },
      ]),
    ).rejects.toThrow();
  });
});
