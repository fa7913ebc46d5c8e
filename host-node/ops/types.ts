/**
 * What the gateway tells the operations layer about each request (the shape of the gateway's
 * `onRequestEnd` report, `../observe.ts`), and the label values a table allows.
 */

/** One finished request (answered, redirected, rejected or aborted). */
export interface RequestEndInfo {
  /** The match or rule id (`httproute/<ns>/<name>/rule/<i>[/match/<j>]`); null when nothing matched. */
  routeId: string | null;
  /** `namespace/name:port` of the backend Service; null when none was picked. */
  backend: string | null;
  /** Status sent to the client; 0 when the exchange ended before a status was sent. */
  status: number;
  durationMs: number;
  /** Request body bytes from the client. */
  bytesIn: number;
  /** Response body bytes written to the client. */
  bytesOut: number;
  method: string;
  host: string;
  path: string;
  /** The client's address (`ip` or `ip:port`). */
  client?: string;
  /** Set when the upstream exchange failed: `connect`, `timeout`, `reset`, `tls`, `protocol` or `other`. */
  upstreamError?: string;
}

/** The label values a table allows: anything else is reported as `none`. */
export interface TableLabels {
  hash: string;
  routeIds: Iterable<string>;
  backends: Iterable<string>;
}
