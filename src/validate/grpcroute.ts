/**
 * GRPCRoute (v1).
 */
import { z } from 'zod';
import type { GRPCRoute } from '../model/gateway-api.js';
import { grpcRouteFilters } from './filters.js';
import { kubeObject } from './object.js';
import { backendRefShape, mustHavePortForService } from './references.js';
import { grpcHeaderMatches, matchBudget, parentRefs, routeHostnames, ruleName, ruleNamesUnique, sessionPersistence, useDefaultGateways } from './routes.js';
import { list, rule, str, withRules } from './schema.js';

const GRPC_SERVICE = String.raw`^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`;
const GRPC_METHOD = String.raw`^[A-Za-z_][A-Za-z_0-9]*$`;
// JavaScript spells RE2's leading `(?i)` as a flag.
const grpcService = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
const grpcMethod = new RegExp(GRPC_METHOD);

/** Exact service and method names must be valid protobuf identifiers. */
const exactly = (m: { type: string }) => m.type === 'Exact';

const methodMatch = withRules(
  z.strictObject({
    type: z.enum(['Exact', 'RegularExpression']).default('Exact'),
    service: str({ maxLength: 1024 }).optional(),
    method: str({ maxLength: 1024 }).optional(),
  }),
  [
    rule("One or both of 'service' or 'method' must be specified", (m) => m.service !== undefined || m.method !== undefined),
    rule(`service must only contain valid characters (matching ${GRPC_SERVICE})`, (m) => !exactly(m) || m.service === undefined || grpcService.test(m.service)),
    rule(`method must only contain valid characters (matching ${GRPC_METHOD})`, (m) => !exactly(m) || m.method === undefined || grpcMethod.test(m.method)),
  ],
);

const grpcRouteMatch = z.strictObject({
  method: methodMatch.optional(),
  headers: grpcHeaderMatches.optional(),
});

const grpcBackendRef = withRules(z.strictObject({ ...backendRefShape, filters: grpcRouteFilters.optional() }), [mustHavePortForService]);

const grpcRouteRule = z.strictObject({
  name: ruleName.optional(),
  matches: list(grpcRouteMatch, { maxItems: 64 }).optional(),
  filters: grpcRouteFilters.optional(),
  backendRefs: list(grpcBackendRef, { maxItems: 16 }).optional(),
  sessionPersistence: sessionPersistence.optional(),
});

const grpcRouteSpec = z.strictObject({
  parentRefs: parentRefs.optional(),
  useDefaultGateways: useDefaultGateways.optional(),
  hostnames: routeHostnames.optional(),
  rules: withRules(list(grpcRouteRule, { maxItems: 16 }), [matchBudget, ruleNamesUnique]).optional(),
});

export const grpcRoute = kubeObject('GRPCRoute', grpcRouteSpec) satisfies z.ZodType<GRPCRoute>;
