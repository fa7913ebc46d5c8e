/**
 * B3 (authority) and B4 (header hygiene) beyond the §6 rows malformed.ts already sends in B1
 * (A1–A9 statuses, H12–H14, S22/S23 upgrades; battery.test.ts). What is added here needs a
 * fixture with several hostnames and a WebSocket backend:
 * - A4: Host normalisation (case, trailing dot, port) selects the route of the normalised host,
 *   and a different host selects a different backend;
 * - A5: absolute-form is refused even when the Host field names a served host or the URI names
 *   one: nothing reaches any backend;
 * - A9: `//evil.example/x` is the path `/evil.example/x` of the Host the client sent;
 * - H12: forwarding headers are the gateway's, whether the client sends them plainly or nominates
 *   them in `Connection`; no trusted proxies, so X-Forwarded-For is the peer alone;
 * - H13/H14 on another route; `Upgrade: h2c` refused on a WebSocket route; a plain request
 *   carrying `Upgrade` without `Connection: upgrade` is forwarded without it;
 * - after a WebSocket closes, the upstream socket it used never carries another request.
 *
 * The SNI/Host table (421 when Host selects another HTTPS listener than SNI) is the conformance
 * test HTTPRouteHTTPSListenerDetectMisdirectedRequests, run by spec-tests/http.test.ts.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, serviceYaml, startGateway } from '../../host-node/test-support.js';
import type { NodeGateway } from '../../host-node/index.js';
import { header, names } from './malformed.js';
import { RawConnection, rawOnce, startRecordingBackend, type RawResponse, type Recorded, type RecordingBackend } from './support.js';

/** One request or upgrade as the WebSocket backend received it, with the gateway's source port. */
interface WsSeen {
  kind: 'request' | 'upgrade';
  url: string;
  rawHeaders: string[];
  remotePort: number;
}

