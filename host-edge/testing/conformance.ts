/**
 * The conformance suite's `http[]` cases through the edge worker in workerd: the cases that
 * apply to one worker serving one Gateway on one port over plain HTTP.
 *
 * Per test: the cluster is built as for the Node run (spec-tests/support: conformance object
 * set, echo backends on loopback, generated EndpointSlices), compiled, and published to the
 * worker's KV namespace with its backend map (backends.ts); the worker (refreshSeconds 0)
 * serves it from the next request on. Mutations publish the mutated set. A case is sent once
 * over a fresh loopback connection, with the Host the case names, and judged by the Node run's
 * judge (http-cases.ts), with one adaptation: at the edge the origin sees its own host name as
 * Host and the client's Host in X-Forwarded-Host (status --target edge: a platform rule), so
 * the host the judge reads from the echo answer is its X-Forwarded-Host.
 */
import { randomUUID } from 'node:crypto';
import { compile } from '../../src/pipeline.js';
import type { KubeObject, LoadedObject } from '../../src/load/load.js';
import { buildCluster, stateIndexForPhase, type ClusterState } from '../../spec-tests/support/conformance.js';
import { skipReason } from '../../spec-tests/support/corpus.js';
import { startEchoFleet, sleep, type EchoBackend, type EchoFleet } from '../../spec-tests/support/echo/index.js';
import { generateEndpointSlices, patchManualEndpointSlices, planBackends, type BackendPlan } from '../../spec-tests/support/http-backends.js';
import { backendFromPod, captureRequest, compareExchange, type HttpCase, type SentRequest, type Verdict } from '../../spec-tests/support/http-cases.js';
import { sendRequest, TransportError, type ClientResponse } from '../../spec-tests/support/http-client.js';
import { describeCase, mapLimit, withQueryParam, type HttpTest } from '../../spec-tests/support/http-runner.js';
import { backendMapFor } from '../backends.js';
import { putTable } from '../table-source.js';
import type { EdgeWorker } from './miniflare.js';

/** Features a single-port HTTP worker does not serve (findings.ts reports them). */
const NOT_AT_THE_EDGE: Readonly<Record<string, string>> = {
  GRPCRoute: 'gRPC origins are not reachable from a worker',
  TLSRoute: 'no TLS passthrough at the edge',
  TCPRoute: 'no TCP at the edge',
  UDPRoute: 'no UDP at the edge',
  BackendTLSPolicy: 'origin TLS is the platform\'s',
  GatewayBackendClientCertificate: 'origin TLS is the platform\'s',
  HTTPRouteRetry: 'retries are not performed at the edge',
  HTTPRouteHostRewrite: 'the origin receives its own host name; a rewritten Host is not sent',
  HTTPRouteBackendProtocolH2C: 'a worker fetches origins over HTTP/1.1',
  HTTPRouteBackendProtocolWebSocket: 'WebSocket proxying is not implemented at the edge',
};

/** Why a test does not apply to the edge worker; undefined when it does. */
export function edgeSkipReason(test: HttpTest): string | undefined {
  const skip = skipReason(test);
  if (skip) return skip;
  const feature = test.features.find((f) => f in NOT_AT_THE_EDGE);
  if (feature) return `${feature}: ${NOT_AT_THE_EDGE[feature]}`;
  if ((test.websocket?.length ?? 0) > 0) return 'WebSocket probes: not implemented at the edge';
  const where = new Set(test.http.map((c) => `${c.gateway} :${c.port}`));
  if (where.size > 1) return `needs several Gateways or ports (${[...where].join(', ')}); a worker serves one`;
  if (test.http.some((c) => c.request.protocol !== 'HTTP')) return 'HTTPS/HTTP2 requests: TLS is terminated by the platform';
  if (test.http.some((c) => c.expectFailure || c.expectTransportError)) return 'expects a connection or TLS failure';
  return undefined;
}

export interface EdgeCaseOutcome {
  description: string;
  passed: boolean;
  message?: string;
}

/** The host the origin was told the client asked for: X-Forwarded-Host (see the module comment). */
function edgeView(res: ClientResponse): ClientResponse {
  if (res.headers['content-type']?.[0] !== 'application/json') return res;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return res;
  }
  const forwarded = (body.headers as Record<string, string[]> | undefined)?.['X-Forwarded-Host']?.[0];
  if (forwarded === undefined) return res;
  return { ...res, body: Buffer.from(JSON.stringify({ ...body, host: forwarded })) };
}

interface Context {
  worker: EdgeWorker;
  fleet: EchoFleet;
  plan: BackendPlan;
}

