/**
 * B6 between hosts: the same raw request sent to the Node gateway and to the edge worker
 * (workerd, through Miniflare), both serving the battery fixture's table with the same
 * recording backends; the outcome (status, backend reached, target it received, Location)
 * must be identical.
 */
import { readFile } from 'node:fs/promises';
import { backendMapFor } from '../../host-edge/backends.js';
import { putTable } from '../../host-edge/table-source.js';
import { bundleWorker, startWorker, type Bundle, type EdgeWorker } from '../../host-edge/testing/miniflare.js';
import { compile } from '../../src/pipeline.js';
import type { Fixture } from './battery.js';
import { PATH_MATRIX_HOST } from './path-matrix.js';
import { RawConnection } from './support.js';

export interface HostOutcome {
  status: number | 'closed' | 'timeout';
  backend: string | null;
  /** The request target the backend received. */
  target: string | null;
  location: string | null;
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
    worker = await startWorker(bundle, { SWITCHYARD_GATEWAY: 'infra/gw' });
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
    return { status: answer.status, backend: echo.backend ?? null, target: echo.url ?? null, location: answer.headers.location ?? null };
  } finally {
    c.destroy();
  }
}

/**
 * Whether the WHATWG URL parser changes `target`: the Workers runtime hands a worker only
 * `request.url`, parsed that way (`\` becomes `/`, `.`/`..` and `%2e` dot segments are resolved,
 * empty segments count), so for such targets the edge never sees the raw path the Node gateway
 * canonicalizes (security.md rule 2), and outcomes can differ.
 */
export function alteredByWhatwg(target: string): boolean {
  // The runtime builds the URL from the Host and the target as written.
  if (!URL.canParse(`http://a.example${target}`)) return true;
  const url = new URL(`http://a.example${target}`);
  return url.pathname + url.search !== target;
}

export interface ParityFigures {
  sent: number;
  /** Targets whose outcomes differ, with both outcomes. */
  mismatches: { target: string; node: HostOutcome; edge: HostOutcome }[];
  /** Targets the WHATWG parser leaves as they are (the edge sees exactly what Node sees). */
  unaltered: number;
  /** Outcomes by status on Node (they are the same on the edge when there is no mismatch). */
  statuses: Record<string, number>;
  durationMs: number;
}

/** Sends every target to both hosts (`lanes` at a time) and compares the outcomes. */
export async function runParity(nodePort: number, edgePort: number, targets: readonly string[], lanes = 8): Promise<ParityFigures> {
  const started = Date.now();
  const mismatches: ParityFigures['mismatches'] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let unaltered = 0;
  const lane = async () => {
    while (next < targets.length) {
      const target = targets[next++]!;
      const [node, edge] = await Promise.all([outcome(nodePort, target), outcome(edgePort, target)]);
      statuses[String(node.status)] = (statuses[String(node.status)] ?? 0) + 1;
      if (!alteredByWhatwg(target)) unaltered++;
      if (JSON.stringify(node) !== JSON.stringify(edge)) mismatches.push({ target, node, edge });
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { sent: targets.length, mismatches, unaltered, statuses, durationMs: Date.now() - started };
}
