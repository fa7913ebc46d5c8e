/**
 * B6 between hosts: the same raw request sent to the Node gateway and to the edge worker
 * (workerd, through Miniflare), both serving the battery fixture's table with the same
 * recording backends; the outcome (status, backend reached, target it received, Location)
 * must be identical.
 *
 * A worker never sees the raw target: the Workers runtime parses it into `request.url` first
 * (the worker reports what it received, testing/received-target.ts). So every mismatch is
 * classified (`MismatchClass`): for a target the runtime passes as written there must be
 * none; for one it rewrites, the edge must give what Node gives for the target the worker
 * received, and the rewrite must be one of the two kinds no canonical rule can see through.
 */
import { readFile } from 'node:fs/promises';
import { backendMapFor } from '../../host-edge/backends.js';
import { putTable } from '../../host-edge/table-source.js';
import { bundleWorker, startWorker, type Bundle, type EdgeWorker } from '../../host-edge/testing/miniflare.js';
import { compile } from '../../src/pipeline.js';
import type { Fixture } from './battery.js';
import { RECEIVED_TARGET_HEADER } from '../../host-edge/testing/received-target.js';
import { canonicalizeTarget } from '../../src/runtime/canonical-path.js';
import { PATH_MATRIX, PATH_MATRIX_HOST, type PathCase, type PathOutcome } from './path-matrix.js';
import { RawConnection } from './support.js';

export interface HostOutcome {
  status: number | 'closed' | 'timeout';
  backend: string | null;
  /** The request target the backend received. */
  target: string | null;
  location: string | null;
  /** At the edge: the target the worker received (RECEIVED_TARGET_HEADER). */
  received?: string;
}

export interface Edge {
  port: number;
  close(): Promise<void>;
}

/** The edge worker serving the fixture's manifests (the table and origins go to its KV namespace). */
export async function startEdgeFor(fixture: Fixture): Promise<Edge> {
  const text = await readFile(fixture.dir.file('all.yaml'), 'utf8');
  const bundle: Bundle = await bundleWorker('host-edge/testing/worker.ts');
  let worker: EdgeWorker | undefined;
  try {
    worker = await startWorker(bundle, { SWITCHYARD_GATEWAY: 'infra/gw', SWITCHYARD_REPORT_TARGET: '1' });
    const compiled = compile(text);
    await putTable(worker.kv, compiled.table, { backends: backendMapFor(compiled.objects, compiled.manifest) });
  } catch (err) {
    await worker?.dispose();
    await bundle.remove();
    throw err;
  }
  const started = worker;
  return {
    port: Number(started.url.port),
    async close() {
      await started.dispose();
      await bundle.remove();
    },
  };
}

/** One raw GET of `target` on a fresh connection, and what came of it. */
export async function outcome(port: number, target: string): Promise<HostOutcome> {
  const c = new RawConnection(port);
  try {
    await c.connected;
    c.write(`GET ${target} HTTP/1.1\r\nHost: ${PATH_MATRIX_HOST}\r\nConnection: close\r\n\r\n`);
    const answer = await c.response(5_000);
    if (typeof answer === 'string') return { status: answer, backend: null, target: null, location: null };
    let echo: { backend?: string; url?: string } = {};
    if (answer.status === 200 && (answer.headers['content-type'] ?? '').startsWith('application/json')) echo = JSON.parse(answer.body.toString()) as typeof echo;
    const received = answer.headers[RECEIVED_TARGET_HEADER];
    return { status: answer.status, backend: echo.backend ?? null, target: echo.url ?? null, location: answer.headers.location ?? null, ...(received !== undefined ? { received } : {}) };
  } finally {
    c.destroy();
  }
}

/** `target` as the WHATWG URL parser leaves it (path and query, `?` kept), or null when it cannot parse it. */
export function whatwgTarget(target: string): string | null {
  // The runtime builds the URL from the Host and the target as written.
  if (!URL.canParse(`http://a.example${target}`)) return null;
  const url = new URL(`http://a.example${target}`);
  url.hash = '';
  return url.href.slice(url.origin.length);
}

/**
 * Whether the WHATWG URL parser changes `target`: the Workers runtime hands a worker only
 * `request.url`, parsed that way (`\` becomes `/`, `.`/`..` and `%2e` dot segments are resolved,
 * empty segments count), so for such targets the edge never sees the raw path the Node gateway
 * canonicalizes (security.md rule 2), and outcomes can differ.
 */
export function alteredByWhatwg(target: string): boolean {
  return whatwgTarget(target) !== target;
}

/**
 * Why Node and the edge answered a target differently:
 * - `as-written`: the runtime passed the target as written, yet the hosts disagree (a defect);
 * - `removed-control`: Node answers 400 for an encoded control byte (`%00`) in a segment the
 *   runtime's parser removed with a dot segment, so the worker never sees it; the edge gives
 *   what Node gives for the target the worker received. Node keeps the 400 (issue 6, P9: NUL
 *   and control bytes rejected; Envoy rejects them anywhere in the path too);
 * - `runtime-parse`: the runtime delivered something other than the URL standard's reading of
 *   the target (workerd resolves literal `..` segments before `\` counts as a separator and
 *   before `%2e` counts as a dot); the edge gives what Node gives for the target the worker
 *   received. Node follows the URL standard and RFC 3986, not one runtime's parse order;
 * - `unexplained`: anything else, among them an edge answer that differs from Node's for the
 *   target the worker received (a defect).
 */
