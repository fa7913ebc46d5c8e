import { afterEach, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../src/compile/manifest.js';
import { takeSnapshot } from './snapshot.js';
import { CLASS, gatewayYaml, ManifestDir, routeYaml, serviceYaml } from './test-support.js';

const LISTENERS = `    - { name: http, port: 80, protocol: HTTP }\n    - { name: tcp, port: 9000, protocol: TCP }`;

/** A backend as a string independent of key order. */
const key = (b: BackendInfo) => JSON.stringify(b, Object.keys(b).sort());

let dir: ManifestDir | undefined;
afterEach(async () => {
  await dir?.remove();
  dir = undefined;
});

describe('takeSnapshot', () => {
  it("lists the upstreams of the table's rules once each, as the manifest describes them", async () => {
    dir = await ManifestDir.create();
    await dir.write(
      'all.yaml',
      CLASS,
      gatewayYaml('gw', LISTENERS),
      serviceYaml('a', [8080]),
      serviceYaml('b', [8080], { appProtocol: 'kubernetes.io/h2c' }),
      serviceYaml('mirror', [8081]),
      routeYaml(
        'split',
        `  - matches: [{ path: { type: PathPrefix, value: /split } }]
    filters: [{ type: RequestMirror, requestMirror: { backendRef: { name: mirror, port: 8081 } } }]
    backendRefs: [{ name: a, port: 8080, weight: 90 }, { name: b, port: 8080, weight: 10 }]
  - matches: [{ path: { type: PathPrefix, value: /missing } }]
    backendRefs: [{ name: nowhere, port: 8080 }, { name: a, port: 8080 }]`,
        '',
        'gw, sectionName: http',
      ),
    );
    const snapshot = await takeSnapshot({ paths: [dir.dir], controllerName: 'switchyard.dev/gateway-controller', portOffset: 0, bind: '127.0.0.1', addressFor: () => '127.0.0.1' });
    expect(snapshot.rejected).toBe(false);
    const fromManifest = snapshot.table.manifest.rules.flatMap((r) => [...r.backends, ...r.filterBackends.map((f) => f.target)]);
    expect(fromManifest.map((b) => b.name).sort()).toEqual(['a', 'a', 'b', 'mirror', 'nowhere']);
    // One per Service port (and policy), each as the manifest describes one of its backends.
    const upstream = (b: BackendInfo) => JSON.stringify([b.service, b.tls ?? null]);
    expect(snapshot.backends.map(upstream).sort()).toEqual([...new Set(fromManifest.filter((b) => b.service).map(upstream))].sort());
    const described = new Set(fromManifest.map(key));
    for (const b of snapshot.backends) expect(described.has(key(b))).toBe(true);
  });
});
