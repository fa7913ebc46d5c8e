/**
 * Runs one conformance test's `http[]` cases (and its HTTP traffic checks) against a real
 * `switchyard serve` process over loopback sockets:
 *
 * 1. the test's cluster (conformance.ts) is built; every Deployment a Service selects runs as an
 *    echo backend and the Services get EndpointSlices pointing at them (http-backends.ts);
 * 2. the object set is written to a temp directory and the gateway is started on it with its own
 *    port offset and loopback address pool (http-gateway.ts); cases are addressed through the
 *    listeners of its ready line;
 * 3. cases run phase by phase: before the cases of `afterMutation[:id]` the mutated object set is
 *    written and the gateway's `reloaded` event awaited.
 *
 * Retry policy. The harness retries a case once a second until it passes 3 times in a row within
 * 30 s, to wait for a cluster to converge. Here the gateway has loaded the complete object set when
 * it reports ready (or reloaded), so there is nothing to converge on: a case still passes after 3
 * consecutive successes (no delay after a success), but it is given up after FAIL_LIMIT failed
 * attempts (RETRY_DELAY_MS apart), or when the harness's 30 s window is over, whichever comes
 * first. Mirror logs are still awaited for the harness's 10 s.
 */
import { randomInt, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { buildCluster, stateIndexForPhase, type ClusterState } from './conformance.js';
import { certificateFor } from './certificates.js';
import type { ConformanceTest } from './corpus.js';
import { startEchoFleet, sleep, type EchoBackend, type EchoFleet } from './echo/index.js';
import { generateEndpointSlices, patchManualEndpointSlices, planBackends, type BackendPlan } from './http-backends.js';
import {
  backendFromPod,
  captureRequest,
  compareExchange,
  isTimeoutStatus,
  type HttpCase,
  type SentRequest,
  type Verdict,
} from './http-cases.js';
import { sendRequest, TransportError, type ClientRequest, type ClientResponse, type ClientTls } from './http-client.js';
import { GatewayProcess, type GatewayOptions, type ReadyEvent } from './http-gateway.js';
import type { KubeObject, LoadedObject } from '../../src/load/load.js';

// ---------------------------------------------------------------------------------------------
// Timing (see the module comment)

/** Consecutive successes a case needs (the harness's RequiredConsecutiveSuccesses). */
export const REQUIRED_SUCCESSES = 3;
/** Failed attempts after which a case is given up. */
export const FAIL_LIMIT = 4;
/** Pause after a failed attempt. */
export const RETRY_DELAY_MS = 250;
/** The harness's MaxTimeToConsistency. */
export const CASE_WINDOW_MS = 30_000;
/** The harness's RequestTimeout: per request, and how long mirror logs are awaited. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** expectFailure cases need this many non-200 answers in a row. */
export const EXPECT_FAILURE_STREAK = 5;
/** Cases of one test sent at the same time. */
const CASE_CONCURRENCY = 6;

// ---------------------------------------------------------------------------------------------
// Corpus fields outside ConformanceTest's typed part

interface WeightedDistribution {
  kind: 'weightedDistribution';
  totalRequests: number;
  concurrency: number;
  tolerance: number;
  maxAttempts: number;
  expectedWeights: Record<string, number>;
  protocol?: string;
}

interface MirrorPercentage {
  kind: 'mirrorPercentage';
  totalRequests: number;
  concurrency: number;
  attempts: number;
  toleranceStdDevs: number;
}

interface BackendHeaderConsistency {
  kind: 'backendHeaderConsistency';
  requests: number;
  request: { method: string; path: string; host: string };
}

type Traffic = WeightedDistribution | MirrorPercentage | BackendHeaderConsistency | { kind: string; protocol?: string };

/** A `websocket[]` probe: open `url` with `origin`, then each frame must come back unchanged. */
export interface WebSocketCase {
  kind: 'websocket';
  url: string;
  origin: string;
  exchanges: { sendText?: string; expectText?: string; sendBinary?: number[]; expectBinary?: number[] }[];
  gateway: string;
  port: number;
  listener?: string;
}

export interface HttpTest extends ConformanceTest {
  http: HttpCase[];
  websocket?: WebSocketCase[];
  traffic?: Traffic;
}

// ---------------------------------------------------------------------------------------------
// Outcomes

export interface CaseOutcome {
  /** Index in `http[]` (in `websocket[]` for WebSocket probes), or -1 for a traffic check. */
  index: number;
  description: string;
  passed: boolean;
  attempts: number;
  /** Why the last failed attempt failed. */
  message?: string;
}

export interface HttpTestOutcome {
  test: HttpTest;
  cases: CaseOutcome[];
  /** Set when the test could not run at all (set-up failed, the gateway did not start). */
  crash?: string;
  /** The gateway's stderr, kept when something failed. */
  gatewayLog?: string;
  /** Wall time of the run (set-up, gateway start, cases, shutdown). */
  durationMs?: number;
}

export function passedCases(o: HttpTestOutcome): number {
  return o.cases.filter((c) => c.passed).length;
}

export function httpTestPassed(o: HttpTestOutcome): boolean {
  return o.crash === undefined && o.cases.length > 0 && o.cases.every((c) => c.passed);
}

/** The HTTP expectations of `test` that this runner judges: its cases, its WebSocket probes and one per HTTP traffic check. */
export function expectationCount(test: HttpTest): number {
  return test.http.length + (test.websocket?.length ?? 0) + (httpTrafficCheck(test) ? 1 : 0);
}

/** The traffic check run after the cases, when the test has one over HTTP. */
function httpTrafficCheck(test: HttpTest): WeightedDistribution | BackendHeaderConsistency | undefined {
  const t = test.traffic;
  if (!t || ('protocol' in t && t.protocol !== undefined && t.protocol !== 'http')) return undefined;
  if (t.kind === 'weightedDistribution' || t.kind === 'backendHeaderConsistency') return t as WeightedDistribution | BackendHeaderConsistency;
  return undefined;
}

export function describeCase(c: HttpCase, index: number): string {
  const where = `${c.request.protocol} ${c.request.method || 'GET'} ${c.request.host || '<gateway>'}${c.request.path}`;
  const what = c.expectFailure
    ? 'must fail'
    : c.expectTransportError
      ? 'must fail to connect'
      : c.backend
        ? `-> ${c.backend}`
        : `-> ${c.response?.statusCodes.join('/') ?? '?'}`;
  const name = c.testCaseName ? ` "${c.testCaseName}"` : '';
  const prefix = [c.phase, c.subtest].filter(Boolean).join(' / ');
  return `#${index}${prefix ? ` [${prefix}]` : ''}${name} ${where} ${what}`;
}

// ---------------------------------------------------------------------------------------------
// Gateway slots

export interface GatewaySlot {
  portOffset: number;
  addressPool: string;
}

/**
 * Slot `i` of the concurrently running gateways: its own loopback /24 (127.<network>.i.0/24) and
 * its own port offset (10000 + 2000 i). Listener ports in the corpus's HTTP tests are 80..8443,
 * so every port stays below the kernel's ephemeral range (32768); port numbers of different slots
 * may coincide, but on different addresses.
 */
export function gatewaySlot(i: number, network = 231): GatewaySlot {
  if (!Number.isInteger(i) || i < 0 || i > 5) throw new Error(`gateway slot ${i} out of range 0..5`);
  if (!Number.isInteger(network) || network < 1 || network > 254) throw new Error(`network octet ${network} out of range 1..254`);
  return { portOffset: 10_000 + 2_000 * i, addressPool: `127.${network}.${i}.0/24` };
}

/** Second octets the runs pick their loopback networks from. */
const NETWORKS = { min: 200, max: 254 } as const;

/**
 * A fixed set of slots handed out to callers in turn. The slots share one loopback network,
 * 127.<network>.0.0/16, picked at random per pool so that two runs on one host (a developer's
 * and `npm test`) rarely meet; when they do, the gateway start moves to another network.
 */
export class SlotPool {
  private readonly free: GatewaySlot[];
  private readonly waiting: ((slot: GatewaySlot) => void)[] = [];

  constructor(size: number, network = randomInt(NETWORKS.min, NETWORKS.max + 1)) {
    this.free = Array.from({ length: size }, (_, i) => gatewaySlot(i, network));
  }

  async use<T>(fn: (slot: GatewaySlot) => Promise<T>): Promise<T> {
    const slot = this.free.pop() ?? (await new Promise<GatewaySlot>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(slot);
    } finally {
      const next = this.waiting.shift();
      if (next) next(slot);
      else this.free.push(slot);
    }
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------
// The environment of a running test

export interface RunContext {
  test: HttpTest;
  ready: ReadyEvent;
  slot: GatewaySlot;
  fleet: EchoFleet;
  plan: BackendPlan;
}

/** Address and port of a case's gateway listener. */
function targetOf(ctx: RunContext, c: HttpCase): { address: string; port: number; note?: string } {
  const listeners = ctx.ready.listeners.filter((l) => l.gateway === c.gateway);
  if (listeners.length === 0) {
    const served = [...new Set(ctx.ready.listeners.map((l) => l.gateway))].join(', ') || 'none';
    throw new CaseSetupError(`gateway ${c.gateway} has no ready listener (gateways served: ${served})`);
  }
  const named = c.listener === undefined ? undefined : listeners.find((l) => l.listener === c.listener);
  const port = named ? named.port : c.port + ctx.slot.portOffset;
  const note = listeners.some((l) => l.port === port) ? undefined : ` (the ready line lists no listener of ${c.gateway} on port ${port})`;
  return { address: listeners[0]!.address, port, ...(note ? { note } : {}) };
}

class CaseSetupError extends Error {}

function substitute(text: string, values: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [k, v] of values) out = out.split(k).join(v);
  return out;
}

/** `path` with the query parameter `name=value` added, in Go url.Values encoding (keys sorted). */
export function withQueryParam(path: string, name: string, value: string): string {
  const q = path.indexOf('?');
  const base = q < 0 ? path : path.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
  params.append(name, value);
  params.sort();
  return `${base}?${params.toString()}`;
}

const REQUEST_ID = 'gateway-api-conformance-request-id';

const PEM_PLACEHOLDER = /^<PEM of tls\.crt in Secret ([^/]+)\/([^>]+)>$/;

interface Prepared {
  client: ClientRequest;
  sent: SentRequest;
  note?: string;
}

/**
 * The request of case `c` as the harness would send it: placeholders filled (fresh values per
 * attempt), Host defaulted to the gateway address (plus the port unless it is the scheme's
 * default), `X-Echo-Set-Header` always present, TLS trusting the generated certificate.
 */
async function prepare(ctx: RunContext, c: HttpCase, overrides: { path?: string; headers?: Record<string, string> } = {}): Promise<Prepared> {
  const target = targetOf(ctx, c);
  const values = new Map<string, string>();
  for (const key of Object.keys(c.placeholders ?? {})) {
    if (key !== '{uuid}') throw new CaseSetupError(`unknown placeholder ${key}`);
    values.set(key, randomUUID());
  }
  const path = substitute(overrides.path ?? c.request.path, values);
  const caseHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...c.request.headers, ...overrides.headers })) caseHeaders[k] = substitute(v, values);
  const scheme = c.scheme || (c.request.protocol === 'HTTPS' || c.request.protocol === 'H2' ? 'https' : 'http');
  const defaultPort = (scheme === 'http' && target.port === 80) || (scheme === 'https' && target.port === 443);
  const host = c.request.host || (defaultPort ? target.address : `${target.address}:${target.port}`);
  const echoSet = Object.entries(c.backendSetResponseHeaders ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  const headers: [string, string][] = [...Object.entries(caseHeaders), ['X-Echo-Set-Header', echoSet]];
  let tls: ClientTls | undefined;
  if (c.request.protocol === 'HTTPS' || c.request.protocol === 'H2') {
    if (!c.tls) throw new CaseSetupError('a TLS request without tls settings');
    const server = await certificateFor(c.tls.serverCertificate);
    const client = c.tls.clientCertificate ? await certificateFor(c.tls.clientCertificate) : undefined;
    tls = {
      serverName: c.request.serverName ?? c.tls.serverName ?? host.replace(/:\d+$/, ''),
      ca: server.trustPem,
      ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
    };
  }
  let backendClientCertPem: string | undefined;
  if (c.request.clientCert !== undefined) {
    const m = PEM_PLACEHOLDER.exec(c.request.clientCert);
    if (!m) throw new CaseSetupError(`unknown clientCert form ${c.request.clientCert}`);
    backendClientCertPem = (await certificateFor(`${m[1]}/${m[2]}`)).certPem;
  }
  return {
    client: {
      protocol: c.request.protocol,
      address: target.address,
      port: target.port,
      method: c.request.method || 'GET',
      path,
      host,
      headers,
      ...(c.request.body !== undefined ? { body: c.request.body } : {}),
      ...(tls ? { tls } : {}),
      timeoutMs: REQUEST_TIMEOUT_MS,
    },
    sent: {
      method: c.request.method || 'GET',
      path,
      scheme,
      headers: caseHeaders,
      host: c.request.host,
      ...(backendClientCertPem !== undefined ? { backendClientCertPem } : {}),
    },
    ...(target.note ? { note: target.note } : {}),
  };
}

