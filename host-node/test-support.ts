/**
 * Test support for the Node gateway: manifests written to a temp directory (Gateways, routes,
 * Services with EndpointSlices pointing at loopback echo backends), a gateway started
 * in-process on a port offset, and small loopback clients. Not used by the gateway itself.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeGateway, type NodeGatewayOptions } from './index.js';

export const CLASS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: switchyard }
spec: { controllerName: switchyard.dev/gateway-controller }
`;

/** A Gateway in namespace `infra` with the given listener lines (YAML flow maps, 4-space indented). */
export function gatewayYaml(name: string, listeners: string, extra = ''): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: infra }
spec:
  gatewayClassName: switchyard
  listeners:
${listeners}
${extra}`;
}

/** A Service `infra/<name>` (port 8080, optionally an appProtocol) and an EndpointSlice with ready endpoints on `ports`. */
export function serviceYaml(name: string, ports: number[], options: { appProtocol?: string; notReady?: number[] } = {}): string {
  const endpoints = [...ports.map((p) => ({ port: p, ready: true })), ...(options.notReady ?? []).map((p) => ({ port: p, ready: false }))];
  // One slice per endpoint port: each endpoint listens on its own loopback port.
  const slices = endpoints
    .map(
      (e, i) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-${i}
  namespace: infra
  labels: { kubernetes.io/service-name: ${name} }
addressType: IPv4
endpoints:
- addresses: ["127.0.0.1"]
  conditions: { ready: ${e.ready} }
ports:
- name: http
  port: ${e.port}
`,
    )
    .join('---\n');
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: infra }
spec:
  ports:
  - name: http
    port: 8080
    targetPort: 3000${options.appProtocol ? `\n    appProtocol: ${options.appProtocol}` : ''}
---
${slices}`;
}

/** An HTTPRoute `infra/<name>` on Gateway `gw` with the given rules (YAML, 2-space indented list items). */
export function routeYaml(name: string, rules: string, extra = '', parent = 'gw'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: infra }
spec:
  parentRefs: [{ name: ${parent} }]
${extra}  rules:
${rules}
`;
}

export class ManifestDir {
  private constructor(readonly dir: string) {}

  static async create(): Promise<ManifestDir> {
    return new ManifestDir(await mkdtemp(join(tmpdir(), 'switchyard-node-')));
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  async write(name: string, ...docs: string[]): Promise<string> {
    const path = this.file(name);
    await writeFile(path, docs.join('\n---\n'));
    return path;
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * The port offset of a test file's gateway: every file has its own slot, so files running in
 * parallel never collide. Offsets stay below Linux's ephemeral range (32768 and up), where
 * outgoing connections take their source ports and a listener could find its port taken; the
 * step (600) is no difference between two listener ports the tests use (80, 81, 100-103, 443,
 * 8443), so one slot's ports never meet another's.
 */
export function portOffset(slot: number): number {
  const offset = 1_000 + slot * 600;
  if (offset + 8_443 >= 32_768) throw new Error(`port slot ${slot} reaches the ephemeral port range`);
  return offset;
}

export async function startGateway(dir: ManifestDir, offset: number, options: Partial<NodeGatewayOptions> = {}): Promise<{ gateway: NodeGateway; logs: string[] }> {
  const logs: string[] = [];
  const gateway = await NodeGateway.start({ paths: [dir.dir], portOffset: offset, bind: '127.0.0.1', log: (l) => logs.push(l), ...options });
  return { gateway, logs };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as JSON, when it is. */
  json: any;
}

/** One HTTP/1.1 request on a fresh connection (node:http, no connection reuse). */
export function send(port: number, options: { host?: string; path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; address?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: options.address ?? '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: { host: options.host ?? 'example.com', ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a fresh connection and reads until the server closes it (or `until` matches). */
export function raw(port: number, text: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    let out = '';
    socket.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (until?.test(out)) socket.destroy();
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(text);
  });
}

/** A `kubernetes.io/tls` Secret `infra/<name>`. */
export function tlsSecretYaml(name: string, certPem: string, keyPem: string): string {
  return `apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: infra }
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(certPem).toString('base64')}
  tls.key: ${Buffer.from(keyPem).toString('base64')}
`;
}

/** A ConfigMap `infra/<name>` holding a CA bundle under `ca.crt`. */
export function caConfigMapYaml(name: string, pem: string): string {
  const lines = pem
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: infra }
data:
  ca.crt: |
${lines}
`;
}
