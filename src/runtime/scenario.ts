/**
 * Scenarios for differential testing: a serialisable description of listeners, routes and
 * requests (what a regression file under src/runtime/regressions/ holds), its conversion to a
 * Resolution, and the comparison of two matchers on it.
 */
import type { GRPCRouteMatch, HTTPRouteMatch } from '../model/gateway-api.js';
import type { Resolution } from '../resolve/types.js';
import { ResolutionBuilder, type ListenerSpec, type RouteSpec } from './resolution-builder.js';
import type { Decision, Matcher, MatchRequest, NoRoute } from './types.js';

export const SCENARIO_GATEWAY = 'ns/gw';

export interface Scenario {
  listeners: ListenerSpec[];
  routes: ({ kind: 'HTTPRoute'; spec: RouteSpec<Partial<HTTPRouteMatch>> } | { kind: 'GRPCRoute'; spec: RouteSpec<GRPCRouteMatch> })[];
  requests: MatchRequest[];
  seed: number;
}

export function scenarioResolution(s: Scenario): Pick<Resolution, 'gateways'> {
  const b = new ResolutionBuilder().gateway(SCENARIO_GATEWAY, s.listeners);
  for (const r of s.routes) {
    if (r.kind === 'HTTPRoute') b.httpRoute(r.spec);
    else b.grpcRoute(r.spec);
  }
  return b.build();
}

/** The comparable part of a decision. */
export function summarize(d: Decision | NoRoute): string {
  if (!d.matched) return `${d.reason} listener=${d.listener?.index ?? -1}`;
  return `${d.id} listener=${d.listener.index} backend=${d.backendIndex} ${d.outcome}`;
}

export interface Disagreement {
  request: MatchRequest;
  index: number;
  expected: string;
  actual: string;
}

/** Runs every request through both matchers (same seed); the first disagreement, or null. */
export function compareOn(s: Scenario, reference: Matcher, subject: Matcher): Disagreement | null {
  reference.seed(s.seed);
  subject.seed(s.seed);
  for (let i = 0; i < s.requests.length; i++) {
    const expected = summarize(reference.match(s.requests[i]));
    const actual = summarize(subject.match(s.requests[i]));
    if (expected !== actual) return { request: s.requests[i], index: i, expected, actual };
  }
  return null;
}
