/**
 * One pass of the pipeline for the gateway: load -> validate -> resolve -> compile, plus what
 * the host derives from it (sockets, an endpoint fingerprint). A snapshot with validation
 * errors is `rejected`: a running gateway keeps its last good one.
 */
import { createHash } from 'node:crypto';
import { compileTable, type CompiledTable } from '../src/compile/compile.js';
import type { Diagnostic } from '../src/diagnostics.js';
import { loadPaths, type LoadResult } from '../src/load/load.js';
import type { Gateway } from '../src/model/gateway-api.js';
import { resolveLoaded, type PipelineResult } from '../src/pipeline.js';
import type { ObjectStatus, ResolvedCertificate } from '../src/resolve/types.js';
import type { ValidationMemo } from '../src/validate/index.js';
import { gatewayKey, layoutSockets, type LayoutOptions, type SocketLayout } from './listeners.js';

export interface SnapshotOptions extends LayoutOptions {
  paths: readonly string[];
  /** Loads the objects instead of reading `paths`. */
  load?: () => Promise<LoadResult>;
  /** Whether validation errors reject the snapshot (default) or only leave the invalid objects out. */
  rejectInvalid?: boolean;
  controllerName: string;
  /** Ports of the listeners serving Ingresses (src/ingress). */
  ingress?: { httpPort?: number; httpsPort?: number };
  /** The address for a Gateway that requests none (pool or bind address). */
  addressFor: (gateway: Gateway) => string;
  previous?: ReadonlyMap<string, ObjectStatus>;
  /** Validation results kept across snapshots (objects the load hands out unchanged are not validated again). */
  validation?: ValidationMemo;
}

export interface Snapshot {
  result: PipelineResult;
  /** Loader and validation errors (resolver findings are status, not errors). */
  rejected: boolean;
  table: CompiledTable;
  layout: SocketLayout;
  /**
   * Digest of what upstream connections depend on beyond the table: every Service and
   * EndpointSlice, and the Gateways' backend client certificates.
   */
  endpointsHash: string;
  /** Each Gateway's (`namespace/name`) resolved `spec.tls.backend.clientCertificateRef`. */
  backendCertificates: ReadonlyMap<string, ResolvedCertificate>;
}

export async function takeSnapshot(options: SnapshotOptions): Promise<Snapshot> {
  const loaded = options.load ? await options.load() : await loadPaths(options.paths);
  const result = resolveLoaded(loaded, {
    controllerName: options.controllerName,
    ...(options.ingress ? { ingress: options.ingress } : {}),
    addressFor: (gw) => ({ type: 'IPAddress', value: options.addressFor(gw) }),
    ...(options.previous ? { previous: options.previous } : {}),
  }, options.validation);
  const findings = new Set<Diagnostic>(result.resolution.diagnostics);
  const rejected = (options.rejectInvalid ?? true) && result.diagnostics.some((d) => d.severity === 'error' && !findings.has(d));
  const hash = createHash('sha256');
  for (const { object } of result.objects) {
    if (object.kind === 'Service' || object.kind === 'EndpointSlice') hash.update(JSON.stringify(object));
  }
  const backendCertificates = new Map<string, ResolvedCertificate>();
  for (const g of result.resolution.gateways) {
    if (!g.backendClientCertificate) continue;
    const key = gatewayKey(g);
    backendCertificates.set(key, g.backendClientCertificate);
    hash.update(JSON.stringify(['backend-client-certificate', key, g.backendClientCertificate.certPem, g.backendClientCertificate.keyPem]));
  }
  return {
    result,
    rejected,
    table: compileTable(result.resolution),
    layout: layoutSockets(result.resolution, options),
    endpointsHash: hash.digest('hex'),
    backendCertificates,
  };
}
