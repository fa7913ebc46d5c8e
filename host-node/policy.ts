/**
 * Per-rule request policy read from the compiled table's rule info: HTTPRoute `timeouts` and
 * `retry`. Computed once per rule object (a table's rules never change) and cached.
 */
import type { RuleInfo } from '../src/compile/manifest.js';
import type { HTTPRouteRetry, HTTPRouteTimeouts } from '../src/model/gateway-api.js';
import { parseDuration } from './duration.js';

export interface RulePolicy {
  /** Whole request, retries included; 0 = none. */
  requestTimeoutMs: number;
  /** Each upstream attempt, until its response is complete; 0 = none. */
  backendTimeoutMs: number;
  /** Retries after the first attempt (HTTPRoute `retry.attempts`); 0 = no route retry. */
  retries: number;
  /** Response codes that are retried; connection failures always are while retries remain. */
  retryCodes: ReadonlySet<number>;
  backoffMs: number;
}

/** Used when a rule asks for retries without saying how many or how long to wait. */
export const DEFAULT_RETRY_ATTEMPTS = 1;
export const DEFAULT_RETRY_BACKOFF_MS = 25;

const NO_CODES: ReadonlySet<number> = new Set();
export const DEFAULT_POLICY: RulePolicy = { requestTimeoutMs: 0, backendTimeoutMs: 0, retries: 0, retryCodes: NO_CODES, backoffMs: 0 };

const cache = new WeakMap<RuleInfo, RulePolicy>();

export function rulePolicy(rule: RuleInfo): RulePolicy {
  let policy = cache.get(rule);
  if (policy === undefined) {
    policy = readPolicy(rule);
    cache.set(rule, policy);
  }
  return policy;
}

function readPolicy(rule: RuleInfo): RulePolicy {
  const timeouts = rule.timeouts as HTTPRouteTimeouts | undefined;
  const retry = rule.retry as HTTPRouteRetry | undefined;
  if (!timeouts && !retry) return DEFAULT_POLICY;
  return {
    requestTimeoutMs: durationOrZero(timeouts?.request),
    backendTimeoutMs: durationOrZero(timeouts?.backendRequest),
    retries: retry ? (retry.attempts ?? DEFAULT_RETRY_ATTEMPTS) : 0,
    retryCodes: retry?.codes ? new Set(retry.codes) : NO_CODES,
    backoffMs: retry?.backoff !== undefined ? durationOrZero(retry.backoff) : retry ? DEFAULT_RETRY_BACKOFF_MS : 0,
  };
}

/** Validation admits only well-formed durations; anything else means "no limit". */
function durationOrZero(text: string | undefined): number {
  return text === undefined ? 0 : (parseDuration(text) ?? 0);
}
