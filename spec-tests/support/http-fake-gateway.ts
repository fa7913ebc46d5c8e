/**
 * A deliberately minimal stand-in for `switchyard serve`, used only to test the HTTP conformance
 * runner's process control, addressing and judging (http-runner.test.ts). It speaks the same
 * command line and stdout protocol:
 *
 *   serve <dir> --port-offset N --address-pool A.B.C.0/24 [--status-file F]
 *
 * Gateways get pool addresses .1, .2, ... in namespace/name order; each HTTP listener binds
 * address:port+offset. Every request on a Gateway is proxied (HTTP/1.1) to the first endpoint of
 * the Service named by the first backendRef of the first HTTPRoute attached to it, whatever the
 * request (WebSocket upgrades are relayed as raw streams): no matching, no filters. A changed
 * manifest directory is re-read and announced with
 * a `reloaded` line.
 */
import { createHash } from 'node:crypto';
import { watch, readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** How to run this stand-in in place of `switchyard serve` (GatewayOptions.command). */
export const FAKE_GATEWAY_COMMAND = { command: process.execPath, args: ['--import', 'tsx', fileURLToPath(import.meta.url)] };

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function load(dir: string): Obj[] {
  const objects: Obj[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const o = doc.toJS() as Obj | null;
      if (o?.kind) objects.push(o);
    }
  }
  return objects;
}

function upstreamFor(objects: readonly Obj[], gateway: Obj): { host: string; port: number } | undefined {
  const ns = gateway.metadata.namespace ?? 'default';
  const route = objects.find(
    (o) => o.kind === 'HTTPRoute' && (o.spec?.parentRefs ?? []).some((p: any) => p.name === gateway.metadata.name && (p.namespace ?? o.metadata.namespace) === ns),
  );
  const ref = route?.spec?.rules?.[0]?.backendRefs?.[0];
  if (!ref) return undefined;
  const svcNs = ref.namespace ?? route!.metadata.namespace;
  const slice = objects.find(
    (o) => o.kind === 'EndpointSlice' && o.metadata.namespace === svcNs && o.metadata.labels?.['kubernetes.io/service-name'] === ref.name && o.endpoints?.length,
  );
  if (!slice) return undefined;
  return { host: slice.endpoints[0].addresses[0], port: slice.ports[0].port };
}

async function main(): Promise<void> {
  const dir = process.argv[process.argv.indexOf('serve') + 1]!;
  const offset = Number(arg('--port-offset') ?? '0');
  const pool = (arg('--address-pool') ?? '127.0.0.0/24').replace(/\.0\/24$/, '');
  let objects = load(dir);
  const gateways = objects
    .filter((o) => o.kind === 'Gateway')
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const servers: Server[] = [];
  const listeners: { gateway: string; listener: string; protocol: string; address: string; port: number }[] = [];
  const tableHash = () => createHash('sha256').update(JSON.stringify(objects)).digest('hex').slice(0, 16);

  for (const [i, gw] of gateways.entries()) {
    const address = `${pool}.${i + 1}`;
    for (const l of gw.spec.listeners ?? []) {
      if (l.protocol !== 'HTTP') continue;
      const server = createServer((req, res) => {
        const target = upstreamFor(objects, gw);
        if (!target) {
          res.writeHead(404).end();
          return;
        }
        const up = request({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.writeHead(502).end());
        req.pipe(up);
      });
      server.on('upgrade', (req, socket, head) => {
        const target = upstreamFor(objects, gw);
        if (!target) return socket.destroy();
        const up = connect(target.port, target.host, () => {
          const lines = [`${req.method} ${req.url} HTTP/1.1`];
          for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
          up.write(`${lines.join('\r\n')}\r\n\r\n`);
          up.write(head);
          up.pipe(socket).pipe(up);
        });
        up.on('error', () => socket.destroy());
        socket.on('error', () => up.destroy());
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(l.port + offset, address, () => resolve());
      });
      servers.push(server);
      listeners.push({ gateway: `${gw.metadata.namespace}/${gw.metadata.name}`, listener: l.name, protocol: 'HTTP', address, port: l.port + offset });
    }
  }
  process.stdout.write(`${JSON.stringify({ event: 'ready', tableHash: tableHash(), listeners })}\n`);
  let timer: NodeJS.Timeout | undefined;
  watch(dir, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      objects = load(dir);
      process.stdout.write(`${JSON.stringify({ event: 'reloaded', tableHash: tableHash() })}\n`);
    }, 50);
  });
  process.on('SIGTERM', () => {
    for (const s of servers) s.close();
    process.exit(0);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`fake gateway: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
