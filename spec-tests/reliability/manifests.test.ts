/**
 * B13, the extras of design/security.md §5 (the CEL vectors are src/validate/rules.test.ts):
 * invalid objects loaded through `switchyard serve` next to valid routes. Each object the API
 * server's CRD schema would refuse is rejected with a diagnostic on stderr naming its JSON path
 * and the schema's message, and never serves; the valid routes beside it keep serving.
 *
 * What the CRD schema accepts is checked at request time instead:
 * - `host` in RequestHeaderModifier `set` is the upstream authority (as URLRewrite hostname);
 *   routing still uses the client's Host;
 * - `transfer-encoding` in RequestHeaderModifier never frames the upstream request: the
 *   backend sees the body the client sent, framed by the gateway; a `content-length` that
 *   contradicts the body makes the request fail (502) before any byte reaches the backend;
 * - a cross-namespace backendRef without a ReferenceGrant: status RefNotPermitted, 500 for that
 *   backend's share only;
 * - a route claiming a hostname of a listener that admits only its own namespace: status
 *   NotAllowedByListeners on that listener; attached to a catch-all listener instead, it still
 *   never receives the requests the more specific listener owns.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freeOffset, startServe, type Child } from '../../host-node/ops/test-support.js';
import { CLASS, ManifestDir, serviceYaml } from '../../host-node/test-support.js';
import { header } from './malformed.js';
import { get, startRecordingBackend, type RecordingBackend } from './support.js';

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: infra }
spec:
  gatewayClassName: switchyard
  listeners:
  - { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
  - { name: team-a, port: 80, protocol: HTTP, hostname: a.team.example, allowedRoutes: { namespaces: { from: Same } } }
`;

function route(name: string, namespace: string, body: string, parent = '[{ name: gw, namespace: infra }]'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  parentRefs: ${parent}
${body}`;
}

/** One rule on host v.example matching `prefix`, with optional filters, to Service `svc`. */
const simple = (prefix: string, filters = '', hostnames = '[v.example]') => `  hostnames: ${hostnames}
  rules:
  - matches: [{ path: { type: PathPrefix, value: ${prefix} } }]
${filters ? `    filters: [${filters}]\n` : ''}    backendRefs: [{ name: svc, port: 8080 }]
`;

interface Invalid {
  name: string;
  yaml: string;
  field: string;
  /** Text the diagnostic's message must contain. */
  message: string;
  /** A request the object would have served had it been accepted: must answer 404. */
  probe: { host: string; path: string };
}

const INVALID: Invalid[] = [
  {
    name: 'crlf-value',
    yaml: route('crlf-value', 'infra', simple('/crlf', `{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: x-a, value: "a\\r\\nx-injected: 1" }] } }`)),
    field: 'spec.rules[0].filters[0].requestHeaderModifier.set[0].value',
    message: "should match '^[!-~]+([\\t ]?[!-~]+)*$'",
    probe: { host: 'v.example', path: '/crlf' },
  },
  {
    name: 'upper-host',
    yaml: route('upper-host', 'infra', simple('/', '', '[Upper.Example]')),
    field: 'spec.hostnames[0]',
    message: 'Invalid value: "Upper.Example": spec.hostnames[0] in body should match',
    probe: { host: 'upper.example', path: '/' },
  },
  {
    name: 'underscore-host',
    yaml: route('underscore-host', 'infra', simple('/', '', '[under_score.example]')),
    field: 'spec.hostnames[0]',
    message: 'Invalid value: "under_score.example": spec.hostnames[0] in body should match',
    probe: { host: 'under_score.example', path: '/' },
  },
  {
    name: 'pseudo-path',
    yaml: route('pseudo-path', 'infra', simple('/pseudo', `{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: ":path", value: /admin }] } }`)),
    field: 'spec.rules[0].filters[0].requestHeaderModifier.set[0].name',
    message: 'Invalid value: ":path"',
    probe: { host: 'v.example', path: '/pseudo' },
  },
  {
    name: 'backreference',
    yaml: route('backreference', 'infra', `  hostnames: [v.example]\n  rules:\n  - matches: [{ path: { type: RegularExpression, value: "^/(br+)\\\\1$" } }]\n    backendRefs: [{ name: svc, port: 8080 }]\n`),
    field: 'spec.rules[0].matches[0].path.value',
    message: 'backreference \\1 is not supported',
    probe: { host: 'v.example', path: '/brbr' },
  },
  {
    name: 'unknown-filter',
    yaml: route('unknown-filter', 'infra', simple('/unknown', '{ type: Bogus }')),
    field: 'spec.rules[0].filters[0].type',
    message: 'Unsupported value: "Bogus": supported values: "RequestHeaderModifier"',
    probe: { host: 'v.example', path: '/unknown' },
  },
];