export type MismatchClass = 'as-written' | 'removed-control' | 'runtime-parse' | 'unexplained';

export interface Mismatch {
  target: string;
  node: HostOutcome;
  edge: HostOutcome;
  class: MismatchClass;
  /** Node's outcome for the target the worker received, when that differs from the raw one. */
  nodeOnReceived?: HostOutcome;
}

export interface ParityFigures {
  sent: number;
  /** Targets whose outcomes differ, with both outcomes and why. */
  mismatches: Mismatch[];
  byClass: Record<MismatchClass, number>;
  /** Targets the WHATWG parser leaves as they are (the edge sees exactly what Node sees). */
  unaltered: number;
  /** Outcomes by status on Node (they are the same on the edge when there is no mismatch). */
  statuses: Record<string, number>;
  durationMs: number;
}

/** Outcomes compared: everything but what the worker reports about its input. */
function sameOutcome(node: HostOutcome, edge: HostOutcome): boolean {
  return node.status === edge.status && node.backend === edge.backend && node.target === edge.target && node.location === edge.location;
}

async function classify(nodePort: number, target: string, node: HostOutcome, edge: HostOutcome): Promise<Mismatch> {
  const received = edge.received;
  if (received === undefined || received === target) return { target, node, edge, class: alteredByWhatwg(target) ? 'unexplained' : 'as-written' };
  const nodeOnReceived = await outcome(nodePort, received);
  let kind: MismatchClass = 'unexplained';
  if (sameOutcome(nodeOnReceived, edge)) {
    const raw = canonicalizeTarget(target);
    if (raw.kind === 'invalid' && /control/.test(raw.reason) && canonicalizeTarget(received).kind !== 'invalid') kind = 'removed-control';
    else if (received !== whatwgTarget(target)) kind = 'runtime-parse';
  }
  return { target, node, edge, class: kind, nodeOnReceived };
}

/**
 * Sends every target to both hosts (`lanes` targets at a time, each on fresh connections) and
 * compares the outcomes.
 */
export async function runParity(nodePort: number, edgePort: number, targets: readonly string[], lanes = 8): Promise<ParityFigures> {
  const started = Date.now();
  const mismatches: Mismatch[] = [];
  const byClass: Record<MismatchClass, number> = { 'as-written': 0, 'removed-control': 0, 'runtime-parse': 0, unexplained: 0 };
  const statuses: Record<string, number> = {};
  let next = 0;
  let unaltered = 0;
  const lane = async () => {
    while (next < targets.length) {
      const target = targets[next++]!;
      const [node, edge] = await Promise.all([outcome(nodePort, target), outcome(edgePort, target)]);
      statuses[String(node.status)] = (statuses[String(node.status)] ?? 0) + 1;
      if (!alteredByWhatwg(target)) unaltered++;
      if (sameOutcome(node, edge)) continue;
      const mismatch = await classify(nodePort, target, node, edge);
      byClass[mismatch.class]++;
      mismatches.push(mismatch);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { sent: targets.length, mismatches, byClass, unaltered, statuses, durationMs: Date.now() - started };
}

/** A path-matrix outcome in the shape both hosts are measured in. */
function expectedOutcome(want: PathOutcome): HostOutcome {
  if (want.status === 200) return { status: 200, backend: want.backend, target: want.target, location: null };
  if (want.status === 307) return { status: 307, backend: null, target: null, location: want.location };
  return { status: want.status, backend: null, target: null, location: null };
}

export interface HostsMatrixFigures {
  /** One line per case where a host's outcome is not the matrix's. */
  failures: string[];
  /**
   * Cases the edge answered differently because the runtime delivered another target than the
   * URL standard's reading of it (`runtime-parse`), the edge giving what Node gives for that target.
   */
  runtimeParsed: { id: string; target: string; received: string; edge: HostOutcome }[];
}

/** B2 on both hosts: every path-matrix target sent to Node and to the edge, checked against the matrix. */
export async function runPathMatrixOnHosts(nodePort: number, edgePort: number, cases: readonly PathCase[] = PATH_MATRIX): Promise<HostsMatrixFigures> {
  const figures: HostsMatrixFigures = { failures: [], runtimeParsed: [] };
  for (const c of cases) {
    const want = expectedOutcome(c.want);
    const [node, edge] = await Promise.all([outcome(nodePort, c.target), outcome(edgePort, c.target)]);
    if (!sameOutcome(node, want)) figures.failures.push(`${c.id} ${c.target} on Node: ${JSON.stringify(node)}, want ${JSON.stringify(want)}`);
    if (sameOutcome(edge, want)) continue;
    const mismatch = await classify(nodePort, c.target, want, edge);
    if (mismatch.class === 'runtime-parse') figures.runtimeParsed.push({ id: c.id, target: c.target, received: edge.received!, edge });
    else figures.failures.push(`${c.id} ${c.target} on the edge (${mismatch.class}): ${JSON.stringify(edge)}, want ${JSON.stringify(want)}`);
  }
  return figures;
}