/** A backend accepting WebSocket upgrades (echoing frames' raw bytes) and plain requests, recording the socket of each. */
async function startWebSocketBackend(): Promise<{ port: number; seen: WsSeen[]; close(): Promise<void> }> {
  const seen: WsSeen[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ keepAliveTimeout: 5_000 }, (req: IncomingMessage, res) => {
    seen.push({ kind: 'request', url: req.url ?? '', rawHeaders: req.rawHeaders, remotePort: req.socket.remotePort ?? 0 });
    req.resume();
    req.on('end', () => res.end('plain'));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    seen.push({ kind: 'upgrade', url: req.url ?? '', rawHeaders: req.rawHeaders, remotePort: socket.remotePort ?? 0 });
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

let dir: ManifestDir;
let gateway: NodeGateway;
let port: number;
let a: RecordingBackend;
let b: RecordingBackend;
let ws: Awaited<ReturnType<typeof startWebSocketBackend>>;

const rule = (prefix: string, service: string) => `  - matches: [{ path: { type: PathPrefix, value: ${prefix} } }]\n    backendRefs: [{ name: ${service}, port: 8080 }]`;

beforeAll(async () => {
  a = await startRecordingBackend('a');
  b = await startRecordingBackend('b');
  ws = await startWebSocketBackend();
  dir = await ManifestDir.create();
  await dir.write(
    'all.yaml',
    CLASS,
    gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`),
    serviceYaml('a', [a.port]),
    serviceYaml('b', [b.port]),
    serviceYaml('ws', [ws.port]),
    routeYaml('host-a', [rule('/', 'a')].join('\n'), '  hostnames: [a.example]\n'),
    routeYaml('host-b', [rule('/', 'b')].join('\n'), '  hostnames: [b.example]\n'),
    routeYaml('host-good', [rule('/', 'b')].join('\n'), '  hostnames: [good.example, evil.example]\n'),
    routeYaml('host-ws', [rule('/', 'ws')].join('\n'), '  hostnames: [ws.example]\n'),
  );
  const offset = portOffset(24);
  ({ gateway } = await startGateway(dir, offset));
  port = 80 + offset;
});

afterAll(async () => {
  await gateway?.close();
  await a?.close();
  await b?.close();
  await ws?.close();
  await dir?.remove();
});

let sequence = 0;

/** Sends one raw request on a fresh connection; returns the answer and what each recording backend received for it. */
async function exchange(text: (marker: string) => string): Promise<{ answer: RawResponse | 'closed' | 'timeout'; seen: Recorded[] }> {
  const marker = `m${sequence++}`;
  const before = { a: a.requests.length, b: b.requests.length };
  const { answer } = await rawOnce(port, text(marker));
  const seen = [...a.requests.slice(before.a), ...b.requests.slice(before.b)];
  return { answer, seen };
}

const status = (answer: RawResponse | 'closed' | 'timeout') => (typeof answer === 'string' ? answer : answer.status);

describe('B3 authority', () => {
  it('A4: routes every spelling of a host (case, trailing dot, port) to that host\'s backend', async () => {
    const cases: [string, string][] = [
      ['a.example', 'a'],
      ['A.EXAMPLE', 'a'],
      ['a.example.', 'a'],
      ['A.Example.:80', 'a'],
      [`a.example:${port}`, 'a'],
      ['B.EXAMPLE', 'b'],
      ['b.example.', 'b'],
      ['b.example:8080', 'b'],
    ];
    const problems: string[] = [];
    for (const [host, backend] of cases) {
      const { answer, seen } = await exchange((m) => `GET /x?r=${m} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      if (status(answer) !== 200 || seen.length !== 1 || seen[0]!.backend !== backend) problems.push(`Host ${host}: ${status(answer)}, seen by ${JSON.stringify(seen.map((s) => s.backend))}, want ${backend}`);
    }
    expect(problems).toEqual([]);
    // A host no route names is not served, whatever the spelling.
    const unknown = await exchange((m) => `GET /x?r=${m} HTTP/1.1\r\nHost: C.EXAMPLE.\r\n\r\n`);
    expect(status(unknown.answer)).toBe(404);
    expect(unknown.seen).toEqual([]);
  });

  it('A5: refuses absolute-form whichever served host the Host field or the URI names; no backend sees it', async () => {
    const targets = [
      ['http://evil.example/admin', 'good.example'],
      ['http://a.example/x', 'b.example'],
      ['http://a.example/x', 'a.example'],
      ['http://b.example:80/x', 'unknown.example'],
      ['https://a.example/x', 'a.example'],
    ];
    const problems: string[] = [];
    for (const [target, host] of targets) {
      const { answer, seen } = await exchange((m) => `GET ${target}?r=${m} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      if (status(answer) !== 400 || seen.length > 0) problems.push(`${target} Host ${host}: ${status(answer)}, seen by ${JSON.stringify(seen.map((s) => `${s.backend} ${s.url}`))}`);
    }
    expect(problems).toEqual([]);
  });

  it('A9: forwards //evil.example/x as the merged path /evil.example/x of the Host the client sent', async () => {
    const { answer, seen } = await exchange((m) => `GET //evil.example/x?r=${m} HTTP/1.1\r\nHost: a.example\r\n\r\n`);
    expect(status(answer)).toBe(200);
    expect(seen.map((s) => [s.backend, s.url.replace(/\?.*/, '')])).toEqual([['a', '/evil.example/x']]);
    expect(header(seen[0]!, 'host')).toEqual(['a.example']);
    // The same with the host of another route in the path: still Host a.example's route.
    const other = await exchange((m) => `GET //b.example/y?r=${m} HTTP/1.1\r\nHost: a.example\r\n\r\n`);
    expect(other.seen.map((s) => [s.backend, s.url.replace(/\?.*/, ''), header(s, 'host')[0]])).toEqual([['a', '/b.example/y', 'a.example']]);
  });
});

describe('B4 header hygiene', () => {
  const clientForwarding =
    'X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\nX-Request-Id: client-chosen\r\nX-Real-IP: 1.2.3.4\r\nForwarded: for=1.2.3.4;host=evil.example\r\n';

  /** What the gateway must have set upstream, whatever the client sent; undefined when it holds. */
  function forwardingProblem(seen: Recorded, host: string): string | undefined {
    const xff = header(seen, 'x-forwarded-for');
    if (xff.length !== 1 || xff[0] !== '127.0.0.1') return `X-Forwarded-For ${JSON.stringify(xff)}`;
    const xfh = header(seen, 'x-forwarded-host');
    if (xfh.length !== 1 || xfh[0] !== host) return `X-Forwarded-Host ${JSON.stringify(xfh)}`;
    const xfp = header(seen, 'x-forwarded-proto');
    if (xfp.length !== 1 || xfp[0] !== 'http') return `X-Forwarded-Proto ${JSON.stringify(xfp)}`;
    const id = header(seen, 'x-request-id');
    if (id.length !== 1 || id[0] === 'client-chosen' || !/^[0-9a-f-]{36}$/.test(id[0]!)) return `X-Request-Id ${JSON.stringify(id)}`;
    return undefined;
  }

  it('H12: X-Forwarded-For is the peer, X-Forwarded-Host/Proto and X-Request-Id the gateway\'s, sent plainly or nominated in Connection', async () => {
    const variants = [
      '',
      'Connection: X-Forwarded-For, x-forwarded-host, x-real-ip, x-request-id\r\n',
      'Connection: keep-alive, X-Forwarded-Proto\r\nConnection: X-Request-Id\r\n',
      'Connection: close, X-Forwarded-For, x-forwarded-host, x-real-ip, x-request-id, forwarded\r\n',
    ];
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const connection of variants) {
      const { answer, seen } = await exchange((m) => `GET /h12?r=${m} HTTP/1.1\r\nHost: A.Example\r\n${connection}${clientForwarding}\r\n`);
      if (status(answer) !== 200 || seen.length !== 1) {
        problems.push(`${JSON.stringify(connection)}: ${status(answer)}, ${seen.length} seen`);
        continue;
      }
      const problem = forwardingProblem(seen[0]!, 'A.Example');
      if (problem !== undefined) problems.push(`${JSON.stringify(connection)}: ${problem}`);
      for (const id of header(seen[0]!, 'x-request-id')) ids.add(id);
      // Nominated names never travel upstream under the client's value.
      const nominated = connection.toLowerCase().includes('x-real-ip') ? ['x-real-ip'] : [];
      if (nominated.some((n) => names(seen[0]!).includes(n))) problems.push(`${JSON.stringify(connection)}: forwarded a nominated header`);
      if (header(seen[0]!, 'connection').some((v) => v.toLowerCase() !== 'keep-alive')) problems.push(`${JSON.stringify(connection)}: Connection ${JSON.stringify(header(seen[0]!, 'connection'))}`);
    }
    expect(problems).toEqual([]);
    // Each request got its own id.
    expect(ids.size).toBe(variants.length);
  });

  it('H13/H14: strips x-switchyard-*, Proxy-Connection and Keep-Alive; keeps TE: trailers, drops any other TE', async () => {
    const kept = await exchange(
      (m) =>
        `GET /h13?r=${m} HTTP/1.1\r\nHost: b.example\r\nX-Switchyard-Route: infra/host-a\r\nx-switchyard-internal: 1\r\nX-SWITCHYARD-ORIGINAL-PATH: /admin\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nKeep-Alive: timeout=5, max=1000\r\n\r\n`,
    );
    expect(status(kept.answer)).toBe(200);
    expect(kept.seen).toHaveLength(1);
    const seenNames = names(kept.seen[0]!);
    expect(seenNames.filter((n) => n.startsWith('x-switchyard-') || n === 'proxy-connection' || n === 'keep-alive')).toEqual([]);
    expect(header(kept.seen[0]!, 'te')).toEqual(['trailers']);
    const gzip = await exchange((m) => `GET /h14?r=${m} HTTP/1.1\r\nHost: b.example\r\nTE: gzip, trailers\r\n\r\n`);
    expect(status(gzip.answer)).toBe(200);
    expect(header(gzip.seen[0]!, 'te')).toEqual([]);
  });

  it('refuses Upgrade: h2c (403) on the WebSocket route; the backend never sees it; Upgrade without Connection: upgrade is forwarded without Upgrade', async () => {
    const before = ws.seen.length;
    const h2c = await rawOnce(port, 'GET /h2c HTTP/1.1\r\nHost: ws.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
    expect(status(h2c.answer)).toBe(403);
    expect(h2c.closedAfter).toBe(true);
    const foo = await rawOnce(port, 'GET /foo HTTP/1.1\r\nHost: ws.example\r\nConnection: Upgrade\r\nUpgrade: foo/1, websocket\r\n\r\n');
    expect(status(foo.answer)).toBe(403);
    expect(ws.seen.slice(before)).toEqual([]);
    const plain = await rawOnce(port, 'GET /plain-upgrade HTTP/1.1\r\nHost: ws.example\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
    expect(status(plain.answer)).toBe(200);
    const arrived = ws.seen.slice(before);
    expect(arrived.map((s) => [s.kind, s.url])).toEqual([['request', '/plain-upgrade']]);
    const arrivedNames = arrived[0]!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(arrivedNames.filter((n) => n === 'upgrade' || n === 'http2-settings')).toEqual([]);
  });

  it('never reuses the upstream socket of a closed WebSocket for another request', async () => {
    const rounds = 3;
    const before = ws.seen.length;
    for (let i = 0; i < rounds; i++) {
      // A plain request first, so the pool holds an idle keep-alive socket to the backend.
      const warm = await rawOnce(port, `GET /warm-${i} HTTP/1.1\r\nHost: ws.example\r\n\r\n`);
      expect(status(warm.answer)).toBe(200);
      const c = new RawConnection(port);
      await c.connected;
      c.write(`GET /socket-${i} HTTP/1.1\r\nHost: ws.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      // RawConnection.response treats 1xx as interim: read the 101 head off the socket itself.
      const headDeadline = Date.now() + 5_000;
      while (c.pending.indexOf('\r\n\r\n') < 0 && !c.closed && Date.now() < headDeadline) await new Promise((r) => setTimeout(r, 10));
      const headEnd = c.pending.indexOf('\r\n\r\n');
      expect(c.pending.subarray(0, 12).toString('latin1')).toBe('HTTP/1.1 101');
      const echoed = () => c.pending.subarray(headEnd + 4);
      // A masked text frame "hi" comes back as the backend echoes it.
      const frame = Buffer.from([0x81, 0x82, 1, 2, 3, 4, 'h'.charCodeAt(0) ^ 1, 'i'.charCodeAt(0) ^ 2]);
      c.write(frame);
      const deadline = Date.now() + 5_000;
      while (echoed().length < frame.length && !c.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(echoed().subarray(0, frame.length).equals(frame)).toBe(true);
      c.destroy();
      await new Promise((r) => setTimeout(r, 100));
      for (let k = 0; k < 3; k++) {
        const after = await rawOnce(port, `GET /after-${i}-${k} HTTP/1.1\r\nHost: ws.example\r\n\r\n`);
        expect(status(after.answer)).toBe(200);
      }
    }
    const seen = ws.seen.slice(before);
    const upgrades = seen.filter((s) => s.kind === 'upgrade');
    expect(upgrades.map((s) => s.url)).toEqual(Array.from({ length: rounds }, (_, i) => `/socket-${i}`));
    // The upgrade request carried the WebSocket handshake, not a client hop-by-hop header.
    for (const u of upgrades) expect(u.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())).toContain('sec-websocket-key');
    const upgradePorts = new Set(upgrades.map((u) => u.remotePort));
    expect(upgradePorts.size).toBe(rounds);
    // Requests after each upgrade: none on a socket that carried a WebSocket.
    const reused = seen.filter((s) => s.kind === 'request' && upgradePorts.has(s.remotePort) && seen.indexOf(s) > seen.findIndex((u) => u.kind === 'upgrade' && u.remotePort === s.remotePort));
    expect(reused.map((s) => `${s.url} on port ${s.remotePort}`)).toEqual([]);
    expect(seen.filter((s) => s.kind === 'request')).toHaveLength(rounds * 4);
  });
});
