import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { EchoPod } from './shared.js';
import { udpExchange } from './test-clients.js';
import { parseDnsQuestion, startDnsServer, startUdpEcho, UDP_READ_BUFFER, type DnsServer, type UdpEchoServer } from './udp.js';

const NS = 'gateway-conformance-infra';

/** Whether 127.0.0.1:port can be bound for UDP right now. */
function udpPortBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** The conformance DNS query (README `queryWire`): RD set, one question foo.bar.com. IN A. */
function dnsQuery(id: number, name = 'foo.bar.com', type = 1): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

describe('UDP echo', () => {
  let server: UdpEchoServer;
  const pod = new EchoPod({ namespace: NS, pod: 'udp-backend-v1-7c8d9f6b5a-z9x8w', service: 'udp-backend-v1' });

  beforeAll(async () => {
    server = await startUdpEcho({ pod });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers each datagram to its sender with the JSON envelope', async () => {
    const reply = await udpExchange(server.port, 'gateway-api-conformance-udp-echo');
    expect(reply?.toString()).toBe(
      `{"request":"gateway-api-conformance-udp-echo","namespace":"${NS}","ingress":"","service":"udp-backend-v1","pod":"udp-backend-v1-7c8d9f6b5a-z9x8w"}`,
    );
    const withNewline = await udpExchange(server.port, 'x<y\n');
    expect(JSON.parse(withNewline!.toString())).toMatchObject({ request: 'x<y\n' });
    expect(withNewline!.toString()).toContain('x\\u003cy\\n');
  });

  it('truncates payloads to the 1024-byte read buffer', async () => {
    const reply = await udpExchange(server.port, 'a'.repeat(1500));
    expect((JSON.parse(reply!.toString()) as { request: string }).request).toBe('a'.repeat(UDP_READ_BUFFER));
  });

  it('logs what it received', () => {
    expect(pod.log.includes('Received UDP gateway-api-conformance-udp-echo from 127.0.0.1:')).toBe(true);
  });
});

describe('DNS responder', () => {
  let dns: DnsServer;

  beforeAll(async () => {
    dns = await startDnsServer({ zone: 'foo.bar.com' });
  });
  afterAll(async () => {
    await dns.close();
  });

  it('parses the conformance query', () => {
    expect(parseDnsQuestion(dnsQuery(7))).toMatchObject({ name: 'foo.bar.com', type: 1, class: 1 });
    expect(parseDnsQuestion(Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 1]))).toBeUndefined();
  });

  it('answers an A query in the zone with the query ID and the client address', async () => {
    const query = dnsQuery(0xbeef);
    expect(query.length).toBe(29);
    const reply = (await udpExchange(dns.port, query))!;
    expect(reply.readUInt16BE(0)).toBe(0xbeef);
    const flags = reply.readUInt16BE(2);
    expect(flags & 0x8000).toBe(0x8000); // QR
    expect(flags & 0x0400).toBe(0x0400); // AA
    expect(flags & 0x0100).toBe(0x0100); // RD copied
    expect(flags & 0xf).toBe(0); // NOERROR
    expect(reply.readUInt16BE(4)).toBe(1);
    expect(reply.readUInt16BE(6)).toBe(1);
    expect(reply.subarray(12, 29).equals(query.subarray(12))).toBe(true);
    // Answer: pointer to the question name, A, IN, TTL, 4-byte address.
    expect(reply.readUInt16BE(29)).toBe(0xc00c);
    expect(reply.readUInt16BE(31)).toBe(1);
    expect(reply.readUInt16BE(39)).toBe(4);
    expect([...reply.subarray(41, 45)]).toEqual([127, 0, 0, 1]);
    expect(reply.length).toBe(45);
  });

  it('refuses names outside the zone and answers other types empty', async () => {
    const refused = (await udpExchange(dns.port, dnsQuery(2, 'example.org')))!;
    expect(refused.readUInt16BE(0)).toBe(2);
    expect(refused.readUInt16BE(2) & 0xf).toBe(5);
    const aaaa = (await udpExchange(dns.port, dnsQuery(3, 'www.foo.bar.com', 28)))!;
    expect(aaaa.readUInt16BE(2) & 0xf).toBe(0);
    expect(aaaa.readUInt16BE(6)).toBe(0);
  });

  it('ignores datagrams that are not DNS queries', async () => {
    const before = dns.answered();
    expect(await udpExchange(dns.port, 'hello', 300)).toBeUndefined();
    expect(dns.answered()).toBe(before);
  });

  it('releases its port on close', async () => {
    const other = await startDnsServer({ zone: 'foo.bar.com' });
    expect(await udpPortBindable(other.port)).toBe(false);
    await other.close();
    expect(await udpPortBindable(other.port)).toBe(true);
  });
});