async function send(ctx: Context, c: HttpCase, path = c.request.path): Promise<{ res?: ClientResponse; sent: SentRequest; error?: string }> {
  const headers = { ...c.request.headers };
  const echoSet = Object.entries(c.backendSetResponseHeaders ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  const host = c.request.host || ctx.worker.url.host;
  const sent: SentRequest = { method: c.request.method || 'GET', path, scheme: 'http', headers, host: c.request.host };
  try {
    const res = await sendRequest({
      protocol: 'HTTP',
      address: ctx.worker.url.hostname,
      port: Number(ctx.worker.url.port),
      method: sent.method,
      path,
      host,
      headers: [...Object.entries(headers), ['X-Echo-Set-Header', echoSet]],
      ...(c.request.body !== undefined ? { body: c.request.body } : {}),
      timeoutMs: 10_000,
    });
    return { res: edgeView(res), sent };
  } catch (err) {
    if (err instanceof TransportError) return { sent, error: err.message };
    throw err;
  }
}

function judge(c: HttpCase, x: { res?: ClientResponse; sent: SentRequest; error?: string }): Verdict {
  if (!x.res) return { ok: false, reason: `request failed: ${x.error}` };
  const r = x.res;
  if (r.status >= 300 && r.status < 400 && !c.request.unfollowRedirect && !(c.response?.statusCodes.includes(r.status) ?? false)) {
    return { ok: false, reason: `got ${r.status} redirect to ${r.headers.location?.[0] ?? '(none)'}` };
  }
  return compareExchange(c, x.sent, r);
}

function mirrorBackends(ctx: Context, namespace: string, name: string): EchoBackend[] {
  return [...ctx.plan.workloads.values()].filter((w) => w.namespace === namespace && w.podLabels.app === name).map((w) => ctx.fleet.get(w.namespace, w.name));
}

async function awaitMirrors(ctx: Context, c: HttpCase, path: string): Promise<string | undefined> {
  const deadline = Date.now() + 5_000;
  for (const m of c.mirroredTo ?? []) {
    while (!mirrorBackends(ctx, m.namespace, m.name).some((b) => b.log.sawRequest(path))) {
      if (Date.now() > deadline) return `no mirrored request for ${path} at ${m.namespace}/${m.name}`;
      await sleep(50);
    }
  }
  return undefined;
}

/** A case with one attempt (the table is in place before the first request); a percentage mirror samples a batch. */
async function runCase(ctx: Context, test: HttpTest, c: HttpCase, index: number): Promise<EdgeCaseOutcome> {
  const description = describeCase(c, index);
  const percent = c.mirroredTo?.some((m) => m.percent !== undefined);
  if (percent) return { description, ...(await runPercentageMirror(ctx, test, c)) };
  const mirrored = (c.mirroredTo?.length ?? 0) > 0;
  let effective = c;
  if (mirrored) {
    const id = randomUUID();
    effective = { ...c, request: { ...c.request, path: withQueryParam(c.request.path, 'gateway-api-conformance-request-id', id) } };
    if (c.expectedRequest) effective.expectedRequest = { ...c.expectedRequest, path: withQueryParam(c.expectedRequest.path, 'gateway-api-conformance-request-id', id) };
  }
  const v = judge(effective, await send(ctx, effective));
  if (!v.ok) return { description, passed: false, message: v.reason };
  if (mirrored) {
    const problem = await awaitMirrors(ctx, effective, effective.request.path);
    if (problem) return { description, passed: false, message: problem };
  }
  return { description, passed: true };
}

async function runPercentageMirror(ctx: Context, test: HttpTest, c: HttpCase): Promise<{ passed: boolean; message?: string }> {
  const t = test.traffic as { totalRequests: number; concurrency: number; toleranceStdDevs: number } | undefined;
  if (!t) return { passed: false, message: 'no mirrorPercentage settings' };
  const path = withQueryParam(c.request.path, 'gateway-api-conformance-request-id', randomUUID());
  const tagged: HttpCase = { ...c, request: { ...c.request, path }, ...(c.expectedRequest ? { expectedRequest: { ...c.expectedRequest, path: withQueryParam(c.expectedRequest.path, 'gateway-api-conformance-request-id', path.split('=').pop()!) } } : {}) };
  let failure: string | undefined;
  await mapLimit(Array.from({ length: t.totalRequests }), t.concurrency, async () => {
    const v = judge(tagged, await send(ctx, tagged));
    if (!v.ok) failure ??= v.reason;
  });
  if (failure) return { passed: false, message: failure };
  await sleep(500);
  const needle = `Echoing back request made to ${path} to client`;
  for (const m of c.mirroredTo ?? []) {
    if (m.percent === undefined) continue;
    const got = mirrorBackends(ctx, m.namespace, m.name).reduce((n, b) => n + b.log.lines().filter((l) => l.includes(needle)).length, 0);
    const p = m.percent / 100;
    const margin = t.toleranceStdDevs * Math.sqrt(t.totalRequests * p * (1 - p));
    if (Math.abs(got - t.totalRequests * p) > margin) return { passed: false, message: `${m.namespace}/${m.name}: ${got} of ${t.totalRequests} mirrored, expected ${t.totalRequests * p} ± ${margin.toFixed(1)}` };
  }
  return { passed: true };
}

async function runTraffic(ctx: Context, test: HttpTest): Promise<EdgeCaseOutcome | undefined> {
  const t = test.traffic as { kind: string; totalRequests?: number; concurrency?: number; tolerance?: number; expectedWeights?: Record<string, number>; requests?: number; request?: { method: string; path: string; host: string } } | undefined;
  const template = test.http.find((c) => c.phase === undefined);
  if (!t || !template) return undefined;
  const description = `traffic: ${t.kind}`;
  if (t.kind === 'weightedDistribution') {
    const seen = new Map<string, number>();
    let failure: string | undefined;
    await mapLimit(Array.from({ length: t.totalRequests! }), t.concurrency!, async () => {
      const x = await send(ctx, template);
      const v = judge(template, x);
      if (!v.ok) return void (failure ??= v.reason);
      const captured = captureRequest(x.res!, x.sent);
      const backend = backendFromPod('error' in captured ? '' : captured.pod);
      seen.set(backend, (seen.get(backend) ?? 0) + 1);
    });
    if (failure) return { description, passed: false, message: failure };
    for (const [backend, weight] of Object.entries(t.expectedWeights!)) {
      const share = (seen.get(backend) ?? 0) / t.totalRequests!;
      if (Math.abs(share - weight) > t.tolerance!) return { description, passed: false, message: `${backend}: share ${share.toFixed(3)}, expected ${weight} ± ${t.tolerance} (${JSON.stringify(Object.fromEntries(seen))})` };
    }
    return { description, passed: true };
  }
  if (t.kind === 'backendHeaderConsistency') {
    const c: HttpCase = { ...template, request: { ...template.request, ...t.request! } };
    for (let i = 0; i < t.requests!; i++) {
      const x = await send(ctx, c);
      if (!x.res || x.res.status !== 200) return { description, passed: false, message: `request ${i}: ${x.error ?? x.res!.status}` };
      const captured = captureRequest(x.res, x.sent);
      if ('error' in captured) return { description, passed: false, message: captured.error };
      const values = captured.headers?.backend ?? [];
      if (values.length !== 1 || !captured.pod.startsWith(values[0]!)) return { description, passed: false, message: `pod ${captured.pod} got Backend ${JSON.stringify(values)}` };
    }
    return { description, passed: true };
  }
  return undefined;
}

function unionObjects(states: readonly ClusterState[], last: number): LoadedObject[] {
  const byKey = new Map<string, LoadedObject>();
  for (const s of states.slice(0, last + 1)) for (const [key, o] of s.objects) byKey.set(key, o);
  return [...byKey.values()];
}

function objectsOf(test: HttpTest, state: ClusterState, plan: BackendPlan, fleet: EchoFleet): KubeObject[] {
  const objects = patchManualEndpointSlices(test, state.list(), plan, fleet);
  return [...objects.map((o) => o.object), ...generateEndpointSlices(objects, plan, fleet)];
}

/** Compiles `objects` and publishes the table and its origins to the worker's KV. */
async function publish(worker: EdgeWorker, objects: readonly KubeObject[]): Promise<void> {
  const result = compile(objects);
  await putTable(worker.kv, result.table, { backends: backendMapFor(result.objects, result.manifest) });
}

/** Runs every case of `test` (phase by phase) and its traffic check against `worker`. */
export async function runEdgeTest(test: HttpTest, worker: EdgeWorker): Promise<EdgeCaseOutcome[]> {
  const cluster = await buildCluster(test);
  const phases = new Map<number, number[]>([[0, []]]);
  test.http.forEach((c, i) => {
    const s = stateIndexForPhase(test, c.phase);
    phases.set(s, [...(phases.get(s) ?? []), i]);
  });
  const plan = planBackends(test, unionObjects(cluster.states, Math.max(...phases.keys())));
  const fleet = await startEchoFleet(plan.specs);
  const ctx: Context = { worker, fleet, plan };
  const out: EdgeCaseOutcome[] = [];
  try {
    for (const stateIndex of [...phases.keys()].sort((a, b) => a - b)) {
      await publish(worker, objectsOf(test, cluster.states[stateIndex]!, plan, fleet));
      out.push(...(await mapLimit(phases.get(stateIndex)!, 6, (i) => runCase(ctx, test, test.http[i]!, i))));
      if (stateIndex === 0) {
        const traffic = await runTraffic(ctx, test);
        if (traffic) out.push(traffic);
      }
    }
  } finally {
    await fleet.stop();
  }
  return out;
}