/** The case with its expected path carrying the same request id as the request (mirror tests). */
function withRequestId(c: HttpCase, id: string): HttpCase {
  return {
    ...c,
    request: { ...c.request, path: withQueryParam(c.request.path, REQUEST_ID, id) },
    ...(c.expectedRequest ? { expectedRequest: { ...c.expectedRequest, path: withQueryParam(c.expectedRequest.path, REQUEST_ID, id) } } : {}),
  };
}

type Exchange = { response: ClientResponse } | { transportError: string };

async function exchange(p: Prepared): Promise<Exchange> {
  try {
    return { response: await sendRequest(p.client) };
  } catch (err) {
    if (err instanceof TransportError) return { transportError: err.message };
    throw err;
  }
}

/** Judges one attempt of a case that expects a response. */
function judge(c: HttpCase, p: Prepared, x: Exchange): Verdict {
  if ('transportError' in x) return { ok: false, reason: `request failed: ${x.transportError}${p.note ?? ''}` };
  const r = x.response;
  if (r.status >= 300 && r.status < 400 && !c.request.unfollowRedirect && !(c.response?.statusCodes.includes(r.status) ?? false)) {
    // The harness's client would follow it; a redirect leaving the gateway cannot be followed on loopback.
    const location = r.headers.location?.[0] ?? '';
    return { ok: false, reason: `got ${r.status} redirect to ${location || '(no Location)'}, which the harness's client would follow` };
  }
  return compareExchange(c, p.sent, r);
}

