import { readFile, writeFile } from 'node:fs/promises';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caFor, certificateFor, INFRA_NS, type GeneratedCa, type GeneratedLeaf } from '../spec-tests/support/certificates.js';
import { startHttpEcho, type HttpEchoServer } from '../spec-tests/support/echo/index.js';
import type { NodeGateway } from './index.js';
import { SniSelector } from './tls.js';
import { caConfigMapYaml, CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, serviceYaml, startGateway, tlsSecretYaml } from './test-support.js';

const OFFSET = portOffset(8);
/** Shared by Gateway `strict` (validating) and Gateway `a-open` (not validating). */
const shared = 443 + OFFSET;
/** Gateway `strict` only, AllowInsecureFallback. */
const fallback = 8443 + OFFSET;

let dir: ManifestDir;
let gateway: NodeGateway;
let strictBackend: HttpEchoServer;
let openBackend: HttpEchoServer;
/** Serves abc.example.com and other.example.com. */
let server: GeneratedLeaf;
let serverCa: GeneratedCa;
/** Signed by the CA of the default validation. */
let clientA: GeneratedLeaf;
/** Signed by the CA of the per-port validation. */
let clientB: GeneratedLeaf;
let manifests: string;

function strictGateway(defaultMode: string): string {
  return gatewayYaml(
    'strict',
    `    - { name: https, port: 443, protocol: HTTPS, hostname: abc.example.com, tls: { certificateRefs: [{ name: server }] } }
    - { name: fallback, port: 8443, protocol: HTTPS, hostname: abc.example.com, tls: { certificateRefs: [{ name: server }] } }`,
    `  tls:
    frontend:
      default:
        validation: { mode: ${defaultMode}, caCertificateRefs: [{ group: "", kind: ConfigMap, name: ca-a }] }
      perPort:
      - port: 8443
        tls:
          validation: { mode: AllowInsecureFallback, caCertificateRefs: [{ group: "", kind: ConfigMap, name: ca-b }] }
`,
  );
}

beforeAll(async () => {
  server = await certificateFor(`${INFRA_NS}/tls-checks-certificate`);
  serverCa = await caFor(`${INFRA_NS}/tls-checks-ca-certificate`);
  clientA = await certificateFor(`${INFRA_NS}/tls-validity-checks-client-certificate`);
  clientB = await certificateFor(`${INFRA_NS}/tls-validity-checks-per-port-client-certificate`);
  const caA = await caFor(`${INFRA_NS}/tls-validity-checks-ca-certificate`);
  const caB = await caFor(`${INFRA_NS}/tls-validity-checks-per-port-ca-certificate`);
  strictBackend = await startHttpEcho({ pod: { namespace: 'infra', pod: 'strict-abc-def' } });
  openBackend = await startHttpEcho({ pod: { namespace: 'infra', pod: 'open-abc-def' } });
  dir = await ManifestDir.create();
  manifests = [
    CLASS,
    tlsSecretYaml('server', server.certPem, server.keyPem),
    caConfigMapYaml('ca-a', caA.certPem),
    caConfigMapYaml('ca-b', caB.certPem),
    // Listed first: its listener is the shared socket's default (handshakes whose SNI picks none).
    gatewayYaml('a-open', `    - { name: https, port: 443, protocol: HTTPS, hostname: other.example.com, tls: { certificateRefs: [{ name: server }] } }`),
    strictGateway('AllowValidOnly'),
    serviceYaml('strict', [strictBackend.port]),
    serviceYaml('open', [openBackend.port]),
    routeYaml('strict', `  - backendRefs: [{ name: strict, port: 8080 }]`, '', 'strict'),
    routeYaml('open', `  - backendRefs: [{ name: open, port: 8080 }]`, '', 'a-open'),
  ].join('\n---\n');
  await dir.write('all.yaml', manifests);
  ({ gateway } = await startGateway(dir, OFFSET));
});

afterAll(async () => {
  await gateway?.close();
  await strictBackend?.close();
  await openBackend?.close();
  await dir?.remove();
});

