/**
 * The shapes the filters exchange with a host. Re-exported by index.ts, which is the module
 * hosts import.
 */
import type { BackendInfo } from '../../compile/manifest.js';
import type { HeaderMap } from './headers.js';

/** A request head as the filters see it. `path` is the request target: path plus optional `?query`. */
export interface RequestHead {
  method: string;
  scheme: 'http' | 'https';
  /** Host header / :authority as received (may include a port). */
  authority: string;
  path: string;
  headers: HeaderMap;
}

/** An answer the gateway gives itself. Header names are lower-case. */
export interface ImmediateResponse {
  status: number;
  headers: [string, string][];
  body?: string;
}

/** One mirrored request: where it goes and the head it carries (its own copy). */
export interface MirrorPlan {
  backend: BackendInfo;
  head: RequestHead;
}

export interface RequestPlan {
  /**
   * Set when the gateway answers itself (RequestRedirect, CORS preflight, or 500 when the rule
   * cannot forward): nothing goes upstream and `mirrors` is empty.
   */
  respond?: ImmediateResponse;
  /**
   * What goes upstream otherwise: `authority`/`path` after URLRewrite, headers after
   * RequestHeaderModifier (rule-level, then the picked backend's filters). The input head is
   * never modified: when a filter changes headers, `upstream.headers` is a copy (a
   * `RecordHeaders`); when none does, it is the input's own `headers` object.
   */
  upstream: RequestHead;
  /**
   * Mirrors to send now (sampling by percent/fraction already decided with `random`), each with
   * its own copy of the head as the mirror must send it.
   */
  mirrors: MirrorPlan[];
}