export interface AttemptResult {
  passed: boolean;
  attempts: number;
  message?: string;
}

/**
 * Repeats `attempt` until it succeeds `required` times in a row, or has failed FAIL_LIMIT times,
 * or the case window is over.
 */
export async function converge(attempt: () => Promise<Verdict>, required = REQUIRED_SUCCESSES, failLimit = FAIL_LIMIT): Promise<AttemptResult> {
  const deadline = Date.now() + CASE_WINDOW_MS;
  let streak = 0;
  let failures = 0;
  let attempts = 0;
  let last: string | undefined;
  while (Date.now() < deadline) {
    attempts++;
    const v = await attempt();
    if (v.ok) {
      if (++streak >= required) return { passed: true, attempts };
      continue;
    }
    streak = 0;
    last = v.reason;
    if (++failures >= failLimit) break;
    await sleep(RETRY_DELAY_MS);
  }
  return { passed: false, attempts, message: last ?? 'the case window ended before the first attempt completed' };
}

// ---------------------------------------------------------------------------------------------
// Case kinds

function mirrorBackends(ctx: RunContext, namespace: string, name: string): EchoBackend[] {
  // The harness reads the logs of the pods labelled app=<name> in the namespace.
  const keys = [...ctx.plan.workloads.values()].filter((w) => w.namespace === namespace && w.podLabels.app === name);
  return keys.map((w) => ctx.fleet.get(w.namespace, w.name));
}

