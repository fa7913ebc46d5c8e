/**
 * B15 (design/security.md §5): the NGF scale shape, generated. One Gateway with 64 HTTP
 * listeners on one port, each with its own wildcard hostname `*.l<j>.example`; N HTTPRoutes, route
 * i attached by sectionName to listener i mod 64 with hostname `r<i>.l<j>.example`, a PathPrefix
 * `/r<i>` rule, an Exact `/r<i>/exact` rule with a header match, and (every 10th route) a
 * RegularExpression rule; backends spread over 16 Services that all point at one recording
 * backend. Shared by scale.test.ts (`npm test` size) and soak.ts (full size).
 */
import { compile } from '../../src/pipeline.js';
import { createRouter, type Router } from '../../src/runtime/router.js';
import type { MatchRequest } from '../../src/runtime/types.js';
import { CLASS, gatewayYaml, ManifestDir, routeYaml, serviceYaml, startGateway } from '../../host-node/test-support.js';
import type { NodeGateway } from '../../host-node/index.js';
import { get, percentiles, startRecordingBackend, type RecordingBackend } from './support.js';

export const LISTENERS = 64;
export const SERVICES = 16;

export const listenerOf = (i: number) => i % LISTENERS;
export const hostOf = (i: number) => `r${i}.l${listenerOf(i)}.example`;

/** The Gateway with `LISTENERS` HTTP listeners on port 80. */
export function scaleGatewayYaml(): string {
  const listeners = Array.from(
    { length: LISTENERS },
    (_, j) => `    - { name: l${j}, port: 80, protocol: HTTP, hostname: "*.l${j}.example", allowedRoutes: { namespaces: { from: Same } } }`,
  ).join('\n');
  return gatewayYaml('gw', listeners);
}

/** HTTPRoute number `i` of the shape. */
export function scaleRouteYaml(i: number, prefix = 'route'): string {
  const service = `svc-${i % SERVICES}`;
  const rules = [
    `  - matches: [{ path: { type: PathPrefix, value: /r${i} } }]\n    backendRefs: [{ name: ${service}, port: 8080 }]`,
    `  - matches: [{ path: { type: Exact, value: /r${i}/exact }, headers: [{ name: x-tenant, value: t${i % 7} }] }]\n    filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: x-route, value: "${i}" }] } }]\n    backendRefs: [{ name: ${service}, port: 8080 }]`,
  ];
  if (i % 10 === 0) rules.push(`  - matches: [{ path: { type: RegularExpression, value: "/re${i}/[a-z]+/[0-9]{1,4}" } }]\n    backendRefs: [{ name: ${service}, port: 8080 }]`);
  return routeYaml(`${prefix}-${i}`, rules.join('\n'), `  hostnames: [${hostOf(i)}]\n`, `gw, sectionName: l${listenerOf(i)}`);
}

/** Every document of the shape with `routes` routes, the Services on `backendPort`. */
export function scaleDocuments(routes: number, backendPort: number): string[] {
  return [
    CLASS,
    scaleGatewayYaml(),
    ...Array.from({ length: SERVICES }, (_, s) => serviceYaml(`svc-${s}`, [backendPort])),
    ...Array.from({ length: routes }, (_, i) => scaleRouteYaml(i)),
  ];
}

export interface RebuildFigures {
  routes: number;
  /** load + validate + resolve + compile, ms per run. */
  compileMs: number[];
  /** Creating the router (Wasm instance) on the table, ms per run. */
  routerMs: number[];
  tableBytes: number;
  errors: string[];
}

