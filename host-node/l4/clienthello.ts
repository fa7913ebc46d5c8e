/**
 * The TLS ClientHello as it arrives on a TLS listener, before any handshake: enough of it to
 * route the connection by SNI (RFC 6066 §3) without terminating TLS. The hello may span several
 * handshake records; reading stops at a size bound and a time bound, and the bytes read are
 * handed on unchanged (to the backend for Passthrough, to the local TLS stack for Terminate).
 */
import type { Socket } from 'node:net';

/** Record bytes read at most while looking for a complete ClientHello. */
export const MAX_CLIENT_HELLO_BYTES = 32 * 1024;

const RECORD_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXTENSION_SERVER_NAME = 0;
const EXTENSION_ALPN = 16;
const NAME_TYPE_HOST = 0;

export type ClientHello = { serverName: string | undefined; alpn: string[] };

export type ClientHelloResult =
  | { kind: 'incomplete' }
  | ({ kind: 'hello' } & ClientHello)
  | { kind: 'invalid'; reason: string };

class Malformed extends Error {}

/** A bounds-checked reader over one buffer. */
class Reader {
  constructor(
    private readonly buf: Buffer,
    private pos = 0,
    private readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new Malformed('truncated ClientHello');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A sub-reader over the next `n` bytes, which this reader skips. */
  take(n: number): Reader {
    this.need(n);
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/**
 * Parses the ClientHello at the start of `data` (TLS records as received). `incomplete` asks
 * for more bytes; `invalid` means the stream is not a TLS handshake starting with a
 * ClientHello, or the hello exceeds `maxBytes`.
 */
export function parseClientHello(data: Buffer, maxBytes = MAX_CLIENT_HELLO_BYTES): ClientHelloResult {
  // Reassemble the handshake layer from consecutive handshake records.
  const fragments: Buffer[] = [];
  let handshakeBytes = 0;
  let pos = 0;
  let wanted: number | undefined;
  while (true) {
    if (data.length - pos < 5) break;
    if (data[pos] !== RECORD_HANDSHAKE) return { kind: 'invalid', reason: `record type ${data[pos]} is not a handshake` };
    if (data[pos + 1] !== 3) return { kind: 'invalid', reason: 'not a TLS record' };
    const length = data.readUInt16BE(pos + 3);
    if (length === 0 || length > 16_384 + 2048) return { kind: 'invalid', reason: `record length ${length}` };
    if (data.length - pos - 5 < length) break;
    fragments.push(data.subarray(pos + 5, pos + 5 + length));
    handshakeBytes += length;
    pos += 5 + length;
    if (wanted === undefined && handshakeBytes >= 4) {
      const head = fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return { kind: 'invalid', reason: `handshake type ${head[0]} is not ClientHello` };
      wanted = 4 + head.readUIntBE(1, 3);
    }
    if (wanted !== undefined && handshakeBytes >= wanted) break;
  }
  if (wanted !== undefined && wanted > maxBytes) return { kind: 'invalid', reason: `ClientHello of ${wanted} bytes exceeds ${maxBytes}` };
  if (wanted === undefined || handshakeBytes < wanted) {
    return data.length >= maxBytes ? { kind: 'invalid', reason: `no complete ClientHello in ${maxBytes} bytes` } : { kind: 'incomplete' };
  }
  const hello = Buffer.concat(fragments).subarray(4, wanted);
  try {
    return { kind: 'hello', ...readHello(new Reader(hello)) };
  } catch (err) {
    if (err instanceof Malformed) return { kind: 'invalid', reason: err.message };
    throw err;
  }
}

function readHello(r: Reader): ClientHello {
  r.skip(2 + 32); // legacy_version, random
  r.skip(r.u8()); // legacy_session_id
  r.skip(r.u16()); // cipher_suites
  r.skip(r.u8()); // legacy_compression_methods
  const out: ClientHello = { serverName: undefined, alpn: [] };
  if (r.remaining === 0) return out; // no extensions at all
  const extensions = r.take(r.u16());
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const body = extensions.take(extensions.u16());
    if (type === EXTENSION_SERVER_NAME) out.serverName = readServerName(body);
    else if (type === EXTENSION_ALPN) {
      const list = body.take(body.u16());
      while (list.remaining > 0) out.alpn.push(list.bytes(list.u8()).toString('latin1'));
    }
  }
  return out;
}

function readServerName(body: Reader): string | undefined {
  const list = body.take(body.u16());
  while (list.remaining > 0) {
    const type = list.u8();
    const name = list.bytes(list.u16());
    if (type !== NAME_TYPE_HOST) continue;
    const text = name.toString('latin1');
    // A host_name is ASCII without NUL (RFC 6066 §3); anything else routes nowhere.
    if (text.length === 0 || !/^[\x21-\x7e]+$/.test(text)) throw new Malformed('malformed server name');
    return text.toLowerCase();
  }
  return undefined;
}

export type ReadHelloResult = ({ ok: true } & ClientHello & { bytes: Buffer }) | { ok: false; reason: string };

/**
 * Reads from `socket` (paused, nothing consumed yet) until the ClientHello is complete, at most
 * `maxBytes` and `timeoutMs`. On success the socket is paused again and `bytes` holds everything
 * read so far, which the caller must pass on first.
 */
export function readClientHello(socket: Socket, timeoutMs: number, maxBytes = MAX_CLIENT_HELLO_BYTES): Promise<ReadHelloResult> {
  return new Promise((resolve) => {
    let seen: Buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (result: ReadHelloResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onEnd);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const r = parseClientHello(seen, maxBytes);
      if (r.kind === 'incomplete') return;
      if (r.kind === 'invalid') return finish({ ok: false, reason: r.reason });
      finish({ ok: true, serverName: r.serverName, alpn: r.alpn, bytes: seen });
    };
    const onEnd = () => finish({ ok: false, reason: 'the client closed before a complete ClientHello' });
    const onError = (err: Error) => finish({ ok: false, reason: err.message });
    const timer = setTimeout(() => finish({ ok: false, reason: `no complete ClientHello within ${timeoutMs} ms` }), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.on('error', onError);
    socket.resume();
  });
}
