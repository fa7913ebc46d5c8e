import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caFor, certificateFor, INFRA_NS, type GeneratedLeaf } from '../../spec-tests/support/certificates.js';
import { sleep, startTcpEcho, startUdpEcho, TCP_WELCOME, type TcpEchoServer, type UdpServer } from '../../spec-tests/support/echo/index.js';
import { tcpEchoExchange, udpOnce } from '../../spec-tests/support/l4-probes.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, startGateway, tlsSecretYaml } from '../test-support.js';
import { parseClientHello } from './clienthello.js';
import { BackendPicker, listenerForServerName, routeFor, type L4Listener, type L4Route } from './routes.js';

const OFFSET = portOffset(9);

/** The raw ClientHello a Node TLS client sends for `serverName`. */
function captureClientHello(serverName: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createNetServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        const all = Buffer.concat(chunks);
        if (parseClientHello(all).kind !== 'incomplete') {
          socket.destroy();
          server.close();
          resolve(all);
        }
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      const client = tlsConnect({ host: '127.0.0.1', port, servername: serverName, ALPNProtocols: ['h2', 'http/1.1'] });
      client.on('error', () => undefined);
    });
    server.on('error', reject);
  });
}

describe('ClientHello', () => {
  it('reads SNI and ALPN from a real hello, asks for more on a prefix and rejects non-TLS bytes', async () => {
    const hello = await captureClientHello('Abc.Example.com');
    expect(parseClientHello(hello)).toEqual({ kind: 'hello', serverName: 'abc.example.com', alpn: ['h2', 'http/1.1'] });
    for (const n of [0, 3, 5, 40, hello.length - 1]) expect(parseClientHello(hello.subarray(0, n)).kind).toBe('incomplete');
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toMatchObject({ kind: 'invalid' });
    expect(parseClientHello(hello, 64)).toMatchObject({ kind: 'invalid' });
  });

  it('parses a hello split over two records', async () => {
    const hello = await captureClientHello('split.example.com');
    const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
    const record = (part: Buffer) => Buffer.concat([Buffer.from([22, 3, 1, part.length >> 8, part.length & 0xff]), part]);
    const split = Buffer.concat([record(body.subarray(0, 30)), record(body.subarray(30))]);
    expect(parseClientHello(split)).toMatchObject({ kind: 'hello', serverName: 'split.example.com' });
    expect(parseClientHello(split.subarray(0, 40)).kind).toBe('incomplete');
  });
});

describe('L4 route choice', () => {
  const route = (id: string, hostnames: string[], weights = [1]): L4Route => ({
    id,
    hostnames,
    backends: weights.map((weight, i) => ({ weight, service: { namespace: 'ns', name: `${id}-${i}`, port: 1 } })),
  });
  const listener = (name: string, hostname: string | undefined, routes: L4Route[], protocol: L4Listener['protocol'] = 'TLS'): L4Listener => ({
    gateway: 'ns/gw',
    name,
    protocol,
    ...(hostname ? { hostname } : {}),
    mode: 'Passthrough',
    certificates: [],
    routes,
  });

  it('picks the listener and the route by SNI: exact, then longest wildcard, then any', () => {
    const any = listener('any', undefined, [route('any', [])]);
    const wild = listener('wild', '*.example.com', [route('exact', ['abc.example.com']), route('deep', ['*.b.example.com']), route('wide', ['*.example.com'])]);
    const all = [any, wild];
    expect(listenerForServerName(all, 'x.example.com')?.name).toBe('wild');
    expect(listenerForServerName(all, 'example.com')?.name).toBe('any');
    expect(listenerForServerName(all, undefined)?.name).toBe('any');
    expect(listenerForServerName([wild], 'other.org')).toBeNull();
    expect(routeFor(wild, 'abc.example.com')?.id).toBe('exact');
    expect(routeFor(wild, 'a.b.example.com')?.id).toBe('deep');
    expect(routeFor(wild, 'q.example.com')?.id).toBe('wide');
    expect(routeFor(listener('x', undefined, [route('only', ['a.org'])]), 'b.org')).toBeNull();
  });

  it('gives a TCP listener to its oldest route and never picks weight 0', () => {
    const tcp = listener('tcp', undefined, [route('older', [], [3, 0, 1]), route('newer', [])], 'TCP');
    expect(routeFor(tcp, undefined)?.id).toBe('older');
    const picker = new BackendPicker(12345);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const pick = picker.pick(tcp.routes[0]!);
      if (!pick.ok) throw new Error(pick.reason);
      counts[Number(pick.backend.service.name.split('-').pop())]!++;
    }
    expect(counts[1]).toBe(0);
    expect(counts[0]! / 4000).toBeGreaterThan(0.7);
    expect(counts[0]! / 4000).toBeLessThan(0.8);
    expect(picker.pick(route('zero', [], [0, 0]))).toMatchObject({ ok: false });
    expect(picker.pick({ id: 'bad', hostnames: [], backends: [{ weight: 1, problem: 'BackendNotFound: gone' }] })).toEqual({ ok: false, reason: 'bad: BackendNotFound: gone' });
  });
});

