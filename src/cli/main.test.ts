import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, runCli } from './main.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-'));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const BROKEN_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: broken
  namespace: shop
spec:
  parentRefs:
  - name: public
    namespace: edge
  rules:
  - matches:
    - path:
        type: Prefix
        value: /x
`;

const FOREIGN_NAMESPACE_ROUTE = `apiVersion: v1
kind: Namespace
metadata:
  name: intruder
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: sneaky
  namespace: intruder
spec:
  parentRefs:
  - name: public
    namespace: edge
  rules:
  - backendRefs:
    - name: storefront
      namespace: shop
      port: 80
`;

describe('switchyard validate', () => {
  it('passes the bundled examples', async () => {
    const r = await run('validate', 'examples');
    expect(r.stderr).toBe('15 objects valid, 0 errors\n');
    expect(r.code).toBe(EXIT_OK);
  });

  it('prints one line per finding with file:line:col, object and field, and exits 1', async () => {
    const file = await tempFile('broken.yaml', BROKEN_ROUTE);
    const r = await run('validate', file);
    expect(r.code).toBe(EXIT_FINDINGS);
    const line = r.stderr.split('\n').find((l) => l.includes('path.type'));
    expect(line).toBeDefined();
    expect(line).toContain(`${file}:13:9 HTTPRoute shop/broken spec.rules[0].matches[0].path.type: Unsupported value: "Prefix"`);
  });

  it('exits 2 on a missing path and on an unknown option', async () => {
    expect((await run('validate', '/does/not/exist.yaml')).code).toBe(EXIT_USAGE);
    expect((await run('validate', '--no-such-flag', 'examples')).code).toBe(EXIT_USAGE);
    expect((await run('no-such-command')).code).toBe(EXIT_USAGE);
  });

  it('has --help on every subcommand', async () => {
    for (const cmd of ['validate', 'status']) {
      const r = await run(cmd, '--help');
      expect(r.code).toBe(EXIT_OK);
      expect(r.stdout).toContain(`Usage: switchyard ${cmd}`);
    }
  });
});

describe('switchyard status', () => {
  it('shows the examples attached, as a table by default', async () => {
    const r = await run('status', 'examples');
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout.split('\n')[0]).toMatch(/^OBJECT\s+PARENT\/LISTENER\s+CONDITION\s+STATUS\s+REASON\s+MESSAGE$/);
    expect(r.stdout).toMatch(/GatewayClass switchyard\s+-\s+Accepted\s+True\s+Accepted/);
    expect(r.stdout).toMatch(/Gateway edge\/public\s+listener http \(3 routes\)\s+Accepted\s+True/);
    expect(r.stdout).toMatch(/HTTPRoute docs\/docs\s+Gateway edge\/public\s+ResolvedRefs\s+True\s+ResolvedRefs/);
  });

  it('explains why a route is not attached', async () => {
    const file = await tempFile('intruder.yaml', FOREIGN_NAMESPACE_ROUTE);
    const r = await run('status', 'examples', file);
    expect(r.stdout).toMatch(/HTTPRoute intruder\/sneaky\s+Gateway edge\/public\s+Accepted\s+False\s+NotAllowedByListeners/);
    expect(r.stdout).toMatch(/HTTPRoute intruder\/sneaky\s+Gateway edge\/public\s+ResolvedRefs\s+False\s+RefNotPermitted/);
  });

  it('prints yaml as kubectl get -o yaml does: a List with spec and status', async () => {
    const r = await run('status', 'examples', '-o', 'yaml');
    expect(r.code).toBe(EXIT_OK);
    const list = parse(r.stdout);
    expect(list.kind).toBe('List');
    const route = list.items.find((i: any) => i.kind === 'HTTPRoute' && i.metadata.name === 'api');
    expect(route.spec.rules[0].backendRefs[0]).toMatchObject({ group: '', kind: 'Service', name: 'api-v1', weight: 90 });
    const parent = route.status.parents[0];
    expect(parent.parentRef).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge', name: 'public' });
    expect(parent.controllerName).toBe('switchyard.dev/gateway-controller');
    expect(parent.conditions.find((c: any) => c.type === 'Accepted')).toMatchObject({ status: 'True', observedGeneration: 1 });
  });

  it('prints json', async () => {
    const r = await run('status', 'examples', '-o', 'json');
    const list = JSON.parse(r.stdout);
    const gw = list.items.find((i: any) => i.kind === 'Gateway');
    expect(gw.status.listeners[0]).toMatchObject({ name: 'http', attachedRoutes: 3 });
  });

  it('rejects an unknown output format with exit 2', async () => {
    expect((await run('status', 'examples', '-o', 'xml')).code).toBe(EXIT_USAGE);
  });
});

describe('switchyard compile', () => {
  it('writes the table and prints its hash, size and counts; the same input gives the same bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-compile-'));
    const first = await run('compile', 'examples', '-o', join(dir, 'a.bin'));
    const second = await run('compile', 'examples', '-o', join(dir, 'b.bin'));
    expect(first.code).toBe(EXIT_OK);
    const info = JSON.parse(first.stdout);
    expect(info).toMatchObject({ listeners: 1, rules: 7 });
    expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(second.stdout).sha256).toBe(info.sha256);
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(join(dir, 'a.bin'));
    expect(bytes.byteLength).toBe(info.bytes);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('SWYD');
    expect((await readFile(join(dir, 'b.bin'))).equals(bytes)).toBe(true);
  });

  it('requires -o', async () => {
    expect((await run('compile', 'examples')).code).toBe(EXIT_USAGE);
  });
});

describe('switchyard route', () => {
  it('answers as JSON with the gateway, listener, route, picked backend and the weighted set', async () => {
    const r = await run('route', 'examples', 'GET', 'http://api.example.com:8080/api/items', '-o', 'json');
    expect(r.code).toBe(EXIT_OK);
    const answer = JSON.parse(r.stdout);
    expect(answer).toMatchObject({
      status: 200,
      gateway: 'edge/public',
      listener: 'http',
      route: { kind: 'HTTPRoute', namespace: 'shop', name: 'api', rule: 0, match: 0 },
      backends: [
        { namespace: 'shop', name: 'api-v1', port: 80, weight: 90 },
        { namespace: 'shop', name: 'api-v2', port: 80, weight: 10 },
      ],
    });
    expect(['api-v1', 'api-v2']).toContain(answer.backend.name);
  });

  it('follows the precedence rules: Exact path with a method beats the prefix, a header match beats the plain prefix', async () => {
    const exact = JSON.parse((await run('route', 'examples', 'GET', 'http://shop.example.com:8080/api/health', '-o', 'json')).stdout);
    expect(exact.route).toMatchObject({ name: 'api', rule: 1 });
    const canary = JSON.parse((await run('route', 'examples', 'GET', 'http://shop.example.com:8080/api/items', '-H', 'X-Canary: always', '-o', 'json')).stdout);
    expect(canary.route).toMatchObject({ name: 'api', rule: 2 });
    expect(canary.backend).toEqual({ namespace: 'shop', name: 'api-v2', port: 80 });
  });

  it('uses the scheme default port unless --port says otherwise', async () => {
    const onDefault = JSON.parse((await run('route', 'examples', 'GET', 'http://shop.example.com/', '-o', 'json')).stdout);
    expect(onDefault.status).toBe(404);
    const onPort = JSON.parse((await run('route', 'examples', 'GET', 'http://shop.example.com/', '--port', '8080', '-o', 'json')).stdout);
    expect(onPort).toMatchObject({ status: 200, route: { name: 'storefront' } });
  });

  it('explains a miss with the nearest matches and the reason each failed', async () => {
    const r = await run('route', 'examples', 'POST', 'http://unknown.example.com:8080/api/health');
    expect(r.stdout.split('\n')[0]).toBe('404 POST http://unknown.example.com:8080/api/health');
    expect(r.stdout).toContain('nearest misses:');
    expect(r.stdout).toMatch(/httproute\/shop\/api\/rule\/0\/match\/0: hostnames shop\.example\.com, api\.example\.com do not include unknown\.example\.com/);
    expect(r.stdout).toMatch(/httproute\/shop\/api\/rule\/1\/match\/0: hostnames .*; method: wants GET, got POST/);
  });

  it('rejects a URL that is not http(s) with exit 2', async () => {
    expect((await run('route', 'examples', 'GET', 'ftp://x/')).code).toBe(EXIT_USAGE);
  });
});