/** A full snapshot rebuild from the manifest text, `runs` times (the first warms the JIT up and is dropped). */
export async function measureRebuild(routes: number, runs: number): Promise<RebuildFigures & { router: Router }> {
  const text = scaleDocuments(routes, 9).join('\n---\n');
  const figures: RebuildFigures = { routes, compileMs: [], routerMs: [], tableBytes: 0, errors: [] };
  let router: Router | undefined;
  for (let run = 0; run <= runs; run++) {
    const t0 = performance.now();
    const result = compile([{ file: 'scale.yaml', text }]);
    const t1 = performance.now();
    router = await createRouter(result.table);
    const t2 = performance.now();
    if (run === 0) {
      figures.tableBytes = result.table.length;
      figures.errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.field ?? ''}: ${d.message}`);
      continue;
    }
    figures.compileMs.push(t1 - t0);
    figures.routerMs.push(t2 - t1);
  }
  return { ...figures, router: router! };
}

export interface MatchFigures {
  samples: number;
  /** ns per match. */
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  /** Matches whose decision was wrong (route, rule). */
  wrong: string[];
}

/**
 * router.match over `samples` requests spread over the routes (prefix, exact with header, regex,
 * and misses), each timed with process.hrtime.bigint; each decision checked against the route
 * the request was made for.
 */
export function measureMatch(router: Router, routes: number, samples: number, seed = 0x15): MatchFigures {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const times: number[] = [];
  const wrong: string[] = [];
  for (let n = 0; n < samples; n++) {
    const i = next() % routes;
    const kind = n % 4;
    let path = `/r${i}/item/${n}`;
    let headers: Record<string, string> | undefined;
    let want: string | undefined = `route-${i}#0`;
    if (kind === 1) {
      path = `/r${i}/exact`;
      headers = { 'x-tenant': `t${i % 7}` };
      want = `route-${i}#1`;
    } else if (kind === 2 && i % 10 === 0) {
      path = `/re${i}/abc/${n % 1000}`;
      want = `route-${i}#2`;
    } else if (kind === 3) {
      path = `/nowhere/${n}`;
      want = undefined;
    }
    const request: MatchRequest = { method: 'GET', host: hostOf(i), path, port: 80, ...(headers ? { headers } : {}) };
    const t0 = process.hrtime.bigint();
    const decision = router.match(request);
    const t1 = process.hrtime.bigint();
    times.push(Number(t1 - t0));
    const got = decision.matched ? `${decision.route.name}#${decision.ruleIndex}` : undefined;
    if (got !== want && wrong.length < 10) wrong.push(`${hostOf(i)}${path}: ${String(got)}, want ${String(want)}`);
  }
  const sorted = times.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { samples, p50Ns: at(0.5), p99Ns: at(0.99), maxNs: sorted[sorted.length - 1]!, wrong };
}

export interface ScaleGateway {
  gateway: NodeGateway;
  port: number;
  dir: ManifestDir;
  backend: RecordingBackend;
  close(): Promise<void>;
}

/** A watching in-process gateway serving the shape with `routes` routes. */
export async function startScaleGateway(routes: number, offset: number): Promise<ScaleGateway> {
  const backend = await startRecordingBackend('scale');
  const dir = await ManifestDir.create();
  await dir.write('base.yaml', ...scaleDocuments(routes, backend.port));
  const { gateway } = await startGateway(dir, offset, { watch: true });
  return {
    gateway,
    port: 80 + offset,
    dir,
    backend,
    async close() {
      await gateway.close();
      await backend.close();
      await dir.remove();
    },
  };
}

export interface ReadyFigures {
  additions: number;
  /** ms from writing the new route's file to its first 200. */
  readyMs: number[];
  /** Additions never served within the bound. */
  missed: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Adds routes one at a time (each in its own new file, numbered after the base routes) to the
 * running gateway and polls the new route every 10 ms until it answers 200 (at most `boundMs`).
 */
export async function measureTimeToReady(scale: ScaleGateway, firstIndex: number, additions: number, boundMs = 10_000): Promise<ReadyFigures> {
  const readyMs: number[] = [];
  let missed = 0;
  for (let k = 0; k < additions; k++) {
    const i = firstIndex + k;
    const t0 = performance.now();
    await scale.dir.write(`added-${i}.yaml`, scaleRouteYaml(i));
    let ready = false;
    while (performance.now() - t0 < boundMs) {
      if ((await get(scale.port, `/r${i}/x`, hostOf(i), 2_000)).status === 200) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    if (ready) readyMs.push(performance.now() - t0);
    else missed++;
  }
  return { additions, readyMs, missed, ...percentiles(readyMs) };
}
