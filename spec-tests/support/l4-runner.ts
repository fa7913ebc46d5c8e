/**
 * Runs one conformance test's gRPC, TCP, TLS and UDP probes (and any HTTP cases it has, such as
 * the HTTPS requests TLSRouteHostnameIntersection sends through a passthrough listener) against
 * a real `switchyard serve`, on the HTTP runner's footing: the same cluster, echo backends,
 * EndpointSlices, gateway process, slots and phases (http-runner.ts), with the probe kinds of the
 * corpus's `grpc[]`, `tcp[]`, `udp[]` and TCP/UDP/gRPC weighted-distribution checks.
 *
 * Retry policies follow the harness within the runner's bounds (a gateway that reported ready
 * has nothing left to converge on): gRPC calls pass after 3 consecutive successes (like HTTP
 * cases); tcpEcho/tlsTcpEcho pass on one complete good exchange, retrying only transport errors
 * (at most FAIL_LIMIT, RETRY_DELAY_MS apart) and failing at once on a wrong answer;
 * tlsConnectionRejected needs 3 failed dials in a row; samples and weighted checks do not retry
 * single requests.
 */
import { randomInt } from 'node:crypto';
import { buildCluster, stateIndexForPhase } from './conformance.js';
import { caFor } from './certificates.js';
import { startEchoFleet, sleep, TCP_WELCOME, type EchoFleet } from './echo/index.js';
import { GrpcClients, grpcCall, judgeGrpc, type GrpcCase } from './grpc-probes.js';
import { planBackends } from './http-backends.js';
import { backendFromPod, type Verdict } from './http-cases.js';
import type { GatewayProcess } from './http-gateway.js';
import {
  converge,
  FAIL_LIMIT,
  gatewayObjects,
  mapLimit,
  REQUEST_TIMEOUT_MS,
  RETRY_DELAY_MS,
  runCase,
  startGateway,
  unionObjects,
  type AttemptResult,
  type CaseOutcome,
  type GatewayExtras,
  type GatewaySlot,
  type HttpTest,
  type HttpTestOutcome,
  type RunContext,
} from './http-runner.js';
import { dnsQuery, isDnsReply, ProbeTransportError, tcpEchoExchange, tcpEchoOnce, tlsDialFailure, udpOnce, type ProbeTls } from './l4-probes.js';

// ---------------------------------------------------------------------------------------------
// Corpus probe shapes

interface TcpExpect {
  backendIsTLS: boolean;
  backend: string;
  namespace: string;
  backendServerName?: string;
}

export type TcpProbe =
  | { kind: 'tcpEcho'; gateway: string; listener?: string; port: number; expect: TcpExpect; subtest?: string; phase?: string }
  | { kind: 'tlsTcpEcho'; gateway: string; listener?: string; port: number; serverName: string; trustedCA: string; expect: TcpExpect; subtest?: string; phase?: string }
  | { kind: 'tlsConnectionRejected'; gateway: string; listener?: string; port: number; serverName: string; subtest?: string; phase?: string }
  | {
      kind: 'tcpEchoSamples';
      gateway: string;
      listener?: string;
      port: number;
      count: number;
      perRequestTimeoutSeconds: number;
      expectPodPrefix: string;
      forbiddenPodPrefix?: string;
      subtest?: string;
      phase?: string;
    };

export type UdpProbe =
  | { kind: 'udpEcho'; gateway: string; listener?: string; port: number; payload: string; expect: { service?: string; namespace?: string }; timeoutSeconds: number; subtest?: string; phase?: string }
  | {
      kind: 'udpEchoSamples';
      gateway: string;
      listener?: string;
      port: number;
      payload: string;
      probesPerRound: number;
      perProbeTimeoutSeconds: number;
      expectBackend: string;
      subtest?: string;
      phase?: string;
    }
  | { kind: 'udpDns'; gateway: string; listener?: string; port: number; queryWire: string; perQueryTimeoutSeconds: number; subtest?: string; phase?: string };

interface WeightedTraffic {
  kind: 'weightedDistribution';
  protocol?: 'tcp' | 'udp';
  gateway?: string;
  listener?: string;
  port?: number;
  preflight?: { kind: 'tcpConnect' | 'udpEcho'; payload?: string; timeoutSeconds: number };
  request?: { kind: 'tcpEchoOnce' | 'udpEchoOnce'; payload?: string; timeoutSeconds: number };
  totalRequests: number;
  concurrency: number;
  tolerance: number;
  maxAttempts: number;
  expectedWeights: Record<string, number>;
}

