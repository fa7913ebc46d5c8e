/**
 * The Gateway API v1.6.1 conformance suite's gRPC calls (`grpc[]` of the GRPCRoute tests, and
 * GRPCRouteWeight's distribution check) sent through a real `switchyard serve` over h2c to the
 * gRPC echo backends its Deployments describe. Closes with `grpc: N passed, N failed`.
 */
import { defineProbeSuite } from './support/l4-suite.js';

defineProbeSuite({
  title: 'conformance gRPC calls against switchyard serve',
  label: 'grpc',
  select: (t) => (t.grpc?.length ?? 0) > 0,
  knownGaps: {},
  concurrency: 2,
  timeoutMs: 120_000,
});
