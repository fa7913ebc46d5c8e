/**
 * The host-facing part of a compiled table: the JSON section. The core never reads it; hosts
 * read it once per table to turn the core's numbers (listener, match, rule, backend indices)
 * into identities, filters and backend addresses.
 */
import type { BackendTLS } from '../resolve/types.js';

export interface TableManifest {
  format: number;
  /** `namespace/name` of every Gateway; a request may name one by index. */
  gateways: string[];
  listeners: ListenerInfo[];
  /** Lower-case request header names the table inspects, in slot order. */
  headerNames: string[];
  /** Whether any rule is a GRPCRoute rule (the host then tells the core which requests are gRPC). */
  grpc: boolean;
  matches: MatchInfo[];
  rules: RuleInfo[];
  /** Problems found while compiling (e.g. a regular expression the engine rejects: that match never matches). */
  diagnostics: string[];
}

export interface ListenerInfo {
  index: number;
  /** `namespace/name` of the Gateway. */
  gateway: string;
  /** Listener name; ListenerSet listeners are `<listenerset namespace>/<listenerset name>/<listener>`. */
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
}

export type MatchedRouteKind = 'HTTPRoute' | 'GRPCRoute';

export interface MatchInfo {
  /** `httproute/<ns>/<name>/rule/<i>/match/<j>` (grpcroute/... for GRPCRoutes). */
  id: string;
  kind: MatchedRouteKind;
  namespace: string;
  name: string;
  /** Index into `rules`. */
  rule: number;
  ruleIndex: number;
  matchIndex: number;
}

export interface RuleInfo {
  /** `httproute/<ns>/<name>/rule/<i>`. */
  id: string;
  kind: MatchedRouteKind;
  namespace: string;
  name: string;
  ruleIndex: number;
  ruleName?: string;
  /** The rule's filters in spec order: the actions a host runs for this rule. */
  filters: unknown[];
  /**
   * HTTPRoute rules only: the path match of each of the rule's matches, indexed by match index
   * (`Decision.matchIndex`), defaults applied and the value as written. ReplacePrefixMatch
   * (URLRewrite, RequestRedirect) replaces the prefix that matched.
   */
  matchPaths?: MatchPath[];
  backends: BackendInfo[];
  /** Backends of RequestMirror/ExternalAuth filters (rule-level, or of backend `backend`). */
  filterBackends: { filter: number; backend?: number; type: 'RequestMirror' | 'ExternalAuth'; target: BackendInfo }[];
  /** Set when a filter does not resolve (an unknown ExtensionRef): every request this rule takes answers 500. */
  unresolvedFilter?: string;
  timeouts?: unknown;
  retry?: unknown;
  sessionPersistence?: unknown;
}

export interface MatchPath {
  type: 'Exact' | 'PathPrefix' | 'RegularExpression';
  value: string;
}

export interface BackendInfo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  port?: number;
  weight: number;
  /** Per-backend filters (HTTPBackendRef/GRPCBackendRef `filters`). */
  filters: unknown[];
  /** Set when the reference resolves to a Service port. */
  service?: { namespace: string; name: string; port: number; appProtocol?: string };
  /** Set when it does not: requests given to this backend answer 500. */
  problem?: string;
  message?: string;
  /** TLS origination from a BackendTLSPolicy. */
  tls?: BackendTLS;
}
