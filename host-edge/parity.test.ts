/**
 * Node and edge give the same answer to the same request: one set of manifests, served by the
 * Node gateway (in-process) and by the edge worker (workerd), the same raw request sent to
 * each; the (route, forwarded path, status, Location) pairs must agree, and match the expected
 * canonical outcome, for the awkward paths of security.md §6 included.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/pipeline.js';
import type { NodeGateway } from '../host-node/gateway.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, serviceYaml, startGateway } from '../host-node/test-support.js';
import { backendMapFor } from './backends.js';
import { putTable } from './table-source.js';
import { bundleWorker, startWorker, type Bundle, type EdgeWorker } from './testing/miniflare.js';

/** Two origins that answer which of them was asked, and for what path. */
function origin(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ backend: name, path: req.url, forwardedHost: req.headers['x-forwarded-host'] ?? null }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function manifests(portA: number, portB: number): string[] {
  return [
    CLASS,
    gatewayYaml('gw', '  - { name: http, protocol: HTTP, port: 80 }'),
    serviceYaml('a', [portA]),
    serviceYaml('b', [portB]),
    routeYaml('public', '  - matches: [{ path: { type: PathPrefix, value: /public } }]\n    backendRefs: [{ name: a, port: 8080 }]'),
    routeYaml('admin', '  - matches: [{ path: { type: PathPrefix, value: /admin } }]\n    backendRefs: [{ name: b, port: 8080 }]'),
    routeYaml(
      'api',
      `  - matches: [{ path: { type: PathPrefix, value: /api } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /v2/ } } }]
    backendRefs: [{ name: a, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /flat } }]
    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /x/../y//z } } }]
    backendRefs: [{ name: a, port: 8080 }]
  - matches: [{ path: { type: PathPrefix, value: /old } }]
    filters: [{ type: RequestRedirect, requestRedirect: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /new }, statusCode: 301 } }]`,
    ),
  ];
}

interface Outcome {
  status: number;
  backend: string | null;
  path: string | null;
  location: string | null;
}

/** Whether `text` holds a whole response (Content-Length or chunked framing). */
function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = text.slice(0, end);
  const length = /\r\ncontent-length: (\d+)/i.exec(head);
  if (length) return Buffer.byteLength(text.slice(end + 4), 'latin1') >= Number(length[1]);
  if (/\r\ntransfer-encoding: chunked/i.test(head)) return text.endsWith('\r\n0\r\n\r\n');
  return false;
}

/** A raw request on a fresh connection (the target exactly as written), read until the response is complete. */
function exchange(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (complete(text)) socket.destroy();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.write(`GET ${target} HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n`);
  });
}

async function ask(port: number, target: string): Promise<Outcome> {
  const text = await exchange(port, target);
  const [head, body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)?.[1] ?? 0);
  const location = /\r\nlocation: ([^\r\n]*)/i.exec(head!)?.[1] ?? null;
  let answer: { backend?: string; path?: string } = {};
  // Chunked or not, the echo JSON is one line of the body.
  const json = body.split('\r\n').find((l) => l.startsWith('{'));
  if (json) answer = JSON.parse(json) as typeof answer;
  return { status, backend: answer.backend ?? null, path: answer.path ?? null, location };
}

/** [request target, expected outcome]. */
const CASES: [string, Outcome][] = [
  ['/public/x?q=1', { status: 200, backend: 'A', path: '/public/x?q=1', location: null }],
  ['/public/../admin', { status: 200, backend: 'B', path: '/admin', location: null }],
  ['/public/%2e%2e/admin', { status: 200, backend: 'B', path: '/admin', location: null }],
  ['/public/.%2E/admin', { status: 200, backend: 'B', path: '/admin', location: null }],
  ['/public%2F..%2Fadmin', { status: 307, backend: null, path: null, location: '/admin' }],
  ['/public%5c..%5cadmin?x=1', { status: 307, backend: null, path: null, location: '/admin?x=1' }],
  ['/public\\..\\admin', { status: 200, backend: 'B', path: '/admin', location: null }],
  // An escaped slash is data while dot segments are removed, as in the URL parser the runtime applies first.
  ['/public/%2F/../y', { status: 200, backend: 'A', path: '/public/y', location: null }],
  ['/public/..;x=y/admin', { status: 200, backend: 'A', path: '/public/..;x=y/admin', location: null }],
  ['//public//x', { status: 200, backend: 'A', path: '/public/x', location: null }],
  ['/public///x/./y', { status: 200, backend: 'A', path: '/public/x/y', location: null }],
  ['/xyz/.%00../abc', { status: 400, backend: null, path: null, location: null }],
  ['/xyz/AAAAA%%0000/abc', { status: 400, backend: null, path: null, location: null }],
  ['/%61dmin', { status: 200, backend: 'B', path: '/admin', location: null }],
  ['/ADMIN', { status: 404, backend: null, path: null, location: null }],
  ['/publicity', { status: 404, backend: null, path: null, location: null }],
  ['/api%2e%2e/admin', { status: 404, backend: null, path: null, location: null }],
  ['/api/items/../orders?id=7', { status: 200, backend: 'A', path: '/v2/orders?id=7', location: null }],
  ['/api//items', { status: 200, backend: 'A', path: '/v2/items', location: null }],
  ['/flat/anything', { status: 200, backend: 'A', path: '/y/z', location: null }],
  ['/old/page%3Bx', { status: 301, backend: null, path: null, location: 'http://a.example/new/page%3Bx' }],
  ['/admin/*', { status: 200, backend: 'B', path: '/admin/*', location: null }],
  ['/public/a%20b/%7e', { status: 200, backend: 'A', path: '/public/a%20b/~', location: null }],
];

let dir: ManifestDir;
let node: NodeGateway;
let nodePort: number;
let bundle: Bundle;
let edge: EdgeWorker;
let servers: Server[];

beforeAll(async () => {
  servers = await Promise.all([origin('A'), origin('B')]);
  const [portA, portB] = servers.map((s) => (s.address() as { port: number }).port);
  const docs = manifests(portA!, portB!);
  dir = await ManifestDir.create();
  await dir.write('all.yaml', ...docs);
  const offset = portOffset(7);
  node = (await startGateway(dir, offset, { watch: false })).gateway;
  nodePort = 80 + offset;
  bundle = await bundleWorker('host-edge/testing/worker.ts');
  edge = await startWorker(bundle, { SWITCHYARD_GATEWAY: 'infra/gw' });
  const compiled = compile(docs.join('\n---\n'));
  await putTable(edge.kv, compiled.table, { backends: backendMapFor(compiled.objects, compiled.manifest) });
}, 120_000);

afterAll(async () => {
  await node?.close();
  await edge?.dispose();
  await bundle?.remove();
  await dir?.remove();
  for (const s of servers ?? []) s.close();
});

describe('Node and edge agree on (route, forwarded path, status)', () => {
  it.each(CASES)('%s', async (target, expected) => {
    const [onNode, onEdge] = await Promise.all([ask(nodePort, target), ask(Number(edge.url.port), target)]);
    expect(onNode, 'Node').toEqual(expected);
    expect(onEdge, 'edge').toEqual(onNode);
  });

  it('tells the origin the client\'s host in X-Forwarded-Host on both hosts', async () => {
    const text = await exchange(Number(edge.url.port), '/public/h');
    expect(text).toContain('"forwardedHost":"a.example"');
    const fromNode = await exchange(nodePort, '/public/h');
    expect(fromNode).toContain('"forwardedHost":"a.example"');
  });
});
