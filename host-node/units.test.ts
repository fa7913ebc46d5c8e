import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../src/compile/manifest.js';
import { objectsFromYaml } from '../src/resolve/test-support.js';
import { AddressPool } from './addresses.js';
import { parseDuration } from './duration.js';
import { EndpointDirectory } from './endpoints.js';
import { ForwardingTrust, stripResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { pickCertificate, SniSelector } from './tls.js';

describe('parseDuration', () => {
  it('reads Go durations in milliseconds', () => {
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('0')).toBe(0);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['', '1', 's', '1x', '1s ', '.s', '-1s']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('AddressPool', () => {
  it('hands out addresses in order, skipping network and broadcast, stable per key', () => {
    const pool = new AddressPool('127.0.10.0/30');
    expect(pool.addressFor('infra/a')).toBe('127.0.10.1');
    expect(pool.addressFor('infra/b')).toBe('127.0.10.2');
    expect(pool.addressFor('infra/a')).toBe('127.0.10.1');
    expect(pool.addressFor('infra/c')).toBeUndefined();
  });

  it('rejects what is not an IPv4 CIDR', () => {
    expect(() => new AddressPool('127.0.10.0')).toThrow(/IPv4 CIDR/);
    expect(() => new AddressPool('fd00::/64')).toThrow(/IPv4 CIDR/);
  });
});

const backend = (name: string, port: number): BackendInfo => ({ group: '', kind: 'Service', namespace: 'ns', name, port, weight: 1, filters: [], service: { namespace: 'ns', name, port } });

describe('EndpointDirectory', () => {
  const directory = new EndpointDirectory(
    objectsFromYaml(`
apiVersion: v1
kind: Service
metadata: { name: named, namespace: ns }
spec:
  ports:
  - { name: web, port: 80, targetPort: web-port, appProtocol: kubernetes.io/h2c }
  - { name: admin, port: 81, targetPort: 9000 }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: named-1, namespace: ns, labels: { kubernetes.io/service-name: named } }
addressType: IPv4
endpoints:
- { addresses: [10.0.0.1], conditions: { ready: true } }
- { addresses: [10.0.0.2], conditions: { ready: false } }
- { addresses: [10.0.0.3] }
ports:
- { name: web, port: 8080 }
- { name: admin, port: 9000 }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: other-namespace, namespace: elsewhere, labels: { kubernetes.io/service-name: named } }
addressType: IPv4
endpoints: [{ addresses: [10.9.9.9] }]
ports: [{ name: web, port: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: plain, namespace: ns }
spec:
  ports: [{ port: 80, targetPort: 3000 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: plain-1, namespace: ns, labels: { kubernetes.io/service-name: plain } }
addressType: IPv6
endpoints: [{ addresses: ["fd00::1"] }]
ports: [{ port: 3000 }]
---
apiVersion: v1
kind: Service
metadata: { name: external, namespace: ns }
spec: { type: ExternalName, externalName: api.example.net, ports: [{ port: 443 }] }
`),
  );

  it('maps a named Service port to the slice port of that name, ready endpoints only', () => {
    expect(directory.endpoints(backend('named', 80)).targets).toEqual([
      { origin: 'http://10.0.0.1:8080', protocol: 'h2c' },
      { origin: 'http://10.0.0.3:8080', protocol: 'h2c' },
    ]);
    expect(directory.endpoints(backend('named', 81)).targets.map((t) => t.origin)).toEqual(['http://10.0.0.1:9000', 'http://10.0.0.3:9000']);
  });

  it('maps an unnamed port by its numeric targetPort and brackets IPv6', () => {
    expect(directory.endpoints(backend('plain', 80)).targets).toEqual([{ origin: 'http://[fd00::1]:3000', protocol: 'http1' }]);
  });

  it('resolves ExternalName to the DNS name on the Service port', () => {
    expect(directory.endpoints(backend('external', 443)).targets).toEqual([{ origin: 'http://api.example.net:443', protocol: 'http1' }]);
  });

  it('has no endpoints for unknown Services and ports, and round-robins', () => {
    expect(directory.endpoints(backend('missing', 80)).next()).toBeUndefined();
    expect(directory.endpoints(backend('named', 82)).next()).toBeUndefined();
    const set = directory.endpoints(backend('named', 80));
    const picks = [set.next(), set.next(), set.next()].map((t) => t?.origin);
    expect(picks[0]).not.toBe(picks[1]);
    expect(picks[0]).toBe(picks[2]);
  });
});

describe('headers', () => {
  it('strips hop-by-hop, nominated and internal request headers, keeps TE: trailers, appends X-Forwarded-For of a trusted peer', () => {
    const client = { connection: 'x-a, close', 'x-a': '1', 'x-b': '2', te: 'trailers', upgrade: 'h2c', host: 'h', expect: '100-continue', ':path': '/', 'x-forwarded-for': '1.1.1.1', 'x-request-id': 'r1', 'x-switchyard-internal': '1' };
    const out = upstreamRequestHeaders(client, { clientIp: '10.0.0.9', proto: 'https', authority: 'h:8443', trustForwarded: true });
    expect(out).toEqual({ 'x-b': '2', te: 'trailers', 'x-forwarded-for': '1.1.1.1, 10.0.0.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'h:8443', 'x-request-id': 'r1' });
    const untrusted = upstreamRequestHeaders(client, { clientIp: '10.0.0.9', proto: 'https', authority: 'h:8443' });
    expect(untrusted['x-forwarded-for']).toBe('10.0.0.9');
    expect(untrusted['x-request-id']).not.toBe('r1');
    expect(untrusted['x-switchyard-internal']).toBeUndefined();
  });

  it('trusts only the configured proxy addresses and ranges', () => {
    const trust = new ForwardingTrust(['10.1.0.0/16', '192.0.2.7', 'fd00::/8']);
    expect(trust.trusts('10.1.200.3')).toBe(true);
    expect(trust.trusts('10.2.0.1')).toBe(false);
    expect(trust.trusts('192.0.2.7')).toBe(true);
    expect(trust.trusts('192.0.2.8')).toBe(false);
    expect(trust.trusts('fd12::1')).toBe(true);
    expect(new ForwardingTrust().trusts('127.0.0.1')).toBe(false);
    expect(() => new ForwardingTrust(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => new ForwardingTrust(['example.com'])).toThrow(/not an IP/);
  });

  it('strips hop-by-hop and nominated response headers', () => {
    const headers: Record<string, string | string[] | undefined> = { connection: 'x-c', 'x-c': '1', 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5', 'set-cookie': ['a=1', 'b=2'] };
    stripResponseHeaders(headers);
    expect(headers).toEqual({ 'set-cookie': ['a=1', 'b=2'] });
  });
});

describe('SNI', () => {
  const cert = (secret: string, dnsNames: string[]) => ({ secret, certPem: '', keyPem: '', dnsNames });
  const a = cert('a', ['a.example.com']);
  const wild = cert('wild', ['*.example.com']);
  const other = cert('other', ['other.org']);

  it('picks the exact name, then a one-label wildcard, else the first', () => {
    expect(pickCertificate([other, wild, a], 'a.example.com')).toBe(a);
    expect(pickCertificate([other, wild, a], 'b.example.com')).toBe(wild);
    expect(pickCertificate([other, wild, a], 'x.b.example.com')).toBe(other);
  });

  it('selects the listener as a Host would: exact, longest wildcard, then none', () => {
    const sni = new SniSelector([
      { name: 'any', gateway: 'ns/gw', certificates: [other] },
      { name: 'wild', gateway: 'ns/gw', hostname: '*.example.com', certificates: [wild] },
      { name: 'exact', gateway: 'ns/gw', hostname: 'a.example.com', certificates: [a] },
    ]);
    expect(sni.listenerFor('a.example.com')?.name).toBe('exact');
    expect(sni.listenerFor('B.example.com')?.name).toBe('wild');
    expect(sni.listenerFor('example.org')?.name).toBe('any');
    expect(sni.defaultCertificate).toBe(other);
  });
});
