/**
 * UDP backends for the UDPRoute tests:
 * - the UDP echo (echo-basic in UDP mode): each datagram, read into a 1024-byte buffer, is
 *   answered to its sender with one datagram
 *   `{"request":"<payload>","namespace","ingress","service","pod"}`;
 * - a minimal authoritative DNS responder standing in for the base `coredns` Deployment (zone
 *   `foo.bar.com` answered by the `whoami` plugin): an `A` query for a name in the zone gets the
 *   querying client's IPv4 address, other types in the zone an empty NOERROR answer, names
 *   outside the zone REFUSED. The conformance check accepts any DNS reply carrying the query ID.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { asPod, goJson, LOOPBACK, type EchoPod, type PodIdentity } from './shared.js';

/** echo-basic's UDP read buffer: longer datagrams are truncated to this many bytes. */
export const UDP_READ_BUFFER = 1024;

export interface UdpEchoAnswer {
  request: string;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

export interface UdpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface UdpEchoServer extends UdpServer {
  readonly pod: EchoPod;
}

async function bindLoopback(socket: UdpSocket): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, LOOPBACK, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket.address().port;
}

function closer(socket: UdpSocket): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => socket.close(() => resolve()));
    return closing;
  };
}

export interface UdpEchoOptions {
  pod: EchoPod | PodIdentity;
}

export async function startUdpEcho(options: UdpEchoOptions): Promise<UdpEchoServer> {
  const pod = asPod(options.pod);
  const socket = createSocket('udp4');
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const request = msg.subarray(0, UDP_READ_BUFFER).toString('utf8');
    pod.log.append(`Received UDP ${request} from ${from.address}:${from.port}`);
    const answer: UdpEchoAnswer = {
      request,
      namespace: pod.namespace,
      ingress: pod.ingress,
      service: pod.service,
      pod: pod.pod,
    };
    socket.send(goJson(answer), from.port, from.address);
  });
  // A send to a vanished client can surface as an ICMP error; the server keeps serving.
  socket.on('error', (err) => pod.log.append(`UDP error: ${err.message}`));
  const port = await bindLoopback(socket);
  return { pod, host: LOOPBACK, port, close: closer(socket) };
}

// ---------------------------------------------------------------------------------------------
// DNS

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_NOERROR = 0;
const RCODE_FORMERR = 1;
const RCODE_NOTIMP = 4;
const RCODE_REFUSED = 5;

export interface DnsQuestion {
  /** Lower-cased, without the trailing dot. */
  name: string;
  type: number;
  class: number;
  /** The question's wire bytes (name, type, class), copied into the answer. */
  wire: Buffer;
}

/** Parses the first question of a query; undefined when malformed (or compressed). */
export function parseDnsQuestion(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    if (at >= msg.length) return undefined;
    const len = msg[at]!;
    if (len === 0) break;
    if (len > 63 || at + 1 + len > msg.length) return undefined;
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('latin1').toLowerCase());
    at += 1 + len;
  }
  const end = at + 1 + 4;
  if (end > msg.length) return undefined;
  return {
    name: labels.join('.'),
    type: msg.readUInt16BE(at + 1),
    class: msg.readUInt16BE(at + 3),
    wire: Buffer.from(msg.subarray(12, end)),
  };
}

function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * The reply to one query datagram, or undefined for datagrams not worth answering (too short
 * for a header, or themselves responses).
 */
export function dnsReply(query: Buffer, zone: string, client: RemoteInfo): Buffer | undefined {
  if (query.length < 12) return undefined;
  const flags = query.readUInt16BE(2);
  if (flags & 0x8000) return undefined;
  const opcode = (flags >> 11) & 0xf;
  const rd = flags & 0x0100;
  const question = opcode === 0 ? parseDnsQuestion(query) : undefined;
  const normalizedZone = zone.toLowerCase().replace(/\.$/, '');

  let rcode = RCODE_NOERROR;
  let authoritative = false;
  const answers: Buffer[] = [];
  if (opcode !== 0) rcode = RCODE_NOTIMP;
  else if (!question) rcode = RCODE_FORMERR;
  else if (!inZone(question.name, normalizedZone)) rcode = RCODE_REFUSED;
  else {
    authoritative = true;
    if (question.type === TYPE_A && question.class === CLASS_IN && isIPv4(client.address)) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question's name
      rr.writeUInt16BE(TYPE_A, 2);
      rr.writeUInt16BE(CLASS_IN, 4);
      rr.writeUInt32BE(0, 6); // TTL
      rr.writeUInt16BE(4, 10);
      client.address.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
      answers.push(rr);
    }
  }

  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8000 | (opcode << 11) | (authoritative ? 0x0400 : 0) | rd | rcode, 2);
  header.writeUInt16BE(question ? 1 : 0, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, ...(question ? [question.wire] : []), ...answers]);
}

export interface DnsServerOptions {
  /** The zone answered authoritatively, e.g. `foo.bar.com`. */
  zone: string;
}

export interface DnsServer extends UdpServer {
  /** Number of queries answered so far. */
  answered(): number;
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const socket = createSocket('udp4');
  let answered = 0;
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const reply = dnsReply(msg, options.zone, from);
    if (!reply) return;
    answered++;
    socket.send(reply, from.port, from.address);
  });
  socket.on('error', () => {
    // Keep serving after ICMP errors from vanished clients.
  });
  const port = await bindLoopback(socket);
  return { host: LOOPBACK, port, close: closer(socket), answered: () => answered };
}