async function awaitMirrors(ctx: RunContext, c: HttpCase, path: string): Promise<string | undefined> {
  const deadline = Date.now() + REQUEST_TIMEOUT_MS;
  const pending = new Set(c.mirroredTo ?? []);
  for (const m of pending) {
    if (mirrorBackends(ctx, m.namespace, m.name).length === 0) return `no pods for the mirror backend ${m.namespace}/${m.name}`;
  }
  while (pending.size > 0) {
    for (const m of [...pending]) {
      if (mirrorBackends(ctx, m.namespace, m.name).some((b) => b.log.sawRequest(path))) pending.delete(m);
    }
    if (pending.size === 0) break;
    if (Date.now() >= deadline) {
      return `no mirrored request for ${path} in the logs of ${[...pending].map((m) => `${m.namespace}/${m.name}`).join(', ')} within ${REQUEST_TIMEOUT_MS} ms`;
    }
    await sleep(100);
  }
  return undefined;
}

async function runExpectedResponse(ctx: RunContext, c: HttpCase): Promise<AttemptResult> {
  const mirrored = (c.mirroredTo?.length ?? 0) > 0;
  const effective = mirrored ? withRequestId(c, randomUUID()) : c;
  const result = await converge(async () => {
    const p = await prepare(ctx, effective);
    return judge(effective, p, await exchange(p));
  });
  if (!result.passed || !mirrored) return result;
  const problem = await awaitMirrors(ctx, effective, effective.request.path);
  return problem ? { ...result, passed: false, message: problem } : result;
}

