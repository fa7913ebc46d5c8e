/** `status --target edge`: what cannot run the same way at the edge, per object; and the build-time backend map. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/pipeline.js';
import { runCli } from '../src/cli/main.js';
import { CLASS, gatewayYaml, routeYaml, serviceYaml } from '../host-node/test-support.js';
import { backendMapFor } from './backends.js';
import { edgeFindings } from './findings.js';

const DOCS = [
  CLASS,
  gatewayYaml('gw', '  - { name: http, protocol: HTTP, port: 80 }\n  - { name: admin, protocol: HTTP, port: 9000 }\n  - { name: tcp, protocol: TCP, port: 5432 }'),
  serviceYaml('a', [3000]),
  routeYaml(
    'r',
    `  - matches: [{ path: { type: PathPrefix, value: /a } }]
    retry: { attempts: 2 }
    filters: [{ type: URLRewrite, urlRewrite: { hostname: internal.example } }]
    backendRefs: [{ name: a, port: 8080 }]`,
  ),
].join('\n---\n');

describe('edge findings', () => {
  it('reports listeners, retries, host rewrites and IP origins per object', () => {
    const result = compile(DOCS);
    const findings = edgeFindings(result.objects, result.manifest, { backends: backendMapFor(result.objects, result.manifest) });
    expect(findings.map((f) => `${f.object} ${f.severity} ${f.code}`)).toEqual([
      'Gateway infra/gw unsupported listener-port',
      'Gateway infra/gw unsupported listener-protocol',
      'HTTPRoute infra/r differs host-rewrite',
      'HTTPRoute infra/r differs retry',
      'Service infra/a differs ip-origin',
    ]);
  });

  it('backendMapFor resolves Service ports to EndpointSlice origins', () => {
    const result = compile(DOCS);
    expect(backendMapFor(result.objects, result.manifest)).toEqual({ 'infra/a:8080': ['http://127.0.0.1:3000'] });
  });

  it('`switchyard status --target edge` prints them and exits 1 on unsupported objects', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-edge-findings-'));
    await writeFile(join(dir, 'all.yaml'), DOCS);
    let out = '';
    const exit = await runCli(['status', '--target', 'edge', '--edge-ports', '80,9000', '-o', 'json', dir], { stdout: (t) => (out += t), stderr: () => {} });
    await rm(dir, { recursive: true, force: true });
    expect(exit).toBe(1);
    const codes = (JSON.parse(out) as { code: string }[]).map((f) => f.code);
    expect(codes).toContain('listener-protocol');
    expect(codes).not.toContain('listener-port');
  });
});