let dir: ManifestDir;
let child: Child;
let port: number;
let svc: RecordingBackend;
let local: RecordingBackend;
let teamA: RecordingBackend;
let statusFile: string;

beforeAll(async () => {
  svc = await startRecordingBackend('svc');
  local = await startRecordingBackend('local');
  teamA = await startRecordingBackend('team-a');
  dir = await ManifestDir.create();
  statusFile = dir.file('status.yaml');
  await dir.write(
    'all.yaml',
    CLASS,
    GATEWAY,
    serviceYaml('svc', [svc.port]),
    serviceYaml('team-a', [teamA.port]),
    serviceYaml('local', [local.port]).replaceAll('namespace: infra', 'namespace: apps'),
    // Valid siblings: one next to every invalid object, on the same host.
    route('valid', 'infra', simple('/ok')),
    route('valid-regex', 'infra', `  hostnames: [v.example]\n  rules:\n  - matches: [{ path: { type: RegularExpression, value: "/re/[0-9]+" } }]\n    backendRefs: [{ name: svc, port: 8080 }]\n`),
    route('team-a', 'infra', `  hostnames: [a.team.example]\n  rules:\n  - backendRefs: [{ name: team-a, port: 8080 }]\n`, '[{ name: gw, sectionName: team-a }]'),
    ...INVALID.map((c) => c.yaml),
    // Accepted by the CRD schema (header names are tokens): checked at request time.
    route('set-host', 'infra', simple('/set-host', `{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: Host, value: upstream.example }] } }`)),
    route('add-te', 'infra', simple('/add-te', `{ type: RequestHeaderModifier, requestHeaderModifier: { add: [{ name: Transfer-Encoding, value: chunked }] } }`)),
    route('set-te', 'infra', simple('/set-te', `{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: transfer-encoding, value: "gzip, chunked" }] } }`)),
    route('set-cl', 'infra', simple('/set-cl', `{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: content-length, value: "1" }] } }`)),
    // Cross-namespace backendRef without a ReferenceGrant, half the weight.
    route('cross-ns', 'apps', `  hostnames: [x.example]\n  rules:\n  - backendRefs: [{ name: svc, namespace: infra, port: 8080, weight: 1 }, { name: local, port: 8080, weight: 1 }]\n`),
    // Another namespace claiming team-a's hostname: on its listener, and on the catch-all one.
    route('claim', 'apps', `  hostnames: [a.team.example]\n  rules:\n  - backendRefs: [{ name: local, port: 8080 }]\n`, '[{ name: gw, namespace: infra, sectionName: team-a }]'),
    route('claim-any', 'apps', `  hostnames: [a.team.example]\n  rules:\n  - backendRefs: [{ name: local, port: 8080 }]\n`),
  );
  const offset = await freeOffset(80);
  child = startServe([dir.dir, '--port-offset', String(offset), '--bind', '127.0.0.1', '--no-watch', '--no-access-log', '--status-file', statusFile]);
  await child.waitLine((l) => l.includes('"event":"ready"'));
  port = 80 + offset;
});

afterAll(async () => {
  child?.kill();
  await child?.exited;
  await svc?.close();
  await local?.close();
  await teamA?.close();
  await dir?.remove();
});

