/**
 * What a host asks and what it gets back: the contract of every route matcher (the Wasm
 * router and the reference matcher implement the same interface and pass the same cases).
 */
import type { BackendInfo, ListenerInfo, MatchedRouteKind, RuleInfo } from '../compile/manifest.js';

/**
 * Request headers: a plain object keyed by lower-case names (Node's `IncomingMessage.headers`
 * convention; repeated values as an array) or anything with a case-insensitive `get` (WHATWG
 * `Headers`).
 */
export type HeaderSource = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

export interface MatchRequest {
  method: string;
  /** The Host header / :authority as received (port, case and a trailing dot are normalised). */
  host: string;
  /** The request target: path plus optional `?query`. */
  path: string;
  headers?: HeaderSource;
  /** The listener port the request arrived on. */
  port: number;
  /** `namespace/name` of the Gateway whose address received the request; any Gateway when absent. */
  gateway?: string;
}

export type Outcome =
  /** Forward to `backend`. */
  | 'forward'
  /** The rule has no backends, or all weights are 0: answer 500. */
  | 'no-backend'
  /** The weighted pick chose a backend whose reference does not resolve: answer 500. */
  | 'unresolved-backend'
  /** The rule has a filter that does not resolve (`rule.unresolvedFilter`): answer 500. */
  | 'unresolved-filter';

export interface Decision {
  matched: true;
  /** `httproute/<ns>/<name>/rule/<i>/match/<j>`. */
  id: string;
  listener: ListenerInfo;
  route: { kind: MatchedRouteKind; namespace: string; name: string };
  ruleIndex: number;
  matchIndex: number;
  /** The rule: its filters and its full weighted backend set. */
  rule: RuleInfo;
  /** Index of the picked backend in `rule.backends`; -1 when none was picked. */
  backendIndex: number;
  backend: BackendInfo | null;
  outcome: Outcome;
}

export interface NoRoute {
  matched: false;
  /** `no-listener`: no listener on that port accepts the host (404); `no-route`: nothing matched (404); `too-long`: an input exceeds the router's buffers (414/431). */
  reason: 'no-listener' | 'no-route' | 'too-long';
  listener: ListenerInfo | null;
}

export interface Matcher {
  match(request: MatchRequest): Decision | NoRoute;
  /** Seeds the weighted-pick generator (xorshift32; 0 selects the default seed). */
  seed(value: number): void;
}