async function runExpectTransportError(ctx: RunContext, c: HttpCase): Promise<AttemptResult> {
  return converge(async () => {
    const p = await prepare(ctx, c);
    const x = await exchange(p);
    if ('transportError' in x) return { ok: true };
    return { ok: false, reason: `expected the connection to fail, got an HTTP ${x.response.status} response` };
  });
}

/** BackendTLSPolicy mismatches: 5 non-200 answers in a row; 408/504 and transport errors restart the streak; a 200 fails. */
async function runExpectFailure(ctx: RunContext, c: HttpCase): Promise<AttemptResult> {
  const deadline = Date.now() + CASE_WINDOW_MS;
  let streak = 0;
  let attempts = 0;
  let misses = 0;
  let last = '';
  while (Date.now() < deadline) {
    attempts++;
    const p = await prepare(ctx, c);
    const x = await exchange(p);
    if ('response' in x && x.response.status === 200) {
      return { passed: false, attempts, message: 'expected an HTTP error, got 200' };
    }
    if ('response' in x && !isTimeoutStatus(x.response.status)) {
      if (++streak >= EXPECT_FAILURE_STREAK) return { passed: true, attempts };
      continue;
    }
    streak = 0;
    last = 'transportError' in x ? `request failed: ${x.transportError}${p.note ?? ''}` : `got ${x.response.status}, which does not count`;
    if (++misses >= FAIL_LIMIT) break;
    await sleep(RETRY_DELAY_MS);
  }
  return { passed: false, attempts, message: last };
}

/**
 * HTTPRouteRequestPercentageMirror: one consistent request without a request id, then batches of
 * `totalRequests` requests sharing one new id; the mirrored copies counted in the mirror pods'
 * logs must be within `toleranceStdDevs` standard deviations of Binomial(totalRequests, p).
 */
async function runPercentageMirror(ctx: RunContext, c: HttpCase, traffic: MirrorPercentage): Promise<AttemptResult> {
  const first = await converge(async () => {
    const p = await prepare(ctx, c);
    return judge(c, p, await exchange(p));
  });
  if (!first.passed) return first;
  let attempts = first.attempts;
  let last = '';
  for (let batch = 0; batch < traffic.attempts; batch++) {
    const tagged = withRequestId(c, randomUUID());
    const indices = Array.from({ length: traffic.totalRequests }, (_, i) => i);
    let failure: string | undefined;
    await mapLimit(indices, traffic.concurrency, async () => {
      if (failure) return;
      const r = await converge(async () => {
        const p = await prepare(ctx, tagged);
        return judge(tagged, p, await exchange(p));
      }, 1);
      attempts += r.attempts;
      if (!r.passed) failure = r.message;
    });
    if (failure) return { passed: false, attempts, message: `a batch request failed: ${failure}` };
    const counts = await settledMirrorCounts(ctx, c, tagged.request.path);
    const problems: string[] = [];
    for (const m of c.mirroredTo ?? []) {
      if (m.percent === undefined) continue;
      const p = m.percent / 100;
      const expected = traffic.totalRequests * p;
      const margin = traffic.toleranceStdDevs * Math.sqrt(traffic.totalRequests * p * (1 - p));
      const got = counts.get(m) ?? 0;
      if (got < expected - margin || got > expected + margin) {
        problems.push(`${m.namespace}/${m.name}: ${got} of ${traffic.totalRequests} mirrored, expected ${expected} ± ${margin.toFixed(2)}`);
      }
    }
    if (problems.length === 0) return { passed: true, attempts };
    last = `batch ${batch + 1}: ${problems.join('; ')}`;
    await sleep(RETRY_DELAY_MS);
  }
  return { passed: false, attempts, message: last };
}

/** Mirror log lines for `path` per target, read once the count stops growing (mirrors are sent asynchronously). */
async function settledMirrorCounts(ctx: RunContext, c: HttpCase, path: string): Promise<Map<unknown, number>> {
  const needle = `Echoing back request made to ${path} to client`;
  const count = () => {
    const m = new Map<unknown, number>();
    for (const target of c.mirroredTo ?? []) {
      const n = mirrorBackends(ctx, target.namespace, target.name).reduce((sum, b) => sum + b.log.lines().filter((l) => l.includes(needle)).length, 0);
      m.set(target, n);
    }
    return m;
  };
  const total = (m: Map<unknown, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  let previous = count();
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    const now = count();
    if (total(now) === total(previous) && i >= 2) return now;
    previous = now;
  }
  return previous;
}