/** A Service `infra/<name>` on `port` (protocol TCP or UDP) with one ready loopback endpoint. */
function l4ServiceYaml(name: string, port: number, endpointPort: number, protocol: 'TCP' | 'UDP' = 'TCP'): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: infra }
spec:
  ports: [{ name: p, port: ${port}, protocol: ${protocol} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-1, namespace: infra, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true } }]
ports: [{ name: p, port: ${endpointPort}, protocol: ${protocol} }]
`;
}

function l4RouteYaml(kind: 'TCPRoute' | 'UDPRoute' | 'TLSRoute', name: string, section: string, backends: string, hostnames = ''): string {
  return `apiVersion: gateway.networking.k8s.io/v1${kind === 'TLSRoute' ? '' : 'alpha2'}
kind: ${kind}
metadata: { name: ${name}, namespace: infra }
spec:
  parentRefs: [{ name: gw, sectionName: ${section} }]
${hostnames}  rules:
  - backendRefs: ${backends}
`;
}

function welcomeOf(port: number): Promise<{ socket: Socket; welcome: string }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('data', (d: Buffer) => resolve({ socket, welcome: d.toString() }));
    socket.once('error', reject);
  });
}

describe('TCP, TLS and UDP listeners of the Node gateway', () => {
  let one: TcpEchoServer;
  let two: TcpEchoServer;
  let udp: UdpServer;
  let passthrough: GeneratedLeaf;
  let terminate: GeneratedLeaf;
  let caPem: string;

  beforeAll(async () => {
    passthrough = await certificateFor(`${INFRA_NS}/tls-checks-certificate`);
    terminate = await certificateFor(`${INFRA_NS}/tls-terminate-checks-certificate`);
    caPem = (await caFor(`${INFRA_NS}/tls-checks-ca-certificate`)).certPem;
    one = await startTcpEcho({ pod: { namespace: 'infra', pod: 'one-a-b' }, tls: { cert: passthrough.certPem, key: passthrough.keyPem } });
    two = await startTcpEcho({ pod: { namespace: 'infra', pod: 'two-a-b' } });
    udp = await startUdpEcho({ pod: { namespace: 'infra', pod: 'udp-a-b', service: 'udp-svc' } });
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await udp?.close();
  });

  const listeners = `    - { name: tcp, port: 100, protocol: TCP }
    - { name: udp, port: 100, protocol: UDP }
    - { name: pass, port: 101, protocol: TLS, hostname: abc.example.com, tls: { mode: Passthrough } }
    - { name: term, port: 101, protocol: TLS, hostname: tls.example.com, tls: { mode: Terminate, certificateRefs: [{ name: term }] } }
    - { name: down, port: 102, protocol: TCP }`;

  it('forwards TCP, passes TLS through or terminates it by SNI, answers UDP from the listener port, and follows reloads', async () => {
    const services = [
      l4ServiceYaml('one', 3000, one.port),
      l4ServiceYaml('one-tls', 8443, one.tlsPort!),
      l4ServiceYaml('two', 3000, two.port),
      l4ServiceYaml('udp', 8080, udp.port, 'UDP'),
      l4ServiceYaml('gone', 3000, 1),
    ];
    const base = [CLASS, gatewayYaml('gw', listeners), tlsSecretYaml('term', terminate.certPem, terminate.keyPem), ...services];
    const routes = (tcpBackend: string) => [
      l4RouteYaml('TCPRoute', 'tcp', 'tcp', `[{ name: ${tcpBackend}, port: 3000 }, { name: two, port: 3000, weight: 0 }]`),
      l4RouteYaml('UDPRoute', 'udp', 'udp', '[{ name: udp, port: 8080 }]'),
      l4RouteYaml('TLSRoute', 'pass', 'pass', '[{ name: one-tls, port: 8443 }]', '  hostnames: [abc.example.com]\n'),
      l4RouteYaml('TLSRoute', 'term', 'term', '[{ name: two, port: 3000 }]', '  hostnames: [tls.example.com]\n'),
      l4RouteYaml('TCPRoute', 'down', 'down', '[{ name: gone, port: 3000 }]'),
    ];
    const dir = await ManifestDir.create();
    await dir.write('all.yaml', ...base, ...routes('one'));
    const { gateway, logs } = await startGateway(dir, OFFSET);
    try {
      expect(gateway.listeners.map((l) => `${l.listener}:${l.protocol}`).sort()).toEqual(['down:TCP', 'pass:TLS', 'tcp:TCP', 'term:TLS', 'udp:UDP']);
      const tcp = await tcpEchoExchange('127.0.0.1', 100 + OFFSET, 5_000);
      expect(tcp).toMatchObject({ welcome: TCP_WELCOME, pong: 'PONG\n', isTls: 'false\n', test: { pod: 'one-a-b' } });

      const passed = await tcpEchoExchange('127.0.0.1', 101 + OFFSET, 5_000, { serverName: 'abc.example.com', ca: caPem });
      expect(passed).toMatchObject({ isTls: 'true\n', test: { pod: 'one-a-b', tls: { serverName: 'abc.example.com' } } });
      const terminated = await tcpEchoExchange('127.0.0.1', 101 + OFFSET, 5_000, { serverName: 'tls.example.com', ca: caPem });
      expect(terminated).toMatchObject({ isTls: 'false\n', test: { pod: 'two-a-b' } });
      await expect(tcpEchoExchange('127.0.0.1', 101 + OFFSET, 2_000, { serverName: 'nope.example.com', ca: caPem })).rejects.toThrow();

      const reply = JSON.parse((await udpOnce('127.0.0.1', 100 + OFFSET, Buffer.from('ping'), 2_000)).toString());
      expect(reply).toMatchObject({ request: 'ping', service: 'udp-svc', pod: 'udp-a-b' });

      // Backend down: the client connection closes at once; the other listeners keep serving.
      const started = Date.now();
      const closed = await new Promise<boolean>((resolve) => {
        const s = netConnect({ host: '127.0.0.1', port: 102 + OFFSET });
        s.on('error', () => undefined);
        s.on('close', () => resolve(true));
        setTimeout(() => resolve(false), 3_000);
      });
      expect(closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(logs.some((l) => l.includes('refused'))).toBe(true);

      // Reload: new connections take the new route, an open one stays on its backend.
      const open = await welcomeOf(100 + OFFSET);
      await dir.write('all.yaml', ...base, ...routes('two'));
      expect(await gateway.reload()).toMatchObject({ changed: true });
      const after = await tcpEchoExchange('127.0.0.1', 100 + OFFSET, 5_000);
      expect(after.test.pod).toBe('two-a-b');
      const stillOld = await new Promise<string>((resolve) => {
        open.socket.once('data', (d: Buffer) => resolve(d.toString()));
        open.socket.write('TEST\n');
      });
      expect(JSON.parse(stillOld).pod).toBe('one-a-b');
      open.socket.destroy();
    } finally {
      await gateway.close();
      await dir.remove();
    }
  });

  it('passes half-close on: the client ends its side and still reads the answer', async () => {
    const dir = await ManifestDir.create();
    await dir.write('all.yaml', CLASS, gatewayYaml('gw', `    - { name: tcp, port: 103, protocol: TCP }`), l4ServiceYaml('two', 3000, two.port), l4RouteYaml('TCPRoute', 'tcp', 'tcp', '[{ name: two, port: 3000 }]'));
    const { gateway } = await startGateway(dir, OFFSET);
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const s = netConnect({ host: '127.0.0.1', port: 103 + OFFSET, allowHalfOpen: true });
        let out = '';
        s.on('data', (d: Buffer) => (out += d.toString()));
        s.on('error', reject);
        s.on('connect', async () => {
          await sleep(100);
          s.end('PING\n');
        });
        setTimeout(() => {
          s.destroy();
          resolve(out);
        }, 600);
      });
      expect(text).toBe(`${TCP_WELCOME}PONG\n`);
    } finally {
      await gateway.close();
      await dir.remove();
    }
  });
});
