/**
 * The Gateway API v1.6.1 conformance suite's TCP, TLS and UDP probes (`tcp[]`, `udp[]`, the
 * TCP/UDP weighted-distribution checks, and the HTTPS requests of TLSRoute tests, which pass
 * through a TLS listener to TLS backends) sent to a real `switchyard serve` with the TCP/TLS
 * echo, UDP echo and DNS backends the manifests' Deployments describe. Closes with
 * `l4: N passed, N failed`.
 */
import { defineProbeSuite } from './support/l4-suite.js';

const L4_FEATURES = new Set(['TLSRoute', 'TCPRoute', 'UDPRoute']);

defineProbeSuite({
  title: 'conformance TCP, TLS and UDP probes against switchyard serve',
  label: 'l4',
  select: (t) => (t.grpc?.length ?? 0) === 0 && t.features.some((f) => L4_FEATURES.has(f)),
  knownGaps: {},
  concurrency: 3,
  timeoutMs: 120_000,
});