/** A request with a body, on a fresh connection. */
function post(path: string, host: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { host, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

type Conditions = { type: string; status: string; reason: string; message: string }[];

async function routeParents(namespace: string, name: string): Promise<{ parentRef: { sectionName?: string }; conditions: Conditions }[]> {
  const list = parse(await readFile(statusFile, 'utf8')) as { items: Record<string, any>[] };
  const found = list.items.find((d) => d?.kind === 'HTTPRoute' && d.metadata?.name === name && d.metadata?.namespace === namespace);
  expect(found, `no status for HTTPRoute ${namespace}/${name}`).toBeDefined();
  return found!.status.parents;
}

describe('B13 invalid manifests through switchyard serve', () => {
  it('rejects each invalid object with a diagnostic naming its JSON path and the message', () => {
    const stderr = child.stderr();
    const missing: string[] = [];
    for (const c of INVALID) {
      const line = stderr.split('\n').find((l) => l.includes(`HTTPRoute infra/${c.name} ${c.field}: `));
      if (line === undefined || !line.includes(c.message)) missing.push(`${c.name}: ${line ?? 'no diagnostic for the field'}`);
      // file:line:col in front.
      else if (!/^\S+all\.yaml:[0-9]+:[0-9]+ /.test(line)) missing.push(`${c.name}: no position in ${line}`);
    }
    expect(missing).toEqual([]);
    for (const valid of ['valid', 'valid-regex', 'team-a', 'set-host', 'add-te', 'set-te', 'set-cl']) expect(stderr).not.toContain(`HTTPRoute infra/${valid} `);
  });

  it('serves none of the invalid objects and every valid sibling', async () => {
    const problems: string[] = [];
    for (const c of INVALID) {
      const answer = await get(port, c.probe.path, c.probe.host);
      if (answer.status !== 404) problems.push(`${c.name}: ${c.probe.host}${c.probe.path} answered ${answer.status}`);
    }
    for (const [host, path] of [
      ['v.example', '/ok'],
      ['v.example', '/ok/deeper'],
      ['v.example', '/re/42'],
      ['a.team.example', '/'],
    ] as const) {
      const answer = await get(port, path, host);
      if (answer.status !== 200) problems.push(`valid ${host}${path} answered ${answer.status}`);
    }
    expect(problems).toEqual([]);
    // The CRLF value never reached a backend as a header.
    expect(svc.requests.filter((r) => r.rawHeaders.some((h) => h.toLowerCase() === 'x-injected'))).toEqual([]);
  });

  it('RequestHeaderModifier Host sets the upstream authority; routing used the client Host', async () => {
    const before = svc.requests.length;
    expect((await get(port, '/set-host/x', 'v.example')).status).toBe(200);
    expect((await get(port, '/set-host/x', 'upstream.example')).status).toBe(404);
    const seen = svc.requests.slice(before);
    expect(seen.map((r) => [r.url, header(r, 'host')])).toEqual([['/set-host/x', ['upstream.example']]]);
    expect(header(seen[0]!, 'x-forwarded-host')).toEqual(['v.example']);
  });

  it('RequestHeaderModifier Transfer-Encoding / Content-Length never frame the upstream request', async () => {
    const problems: string[] = [];
    for (const path of ['/add-te/x', '/set-te/x']) {
      for (const body of ['', 'hello body']) {
        const before = svc.requests.length;
        const status = await post(path, 'v.example', body);
        const seen = svc.requests.slice(before);
        if (seen.length !== 1 || seen[0]!.bodyBytes !== body.length) {
          problems.push(`${path} body ${body.length}: answered ${status}, backend saw ${JSON.stringify(seen.map((r) => r.bodyBytes))}`);
          continue;
        }
        const te = header(seen[0]!, 'transfer-encoding');
        if (te.some((v) => v.toLowerCase() !== 'chunked')) problems.push(`${path}: upstream Transfer-Encoding ${JSON.stringify(te)}`);
        if (status !== 200) problems.push(`${path} body ${body.length}: ${status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('RequestHeaderModifier Content-Length contradicting the body: the request is refused (502) before anything reaches the backend', async () => {
    const before = svc.requests.length;
    expect(await post('/set-cl/x', 'v.example', 'hello body')).toBe(502);
    expect(svc.requests.slice(before)).toEqual([]);
    // Without a body there is nothing to frame: forwarded with no body.
    expect(await post('/set-cl/x', 'v.example', '')).toBe(200);
    expect(svc.requests.slice(before).map((r) => r.bodyBytes)).toEqual([0]);
  });

  it('cross-namespace backendRef without a grant: RefNotPermitted, 500 for that share only', async () => {
    const parents = await routeParents('apps', 'cross-ns');
    const resolved = parents[0]!.conditions.find((c) => c.type === 'ResolvedRefs');
    expect(resolved).toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
    expect(resolved!.message).toContain('infra/svc');
    const beforeSvc = svc.requests.length;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 60; i++) {
      const { status } = await get(port, `/share?i=${i}`, 'x.example');
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect([...statuses.keys()].sort()).toEqual([200, 500]);
    // Weight 1:1 over 60 requests: each share well away from 0 and 60.
    expect(statuses.get(500)).toBeGreaterThan(10);
    expect(statuses.get(200)).toBeGreaterThan(10);
    expect(local.requests.filter((r) => r.url.startsWith('/share'))).toHaveLength(statuses.get(200)!);
    expect(svc.requests.slice(beforeSvc)).toEqual([]);
  });

  it('a route claiming another namespace\'s listener hostname: NotAllowedByListeners, and never receives its traffic', async () => {
    const claim = await routeParents('apps', 'claim');
    expect(claim[0]!.conditions.find((c) => c.type === 'Accepted')).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    const beforeLocal = local.requests.length;
    const beforeTeam = teamA.requests.length;
    for (let i = 0; i < 10; i++) expect((await get(port, `/claimed?i=${i}`, i % 2 ? 'A.TEAM.EXAMPLE' : 'a.team.example')).status).toBe(200);
    expect(local.requests.slice(beforeLocal)).toEqual([]);
    expect(teamA.requests.length - beforeTeam).toBe(10);
  });
});