export async function runCase(ctx: RunContext, c: HttpCase, index: number): Promise<CaseOutcome> {
  const description = describeCase(c, index);
  try {
    let r: AttemptResult;
    if (c.expectFailure) r = await runExpectFailure(ctx, c);
    else if (c.expectTransportError) r = await runExpectTransportError(ctx, c);
    else if (c.mirroredTo?.some((m) => m.percent !== undefined)) {
      if (ctx.test.traffic?.kind !== 'mirrorPercentage') throw new CaseSetupError('a percentage mirror case without mirrorPercentage traffic settings');
      r = await runPercentageMirror(ctx, c, ctx.test.traffic as MirrorPercentage);
    } else r = await runExpectedResponse(ctx, c);
    return { index, description, passed: r.passed, attempts: r.attempts, ...(r.message !== undefined ? { message: r.message } : {}) };
  } catch (err) {
    if (err instanceof CaseSetupError) return { index, description, passed: false, attempts: 0, message: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Traffic checks

async function runWeighted(ctx: RunContext, template: HttpCase, t: WeightedDistribution): Promise<AttemptResult> {
  const expectedBackends = Object.entries(t.expectedWeights);
  const nonZero = expectedBackends.filter(([, w]) => w > 0).length;
  let last = '';
  for (let attempt = 1; attempt <= t.maxAttempts; attempt++) {
    const seen = new Map<string, number>();
    let failure: string | undefined;
    await mapLimit(Array.from({ length: t.totalRequests }), t.concurrency, async () => {
      if (failure) return;
      const headers: Record<string, string> = randomInt(2) === 0 ? { 'X-Jitter': String(randomInt(10_000)) } : {};
      const p = await prepare(ctx, template, { headers });
      const x = await exchange(p);
      if ('transportError' in x) {
        failure = `request failed: ${x.transportError}`;
        return;
      }
      const v = compareExchange(template, p.sent, x.response);
      if (!v.ok) {
        failure = v.reason;
        return;
      }
      const captured = captureRequest(x.response, p.sent);
      const pod = 'error' in captured ? '' : captured.pod;
      const backend = backendFromPod(pod);
      seen.set(backend, (seen.get(backend) ?? 0) + 1);
    });
    if (failure) return { passed: false, attempts: attempt, message: `attempt ${attempt}: ${failure}` };
    const unknown = [...seen.keys()].filter((b) => !(b in t.expectedWeights));
    if (unknown.length > 0) return { passed: false, attempts: attempt, message: `traffic reached unexpected backends: ${unknown.join(', ')}` };
    const problems: string[] = [];
    if (seen.size !== nonZero) problems.push(`${seen.size} backends received traffic, expected ${nonZero}`);
    for (const [backend, weight] of expectedBackends) {
      const share = (seen.get(backend) ?? 0) / t.totalRequests;
      if (weight === 0 && share > 0) problems.push(`${backend} has weight 0 but got ${seen.get(backend)} requests`);
      else if (Math.abs(share - weight) > t.tolerance) problems.push(`${backend}: share ${share.toFixed(3)}, expected ${weight} ± ${t.tolerance}`);
    }
    if (problems.length === 0) return { passed: true, attempts: attempt };
    last = `attempt ${attempt}: ${problems.join('; ')} (counts ${JSON.stringify(Object.fromEntries(seen))})`;
  }
  return { passed: false, attempts: t.maxAttempts, message: last };
}

async function runHeaderConsistency(ctx: RunContext, template: HttpCase, t: BackendHeaderConsistency): Promise<AttemptResult> {
  const c: HttpCase = { ...template, request: { ...template.request, method: t.request.method, path: t.request.path, host: t.request.host } };
  for (let i = 1; i <= t.requests; i++) {
    const p = await prepare(ctx, c);
    const x = await exchange(p);
    if ('transportError' in x) return { passed: false, attempts: i, message: `request ${i} failed: ${x.transportError}` };
    if (x.response.status !== 200) return { passed: false, attempts: i, message: `request ${i}: status ${x.response.status}` };
    const captured = captureRequest(x.response, p.sent);
    if ('error' in captured) return { passed: false, attempts: i, message: `request ${i}: ${captured.error}` };
    const values = captured.headers?.backend ?? [];
    if (values.length !== 1) return { passed: false, attempts: i, message: `request ${i}: the backend saw ${values.length} Backend headers (${JSON.stringify(values)})` };
    if (!captured.pod.startsWith(values[0]!)) return { passed: false, attempts: i, message: `request ${i}: pod ${captured.pod} answered a request whose Backend header is ${values[0]}` };
  }
  return { passed: true, attempts: t.requests };
}

async function runTraffic(ctx: RunContext, test: HttpTest): Promise<CaseOutcome | undefined> {
  const t = httpTrafficCheck(test);
  if (!t) return undefined;
  const template = test.http.find((c) => c.phase === undefined);
  const description = `traffic: ${t.kind}`;
  if (!template) return { index: -1, description, passed: false, attempts: 0, message: 'the test has no case to take the request from' };
  try {
    const r = t.kind === 'weightedDistribution' ? await runWeighted(ctx, template, t) : await runHeaderConsistency(ctx, template, t);
    return { index: -1, description, passed: r.passed, attempts: r.attempts, ...(r.message !== undefined ? { message: r.message } : {}) };
  } catch (err) {
    if (err instanceof CaseSetupError) return { index: -1, description, passed: false, attempts: 0, message: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket probes

/** One WebSocket session: handshake through the gateway, then every exchange in order. */
function webSocketSession(ctx: RunContext, w: WebSocketCase): Promise<Verdict> {
  const target = targetOf(ctx, { gateway: w.gateway, port: w.port, ...(w.listener ? { listener: w.listener } : {}) } as HttpCase);
  // The URL's authority is a placeholder for the gateway address; only its path is taken.
  const path = /^[a-z]+:\/\/[^/]*(\/[^#]*)?$/i.exec(w.url)?.[1] ?? '/';
  const origin = w.origin.replace('<test name>', ctx.test.name);
  return new Promise<Verdict>((resolve) => {
    let settled = false;
    const ws = new WebSocket(`ws://${target.address}:${target.port}${path}`, { origin, handshakeTimeout: REQUEST_TIMEOUT_MS, perMessageDeflate: false });
    const finish = (v: Verdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(v);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `the exchanges did not complete within ${REQUEST_TIMEOUT_MS} ms` }), REQUEST_TIMEOUT_MS);
    let step = 0;
    const sendNext = () => {
      const x = w.exchanges[step];
      if (!x) return finish({ ok: true });
      if (x.sendText !== undefined) ws.send(x.sendText);
      else ws.send(Buffer.from(x.sendBinary ?? []), { binary: true });
    };
    ws.on('unexpected-response', (_req, res) => finish({ ok: false, reason: `the WebSocket handshake got HTTP ${res.statusCode}` }));
    ws.on('error', (err) => finish({ ok: false, reason: `WebSocket error: ${err.message}` }));
    ws.on('close', (code) => finish({ ok: false, reason: `the WebSocket closed (code ${code}) after ${step} of ${w.exchanges.length} exchanges` }));
    ws.on('open', sendNext);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const x = w.exchanges[step]!;
      if (x.expectText !== undefined) {
        if (isBinary || data.toString('utf8') !== x.expectText) return finish({ ok: false, reason: `expected text ${JSON.stringify(x.expectText)}, got ${isBinary ? 'binary' : 'text'} ${JSON.stringify(data.toString('utf8'))}` });
      } else if (!isBinary || !data.equals(Buffer.from(x.expectBinary ?? []))) {
        return finish({ ok: false, reason: `expected binary [${(x.expectBinary ?? []).join(',')}], got ${isBinary ? 'binary' : 'text'} [${[...data].join(',')}]` });
      }
      step++;
      sendNext();
    });
  });
}

async function runWebSocket(ctx: RunContext, w: WebSocketCase, index: number): Promise<CaseOutcome> {
  const description = `websocket #${index} ${w.url} (${w.exchanges.length} exchanges)`;
  try {
    const r = await converge(() => webSocketSession(ctx, w));
    return { index, description, passed: r.passed, attempts: r.attempts, ...(r.message !== undefined ? { message: r.message } : {}) };
  } catch (err) {
    if (err instanceof CaseSetupError) return { index, description, passed: false, attempts: 0, message: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// One test

/** Objects of `state` as the gateway reads them: the manifests (with the harness's patches) plus generated EndpointSlices. */
export function gatewayObjects(test: HttpTest, state: ClusterState, plan: BackendPlan, fleet: EchoFleet): KubeObject[] {
  const objects = patchManualEndpointSlices(test, state.list(), plan, fleet);
  return [...objects.map((o) => o.object), ...generateEndpointSlices(objects, plan, fleet)];
}

/** The objects of every state up to `last`, the newest version of each (for planning backends). */
export function unionObjects(states: readonly ClusterState[], last: number): LoadedObject[] {
  const byKey = new Map<string, LoadedObject>();
  for (const s of states.slice(0, last + 1)) for (const [key, o] of s.objects) byKey.set(key, o);
  return [...byKey.values()];
}

/**
 * Operations options of `switchyard serve` for test runs: no admin server (several processes run
 * at once), no access log, warnings only, and a short drain so stopping is quick.
 */
export const SERVE_OPTIONS: readonly string[] = ['--admin', 'off', '--no-access-log', '--log-level', 'warn', '--drain-timeout', '1s'];

/** Gateway start options besides the slot's (tests substitute the program). */
export type GatewayExtras = Pick<GatewayOptions, 'command' | 'extraArgs' | 'readyTimeoutMs'>;

/** Gateway starts tried when the addresses are taken (another run on the same host). */
const START_ATTEMPTS = 3;

/** Starts the gateway on `slot`, moving to another loopback network when its addresses are in use. */
export async function startGateway(objects: readonly KubeObject[], slot: GatewaySlot, extras: GatewayExtras): Promise<GatewayProcess> {
  let pool = slot.addressPool;
  for (let attempt = 1; ; attempt++) {
    try {
      return await GatewayProcess.start(objects, { ...extras, portOffset: slot.portOffset, addressPool: pool, extraArgs: [...SERVE_OPTIONS, ...(extras.extraArgs ?? [])] });
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !/EADDRINUSE/.test((err as Error).message)) throw err;
      const third = pool.split('.')[2];
      pool = `127.${randomInt(NETWORKS.min, NETWORKS.max + 1)}.${third}.0/24`;
    }
  }
}

export async function runHttpTest(test: HttpTest, slot: GatewaySlot, extras: GatewayExtras = {}): Promise<HttpTestOutcome> {
  const started = Date.now();
  const outcome = await runHttpTestOnce(test, slot, extras);
  return { ...outcome, durationMs: Date.now() - started };
}

async function runHttpTestOnce(test: HttpTest, slot: GatewaySlot, extras: GatewayExtras): Promise<HttpTestOutcome> {
  let fleet: EchoFleet | undefined;
  let gateway: GatewayProcess | undefined;
  const cases: CaseOutcome[] = [];
  try {
    const cluster = await buildCluster(test);
    const phases = new Map<number, number[]>();
    test.http.forEach((c, i) => {
      const s = stateIndexForPhase(test, c.phase);
      phases.set(s, [...(phases.get(s) ?? []), i]);
    });
    if (!phases.has(0)) phases.set(0, []);
    const lastState = Math.max(0, ...phases.keys());
    const plan = planBackends(test, unionObjects(cluster.states, lastState));
    fleet = await startEchoFleet(plan.specs);
    gateway = await startGateway(gatewayObjects(test, cluster.states[0]!, plan, fleet), slot, extras);
    for (const stateIndex of [...phases.keys()].sort((a, b) => a - b)) {
      if (stateIndex > 0) await gateway.reload(gatewayObjects(test, cluster.states[stateIndex]!, plan, fleet));
      const ctx: RunContext = { test, ready: gateway.ready, slot, fleet, plan };
      const indices = phases.get(stateIndex)!;
      cases.push(...(await mapLimit(indices, CASE_CONCURRENCY, (i) => runCase(ctx, test.http[i]!, i))));
      if (stateIndex === 0) {
        cases.push(...(await mapLimit(test.websocket ?? [], CASE_CONCURRENCY, (w, i) => runWebSocket(ctx, w, i))));
        const traffic = await runTraffic(ctx, test);
        if (traffic) cases.push(traffic);
      }
    }
    const outcome: HttpTestOutcome = { test, cases };
    if (!cases.every((c) => c.passed)) outcome.gatewayLog = gateway.stderr.toString();
    return outcome;
  } catch (err) {
    const e = err as Error;
    return { test, cases, crash: `${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`, ...(gateway ? { gatewayLog: gateway.stderr.toString() } : {}) };
  } finally {
    await gateway?.stop();
    await fleet?.stop();
  }
}