export interface ProbeTest extends HttpTest {
  grpc?: GrpcCase[];
  tcp?: TcpProbe[];
  udp?: UdpProbe[];
}

/** The probes of a test this runner judges: HTTP cases, gRPC calls, TCP/TLS and UDP probes, and one per weighted check. */
export function probeCount(test: ProbeTest): number {
  return test.http.length + (test.grpc?.length ?? 0) + (test.tcp?.length ?? 0) + (test.udp?.length ?? 0) + (weightedTraffic(test) ? 1 : 0);
}

function weightedTraffic(test: ProbeTest): WeightedTraffic | undefined {
  const t = test.traffic as WeightedTraffic | undefined;
  if (t?.kind !== 'weightedDistribution') return undefined;
  if (t.protocol === 'tcp' || t.protocol === 'udp' || (test.grpc?.length ?? 0) > 0) return t;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Addressing

class ProbeSetupError extends Error {}

interface ProbeContext extends RunContext {
  grpcClients: GrpcClients;
}

/** Address and port of a probe's gateway listener (the named one, else the corpus port plus the offset). */
function target(ctx: ProbeContext, p: { gateway: string; listener?: string; port: number }): { address: string; port: number } {
  const listeners = ctx.ready.listeners.filter((l) => l.gateway === p.gateway);
  if (listeners.length === 0) {
    const served = [...new Set(ctx.ready.listeners.map((l) => l.gateway))].join(', ') || 'none';
    throw new ProbeSetupError(`gateway ${p.gateway} has no ready listener (gateways served: ${served})`);
  }
  const named = p.listener === undefined ? undefined : listeners.find((l) => l.listener === p.listener);
  return { address: listeners[0]!.address, port: named ? named.port : p.port + ctx.slot.portOffset };
}

function outcome(index: number, description: string, r: AttemptResult): CaseOutcome {
  return { index, description, passed: r.passed, attempts: r.attempts, ...(r.message !== undefined ? { message: r.message } : {}) };
}

async function guarded(index: number, description: string, run: () => Promise<AttemptResult>): Promise<CaseOutcome> {
  try {
    return outcome(index, description, await run());
  } catch (err) {
    if (err instanceof ProbeSetupError) return { index, description, passed: false, attempts: 0, message: err.message };
    throw err;
  }
}

function prefix(p: { phase?: string; subtest?: string }): string {
  const parts = [p.phase, p.subtest].filter(Boolean).join(' / ');
  return parts ? ` [${parts}]` : '';
}

/**
 * Retries `attempt` while it fails with a ProbeTransportError (at most FAIL_LIMIT times); any
 * other failure, or success, ends it.
 */
async function untilAnswered(attempt: () => Promise<Verdict>): Promise<AttemptResult> {
  let last = '';
  for (let n = 1; n <= FAIL_LIMIT; n++) {
    try {
      const v = await attempt();
      return v.ok ? { passed: true, attempts: n } : { passed: false, attempts: n, message: v.reason };
    } catch (err) {
      if (!(err instanceof ProbeTransportError)) throw err;
      last = err.message;
      await sleep(RETRY_DELAY_MS);
    }
  }
  return { passed: false, attempts: FAIL_LIMIT, message: last };
}

// ---------------------------------------------------------------------------------------------
// gRPC

function runGrpc(ctx: ProbeContext, c: GrpcCase, index: number): Promise<CaseOutcome> {
  const description = `grpc #${index}${prefix(c)} ${c.request.method.split('/').pop()} ${c.request.authority || '<gateway>'} ${JSON.stringify(c.request.metadata)} -> ${c.response.code}${c.backend ? ` ${c.backend}` : ''}`;
  return guarded(index, description, () => {
    const t = target(ctx, c);
    const client = ctx.grpcClients.get(t.address, t.port, c.request.authority);
    return converge(async () => judgeGrpc(c, await grpcCall(client, c, REQUEST_TIMEOUT_MS)));
  });
}

// ---------------------------------------------------------------------------------------------
// TCP and TLS

function judgeTcpEcho(expect: TcpExpect, x: Awaited<ReturnType<typeof tcpEchoExchange>>): Verdict {
  if (x.welcome !== TCP_WELCOME) return { ok: false, reason: `welcome line ${JSON.stringify(x.welcome)}` };
  if (x.pong !== 'PONG\n') return { ok: false, reason: `PING answered ${JSON.stringify(x.pong)}` };
  const isTls = expect.backendIsTLS ? 'true\n' : 'false\n';
  if (x.isTls !== isTls) return { ok: false, reason: `IS_TLS answered ${JSON.stringify(x.isTls)}, expected ${JSON.stringify(isTls)}` };
  if (x.test.namespace !== expect.namespace) return { ok: false, reason: `namespace ${String(x.test.namespace)}, expected ${expect.namespace}` };
  if (typeof x.test.pod !== 'string' || !x.test.pod.startsWith(`${expect.backend}-`)) return { ok: false, reason: `pod ${String(x.test.pod)}, expected ${expect.backend}-*` };
  if (expect.backendServerName !== undefined) {
    const sni = (x.test.tls as { serverName?: string } | undefined)?.serverName;
    if (sni !== expect.backendServerName) return { ok: false, reason: `the backend saw SNI ${String(sni)}, expected ${expect.backendServerName}` };
  }
  return { ok: true };
}

async function runTcp(ctx: ProbeContext, p: TcpProbe, index: number): Promise<CaseOutcome> {
  const sni = 'serverName' in p ? ` SNI ${p.serverName}` : '';
  const what = p.kind === 'tcpEchoSamples' ? `${p.count} x -> ${p.expectPodPrefix}*` : p.kind === 'tlsConnectionRejected' ? 'must be rejected' : `-> ${p.expect.backend}`;
  const description = `tcp #${index}${prefix(p)} ${p.kind} port ${p.port}${sni} ${what}`;
  return guarded(index, description, async () => {
    const t = target(ctx, p);
    switch (p.kind) {
      case 'tcpEcho':
        return untilAnswered(async () => judgeTcpEcho(p.expect, await tcpEchoExchange(t.address, t.port, REQUEST_TIMEOUT_MS)));
      case 'tlsTcpEcho': {
        const tls: ProbeTls = { serverName: p.serverName, ca: (await caFor(p.trustedCA)).certPem };
        return untilAnswered(async () => judgeTcpEcho(p.expect, await tcpEchoExchange(t.address, t.port, REQUEST_TIMEOUT_MS, tls)));
      }
      case 'tlsConnectionRejected':
        return converge(async () => {
          const failure = await tlsDialFailure(t.address, t.port, p.serverName, REQUEST_TIMEOUT_MS);
          if (failure === undefined) return { ok: false, reason: 'the TLS handshake completed' };
          return /EOF|ECONNRESET|socket hang up|disconnected/i.test(failure) ? { ok: true } : { ok: false, reason: `the dial failed with ${failure}, not EOF or a reset` };
        });
      case 'tcpEchoSamples':
        for (let i = 1; i <= p.count; i++) {
          let pod: string;
          try {
            pod = await tcpEchoOnce(t.address, t.port, p.perRequestTimeoutSeconds * 1000);
          } catch (err) {
            return { passed: false, attempts: i, message: `sample ${i}: ${(err as Error).message}` };
          }
          if (!pod.startsWith(p.expectPodPrefix) || (p.forbiddenPodPrefix && pod.startsWith(p.forbiddenPodPrefix))) {
            return { passed: false, attempts: i, message: `sample ${i} reached pod ${pod}, expected ${p.expectPodPrefix}*` };
          }
        }
        return { passed: true, attempts: p.count };
    }
  });
}

// ---------------------------------------------------------------------------------------------
// UDP

/** Probe rounds of udpEchoSamples before giving up (each failed probe restarts the round). */
const UDP_ROUNDS = FAIL_LIMIT;

async function runUdp(ctx: ProbeContext, p: UdpProbe, index: number): Promise<CaseOutcome> {
  const what = p.kind === 'udpEcho' ? `-> ${p.expect.service ?? 'any reply'}` : p.kind === 'udpEchoSamples' ? `${p.probesPerRound} x -> ${p.expectBackend}` : 'DNS reply';
  const description = `udp #${index}${prefix(p)} ${p.kind} port ${p.port} ${what}`;
  return guarded(index, description, async () => {
    const t = target(ctx, p);
    switch (p.kind) {
      case 'udpEcho':
        return untilAnswered(async () => {
          const reply = await udpOnce(t.address, t.port, Buffer.from(p.payload), 2_000);
          if (p.expect.service === undefined && p.expect.namespace === undefined) return { ok: true };
          let echo: { service?: string; namespace?: string };
          try {
            echo = JSON.parse(reply.toString('utf8')) as typeof echo;
          } catch {
            throw new ProbeTransportError(`the reply is not JSON: ${JSON.stringify(reply.toString('utf8'))}`);
          }
          if (p.expect.service !== undefined && echo.service !== p.expect.service) return { ok: false, reason: `service ${echo.service}, expected ${p.expect.service}` };
          if (p.expect.namespace !== undefined && echo.namespace !== p.expect.namespace) return { ok: false, reason: `namespace ${echo.namespace}, expected ${p.expect.namespace}` };
          return { ok: true };
        });
      case 'udpEchoSamples': {
        let last = '';
        for (let round = 1; round <= UDP_ROUNDS; round++) {
          let good = 0;
          for (; good < p.probesPerRound; good++) {
            let pod: string;
            try {
              const reply = await udpOnce(t.address, t.port, Buffer.from(p.payload), p.perProbeTimeoutSeconds * 1000, 4096);
              pod = String((JSON.parse(reply.toString('utf8')) as { pod?: unknown }).pod ?? '');
              if (pod === '') throw new ProbeTransportError('a reply without pod');
            } catch (err) {
              last = `round ${round}, probe ${good + 1}: ${(err as Error).message}`;
              break;
            }
            if (backendFromPod(pod) !== p.expectBackend) return { passed: false, attempts: round, message: `reply from pod ${pod}, expected backend ${p.expectBackend}` };
          }
          if (good === p.probesPerRound) return { passed: true, attempts: round };
          await sleep(RETRY_DELAY_MS);
        }
        return { passed: false, attempts: UDP_ROUNDS, message: last };
      }
      case 'udpDns':
        return untilAnswered(async () => {
          const query = dnsQuery(p.queryWire);
          const reply = await udpOnce(t.address, t.port, query.wire, p.perQueryTimeoutSeconds * 1000, 512);
          if (!isDnsReply(reply, query.id)) throw new ProbeTransportError('the reply is not a DNS answer to the query');
          return { ok: true };
        });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Weighted distribution (TCP, UDP, gRPC)

async function runWeighted(ctx: ProbeContext, test: ProbeTest, t: WeightedTraffic): Promise<CaseOutcome> {
  const description = `traffic: weightedDistribution over ${t.protocol ?? 'grpc'} (${t.totalRequests} requests)`;
  return guarded(-1, description, async () => {
    let one: () => Promise<string>;
    if (t.protocol === 'tcp' || t.protocol === 'udp') {
      const where = target(ctx, { gateway: t.gateway!, ...(t.listener ? { listener: t.listener } : {}), port: t.port! });
      const timeoutMs = (t.request?.timeoutSeconds ?? 10) * 1000;
      if (t.protocol === 'tcp') {
        one = () => tcpEchoOnce(where.address, where.port, timeoutMs);
      } else {
        const payload = Buffer.from(t.request?.payload ?? '');
        one = async () => String((JSON.parse((await udpOnce(where.address, where.port, payload, timeoutMs, 4096)).toString('utf8')) as { pod?: unknown }).pod ?? '');
      }
      const preflight = await untilAnswered(async () => {
        if (t.protocol === 'tcp') await tcpEchoOnce(where.address, where.port, timeoutMs);
        else await udpOnce(where.address, where.port, Buffer.from(t.preflight?.payload ?? ''), 2_000);
        return { ok: true };
      });
      if (!preflight.passed) return { ...preflight, message: `preflight: ${preflight.message}` };
    } else {
      const template = test.grpc!.find((c) => c.phase === undefined)!;
      const where = target(ctx, template);
      const client = ctx.grpcClients.get(where.address, where.port, template.request.authority);
      const first = await converge(async () => judgeGrpc(template, await grpcCall(client, template, REQUEST_TIMEOUT_MS)), 1);
      if (!first.passed) return first;
      one = async () => {
        const jitter: Record<string, string> = randomInt(2) === 0 ? { 'x-jitter': String(randomInt(10_000)) } : {};
        const r = await grpcCall(client, template, REQUEST_TIMEOUT_MS, jitter);
        const v = judgeGrpc(template, r);
        if (!v.ok) throw new Error(v.reason);
        return r.response!.assertions.context.pod;
      };
    }
    const expected = Object.entries(t.expectedWeights);
    const nonZero = expected.filter(([, w]) => w > 0).length;
    let last = '';
    for (let attempt = 1; attempt <= t.maxAttempts; attempt++) {
      const seen = new Map<string, number>();
      let failure: string | undefined;
      await mapLimit(Array.from({ length: t.totalRequests }), t.concurrency, async () => {
        if (failure) return;
        try {
          const pod = await one();
          if (pod === '') throw new Error('a reply without pod');
          const backend = backendFromPod(pod);
          seen.set(backend, (seen.get(backend) ?? 0) + 1);
        } catch (err) {
          failure = (err as Error).message;
        }
      });
      if (failure) {
        last = `attempt ${attempt}: a request failed: ${failure}`;
        continue;
      }
      const unknown = [...seen.keys()].filter((b) => !(b in t.expectedWeights));
      if (unknown.length > 0) return { passed: false, attempts: attempt, message: `traffic reached unexpected backends: ${unknown.join(', ')}` };
      const problems: string[] = [];
      if (seen.size !== nonZero) problems.push(`${seen.size} backends received traffic, expected ${nonZero}`);
      for (const [backend, weight] of expected) {
        const share = (seen.get(backend) ?? 0) / t.totalRequests;
        if (Math.abs(share - weight) > t.tolerance) problems.push(`${backend}: share ${share.toFixed(3)}, expected ${weight} ± ${t.tolerance}`);
      }
      if (problems.length === 0) return { passed: true, attempts: attempt };
      last = `attempt ${attempt}: ${problems.join('; ')} (counts ${JSON.stringify(Object.fromEntries(seen))})`;
    }
    return { passed: false, attempts: t.maxAttempts, message: last };
  });
}

// ---------------------------------------------------------------------------------------------
// One test

type Probe =
  | { type: 'http'; index: number; phase?: string }
  | { type: 'grpc'; index: number; phase?: string }
  | { type: 'tcp'; index: number; phase?: string }
  | { type: 'udp'; index: number; phase?: string };

/** Probes of one test run at the same time. */
const PROBE_CONCURRENCY = 4;

function runProbe(ctx: ProbeContext, test: ProbeTest, p: Probe): Promise<CaseOutcome> {
  switch (p.type) {
    case 'http':
      return runCase(ctx, test.http[p.index]!, p.index);
    case 'grpc':
      return runGrpc(ctx, test.grpc![p.index]!, p.index);
    case 'tcp':
      return runTcp(ctx, test.tcp![p.index]!, p.index);
    case 'udp':
      return runUdp(ctx, test.udp![p.index]!, p.index);
  }
}

export async function runProbeTest(test: ProbeTest, slot: GatewaySlot, extras: GatewayExtras = {}): Promise<HttpTestOutcome> {
  const started = Date.now();
  let fleet: EchoFleet | undefined;
  let gateway: GatewayProcess | undefined;
  const grpcClients = new GrpcClients();
  const cases: CaseOutcome[] = [];
  try {
    const cluster = await buildCluster(test);
    const probes: Probe[] = [
      ...test.http.map((c, index): Probe => ({ type: 'http', index, ...(c.phase ? { phase: c.phase } : {}) })),
      ...(test.grpc ?? []).map((c, index): Probe => ({ type: 'grpc', index, ...(c.phase ? { phase: c.phase } : {}) })),
      ...(test.tcp ?? []).map((c, index): Probe => ({ type: 'tcp', index, ...(c.phase ? { phase: c.phase } : {}) })),
      ...(test.udp ?? []).map((c, index): Probe => ({ type: 'udp', index, ...(c.phase ? { phase: c.phase } : {}) })),
    ];
    const phases = new Map<number, Probe[]>([[0, []]]);
    for (const p of probes) {
      const s = stateIndexForPhase(test, p.phase);
      phases.set(s, [...(phases.get(s) ?? []), p]);
    }
    const lastState = Math.max(...phases.keys());
    const plan = planBackends(test, unionObjects(cluster.states, lastState));
    fleet = await startEchoFleet(plan.specs);
    gateway = await startGateway(gatewayObjects(test, cluster.states[0]!, plan, fleet), slot, extras);
    for (const stateIndex of [...phases.keys()].sort((a, b) => a - b)) {
      // A mutation's `delayBeforeSeconds` only makes created objects newer: the cluster model dates them.
      if (stateIndex > 0) await gateway.reload(gatewayObjects(test, cluster.states[stateIndex]!, plan, fleet));
      const ctx: ProbeContext = { test, ready: gateway.ready, slot, fleet, plan, grpcClients };
      cases.push(...(await mapLimit(phases.get(stateIndex)!, PROBE_CONCURRENCY, (p) => runProbe(ctx, test, p))));
      const traffic = stateIndex === 0 ? weightedTraffic(test) : undefined;
      if (traffic) cases.push(await runWeighted(ctx, test, traffic));
    }
    const result: HttpTestOutcome = { test, cases, durationMs: Date.now() - started };
    if (!cases.every((c) => c.passed)) result.gatewayLog = gateway.stderr.toString();
    return result;
  } catch (err) {
    const e = err as Error;
    return {
      test,
      cases,
      crash: `${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`,
      durationMs: Date.now() - started,
      ...(gateway ? { gatewayLog: gateway.stderr.toString() } : {}),
    };
  } finally {
    grpcClients.close();
    await gateway?.stop();
    await fleet?.stop();
  }
}