/** One HTTPS request on a fresh connection; rejects when the connection fails. */
function get(port: number, servername: string, host: string, client?: GeneratedLeaf, agent?: HttpsAgent): Promise<{ status: number; pod: string | undefined; reused?: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername,
        ca: serverCa.certPem,
        // The server certificate does not name the unmatched SNI used below.
        checkServerIdentity: () => undefined,
        headers: { host },
        agent: agent ?? false,
        ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          let pod: string | undefined;
          try {
            pod = (JSON.parse(body) as { pod?: string }).pod;
          } catch {
            pod = undefined;
          }
          resolve({ status: res.statusCode ?? 0, pod, ...(agent ? { reused: (res.socket as TLSSocket).isSessionReused() } : {}) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('client certificate validation (Gateway spec.tls.frontend)', () => {
  it('serves both Gateways on one socket', () => {
    const ports = gateway.listeners.filter((l) => l.port === shared).map((l) => l.gateway);
    expect(ports.sort()).toEqual(['infra/a-open', 'infra/strict']);
  });

  it('AllowValidOnly: accepts a certificate from the configured CA', async () => {
    expect(await get(shared, 'abc.example.com', 'abc.example.com', clientA)).toEqual({ status: 200, pod: 'strict-abc-def' });
  });

  it('AllowValidOnly: refuses a certificate from another CA, and no certificate', async () => {
    await expect(get(shared, 'abc.example.com', 'abc.example.com', clientB)).rejects.toThrow();
    await expect(get(shared, 'abc.example.com', 'abc.example.com')).rejects.toThrow();
  });

  it('asks nothing of clients of a listener without validation on the same socket', async () => {
    expect(await get(shared, 'other.example.com', 'other.example.com')).toEqual({ status: 200, pod: 'open-abc-def' });
  });

  it('answers 421 when a handshake without a matching SNI reaches a validating listener by Host', async () => {
    expect(await get(shared, 'unknown.example.net', 'other.example.com')).toEqual({ status: 200, pod: 'open-abc-def' });
    expect((await get(shared, 'unknown.example.net', 'abc.example.com')).status).toBe(421);
  });

  it('resumes the TLS sessions of validated clients', async () => {
    const agent = new HttpsAgent({ keepAlive: false, maxCachedSessions: 10 });
    try {
      const first = await get(shared, 'abc.example.com', 'abc.example.com', clientA, agent);
      const second = await get(shared, 'abc.example.com', 'abc.example.com', clientA, agent);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('AllowInsecureFallback (per port): lets clients in with a valid, an invalid or no certificate', async () => {
    for (const client of [clientB, clientA, undefined]) {
      expect(await get(fallback, 'abc.example.com', 'abc.example.com', client)).toEqual({ status: 200, pod: 'strict-abc-def' });
    }
  });

  it('applies a changed mode to the running socket on reload', async () => {
    await writeFile(dir.file('all.yaml'), (await readFile(dir.file('all.yaml'), 'utf8')).replace(strictGateway('AllowValidOnly'), strictGateway('AllowInsecureFallback')));
    const info = await gateway.reload();
    expect(info.changed).toBe(true);
    expect(await get(shared, 'abc.example.com', 'abc.example.com')).toEqual({ status: 200, pod: 'strict-abc-def' });
    // The handshake-level rule is gone too: no listener on the socket refuses anyone.
    expect((await get(shared, 'unknown.example.net', 'abc.example.com')).status).toBe(200);
  });
});

describe('SniSelector client-certificate policy', () => {
  const cert = { secret: 'infra/s', certPem: 'C', keyPem: 'K', dnsNames: ['abc.example.com'] };
  const validOnly = { mode: 'AllowValidOnly' as const, caCertificates: ['CA-A'] };
  const fallbackOnly = { mode: 'AllowInsecureFallback' as const, caCertificates: ['CA-B'] };
  const listener = (name: string, hostname: string, clientValidation?: typeof validOnly | typeof fallbackOnly) => ({
    name,
    gateway: 'infra/gw',
    hostname,
    certificates: [cert],
    ...(clientValidation ? { clientValidation } : {}),
  });

  it('lets the TLS layer refuse unverified clients only when every listener requires valid certificates', () => {
    expect(new SniSelector([listener('a', 'a.example.com', validOnly), listener('b', 'b.example.com', validOnly)]).clientCertificates).toEqual({ requestCert: true, rejectUnauthorized: true });
    expect(new SniSelector([listener('a', 'a.example.com', validOnly), listener('b', 'b.example.com')]).clientCertificates).toEqual({ requestCert: true, rejectUnauthorized: false });
    expect(new SniSelector([listener('a', 'a.example.com', fallbackOnly)]).clientCertificates).toEqual({ requestCert: true, rejectUnauthorized: false });
    expect(new SniSelector([listener('a', 'a.example.com')]).clientCertificates).toEqual({ requestCert: false, rejectUnauthorized: false });
  });

  it('requires a valid client per the listener SNI picks, else the default listener', () => {
    const sni = new SniSelector([listener('open', 'open.example.com'), listener('strict', 'strict.example.com', validOnly), listener('lax', 'lax.example.com', fallbackOnly)]);
    expect(sni.requiresValidClient('strict.example.com')).toBe(true);
    expect(sni.requiresValidClient('open.example.com')).toBe(false);
    expect(sni.requiresValidClient('lax.example.com')).toBe(false);
    expect(sni.requiresValidClient(undefined)).toBe(false);
    expect(sni.validatedFor(undefined, { name: 'strict', gateway: 'infra/gw' })).toBe(false);
    expect(sni.validatedFor('strict.example.com', { name: 'strict', gateway: 'infra/gw' })).toBe(true);
    expect(sni.validatedFor(undefined, { name: 'lax', gateway: 'infra/gw' })).toBe(true);
  });
});
