/**
 * What the gateway tells its operators about each request and each reload: callbacks
 * registered on the NodeGateway (metrics, access logs). Nothing is computed for them when
 * none is registered.
 */
import type { Diagnostic } from '../src/diagnostics.js';

export interface RequestEndInfo {
  /** `httproute/<ns>/<name>/rule/<i>/match/<j>`; null when no route matched. */
  routeId: string | null;
  /** `namespace/name:port` of the backend Service; null when none was picked. */
  backend: string | null;
  /** Status sent to the client; 0 when the connection ended before a response started. */
  status: number;
  durationMs: number;
  /** Request body bytes as declared by Content-Length (0 when absent or chunked). */
  bytesIn: number;
  /** Response body bytes written to the client. */
  bytesOut: number;
  method: string;
  host: string;
  path: string;
  /** The client's address (IPv4-mapped IPv6 addresses unwrapped). */
  client?: string;
  /** Why the upstream exchange failed, when it did: `connect`, `timeout`, `reset`, `tls`, `protocol` or `other`. */
  upstreamError?: string;
}

export interface ReloadInfo {
  /** Whether a new table or new listeners took effect. */
  changed: boolean;
  tableHash: string;
  /** Set when the manifests were rejected and the previous table kept serving. */
  rejected: boolean;
  diagnostics: readonly Diagnostic[];
}

export type RequestEndListener = (info: RequestEndInfo) => void;
export type ReloadListener = (info: ReloadInfo) => void;

export class Observers {
  readonly requestEnd: RequestEndListener[] = [];
  readonly reload: ReloadListener[] = [];

  emitRequestEnd(info: RequestEndInfo): void {
    for (const fn of this.requestEnd) fn(info);
  }

  emitReload(info: ReloadInfo): void {
    for (const fn of this.reload) fn(info);
  }
}
