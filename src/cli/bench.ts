/**
 * `switchyard bench`: match throughput and latency of the user's own route table. For every
 * compiled match a request meant to hit it is generated (listener port, a host the route and
 * listener accept, the path, method, headers and query parameters the match asks for, gRPC
 * service/method) and kept only when the router indeed answers with that match; the requests
 * are then cycled through `router.match()` (the host path: encoding, one core call, decision).
 * Latency is sampled per batch with `process.hrtime.bigint()` and divided by the batch size.
 */
import { HTTP_PROTOCOLS } from '../compile/compile.js';
import { normalizeHost, wildcardSuffix } from '../compile/hostnames.js';
import { flattenMatches, type MatchSpec } from '../compile/matches.js';
import { literalPrefix } from '../compile/regex/prefix.js';
import type { CompileResult } from '../pipeline.js';
import { createRouter } from '../runtime/router.js';
import type { MatchRequest } from '../runtime/types.js';

export interface BenchOptions {
  /** Run time in ms (default 2000); ignored when `requests` is set. */
  timeMs?: number;
  /** Exact number of lookups to run. */
  requests?: number;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
}

export interface BenchReport {
  matches: number;
  /** Matches a request was generated for (and verified to hit). */
  covered: number;
  /** Match ids no generated request hits (e.g. regular expressions the generator cannot satisfy). */
  uncovered: string[];
  lookups: number;
  seconds: number;
  lookupsPerSecond: number;
  /** Per-lookup latency percentiles in microseconds (batch time / batch size). */
  p50Micros: number;
  p99Micros: number;
  batchSize: number;
}

/** A host the route (and its listener) accepts: an exact name, or `bench` under a wildcard. */
function hostFor(routeHostnames: readonly string[], listenerHostname: string | undefined): string {
  const pick = routeHostnames[0] ?? listenerHostname;
  if (!pick) return 'bench.example';
  const suffix = wildcardSuffix(normalizeHost(pick));
  return suffix === null ? normalizeHost(pick) : `bench${suffix}`;
}

/** A value the predicate accepts: Exact values as is, regular expressions by their literal prefix. */
function valueFor(type: 'Exact' | 'RegularExpression', value: string): string {
  return type === 'Exact' ? value : literalPrefix(value);
}

function pathFor(spec: MatchSpec): string {
  if (spec.grpc) return `/${spec.grpc.service ?? 'bench.Service'}/${spec.grpc.method ?? 'Call'}`;
  const p = spec.path!;
  if (p.type === 'Exact') return p.value;
  if (p.type === 'PathPrefix') return p.value === '' ? '/' : p.value;
  return literalPrefix(p.value) || '/';
}

/** One candidate request per (listener, match), in table order. */
export function benchRequests(result: Pick<CompileResult, 'resolution'>): { id: string; request: MatchRequest }[] {
  const out: { id: string; request: MatchRequest }[] = [];
  for (const rg of result.resolution.gateways) {
    const gateway = `${rg.gateway.metadata.namespace ?? 'default'}/${rg.gateway.metadata.name}`;
    for (const l of rg.listeners) {
      if (!l.ready || !HTTP_PROTOCOLS.has(l.protocol)) continue;
      for (const attached of l.routes) {
        for (const spec of flattenMatches(attached)) {
          const headers: Record<string, string> = {};
          for (const h of spec.headers) headers[h.name] = valueFor(h.type, h.value);
          if (spec.grpc) headers['content-type'] = 'application/grpc';
          const query = spec.query.map((q) => `${q.name}=${valueFor(q.type, q.value)}`).join('&');
          out.push({
            id: spec.id,
            request: {
              method: spec.grpc ? 'POST' : (spec.method ?? 'GET'),
              host: hostFor(attached.hostnames, l.hostname),
              path: query ? `${pathFor(spec)}?${query}` : pathFor(spec),
              port: l.port,
              gateway,
              headers,
            },
          });
        }
      }
    }
  }
  return out;
}

const BATCH = 64;

export async function runBench(result: Pick<CompileResult, 'resolution' | 'table' | 'manifest'>, options: BenchOptions = {}): Promise<BenchReport> {
  const progress = options.progress ?? (() => {});
  const router = await createRouter(result.table);
  const candidates = benchRequests(result);
  const hits = new Set<string>();
  const requests: MatchRequest[] = [];
  for (const c of candidates) {
    const d = router.match(c.request);
    if (d.matched && d.id === c.id && !hits.has(c.id)) {
      hits.add(c.id);
      requests.push(c.request);
    }
  }
  const ids = result.manifest.matches.map((m) => m.id);
  const uncovered = ids.filter((id) => !hits.has(id));
  progress(`${requests.length} requests generated for ${ids.length} matches${uncovered.length ? ` (${uncovered.length} without a hitting request)` : ''}`);
  if (requests.length === 0) throw new Error('no request could be generated that hits a route of these manifests');

  const limit = options.requests;
  const timeMs = options.timeMs ?? 2000;
  // Warm-up: let the JIT settle before sampling.
  for (let i = 0; i < Math.min(20_000, limit ?? 20_000); i++) router.match(requests[i % requests.length]);
  const samples: number[] = [];
  let lookups = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(timeMs * 1e6));
  let lastReport = start;
  for (;;) {
    const n = limit === undefined ? BATCH : Math.min(BATCH, limit - lookups);
    if (n <= 0) break;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      router.match(requests[next]);
      next = next + 1 === requests.length ? 0 : next + 1;
    }
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0) / n / 1000);
    lookups += n;
    if (t1 - lastReport > 500_000_000n) {
      lastReport = t1;
      progress(limit === undefined ? `${Math.min(100, Math.round((Number(t1 - start) / 1e6 / timeMs) * 100))}% (${lookups} lookups)` : `${Math.round((lookups / limit) * 100)}% (${lookups} lookups)`);
    }
    if (limit === undefined && t1 >= deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  samples.sort((a, b) => a - b);
  const pct = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return {
    matches: ids.length,
    covered: hits.size,
    uncovered,
    lookups,
    seconds,
    lookupsPerSecond: lookups / seconds,
    p50Micros: pct(0.5),
    p99Micros: pct(0.99),
    batchSize: BATCH,
  };
}

export function renderBenchText(r: BenchReport): string {
  const lines = [
    `matches: ${r.matches} (${r.covered} with a generated request)`,
    `lookups: ${r.lookups} in ${r.seconds.toFixed(3)} s`,
    `lookups/s: ${Math.round(r.lookupsPerSecond)}`,
    `p50 match latency: ${r.p50Micros.toFixed(3)} µs`,
    `p99 match latency: ${r.p99Micros.toFixed(3)} µs`,
  ];
  for (const id of r.uncovered) lines.push(`not covered: ${id}`);
  return lines.join('\n') + '\n';
}
