/**
 * One pass of the pipeline for the gateway: load -> validate -> resolve -> compile, plus what
 * the host derives from it (sockets, an endpoint fingerprint). A snapshot with validation
 * errors is `rejected`: a running gateway keeps its last good one.
 */
import { createHash } from 'node:crypto';
import { describeBackend } from '../src/compile/backends.js';
import { compileTable, HTTP_PROTOCOLS, type CompiledTable } from '../src/compile/compile.js';
import type { BackendInfo, TableManifest } from '../src/compile/manifest.js';
import type { Diagnostic } from '../src/diagnostics.js';
import { loadPaths, type LoadResult } from '../src/load/load.js';
import type { Gateway } from '../src/model/gateway-api.js';
import { resolveLoaded, type PipelineResult } from '../src/pipeline.js';
import type { ObjectStatus, Resolution, ResolvedBackend, ResolvedCertificate } from '../src/resolve/types.js';
import { manifestReader } from '../src/runtime/table.js';
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
  /** The upstreams the table's rules can send to, one backend each (see `tableBackends`). */
  backends: BackendInfo[];
}

/**
 * What a gateway keeps of the snapshot it serves until the next one: enough to tell what the
 * next one changed and to keep condition transition times. The objects and the resolution are
 * let go (the load cache and the validation memo keep what the next reload reuses).
 */
export interface KeptSnapshot extends Pick<Snapshot, 'table' | 'layout' | 'endpointsHash'> {
  statuses: ReadonlyMap<string, ObjectStatus>;
}

export function keepSnapshot(snapshot: Snapshot): KeptSnapshot {
  const { table, layout, endpointsHash } = snapshot;
  return { table, layout, endpointsHash, statuses: snapshot.result.resolution.statuses };
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
    table: detached(compileTable(result.resolution)),
    layout: layoutSockets(result.resolution, options),
    endpointsHash: hash.digest('hex'),
    backendCertificates,
    backends: tableBackends(result.resolution),
  };
}

/**
 * The upstreams of every rule of every route the table serves (attached to a ready HTTP or
 * HTTPS listener), rule backends and filter backends: one backend, as the table's manifest
 * describes it, per Service port and BackendTLSPolicy (what a generation's upstream pools
 * depend on; thousands of routes usually share a few). Taken from the resolution, so a new
 * generation need not decode the whole manifest for them. Backends that resolve to no Service
 * reach nothing and are left out; a rule the compiler leaves out still counts (an idle upstream
 * pool is harmless).
 */
export function tableBackends(resolution: Pick<Resolution, 'gateways'>): BackendInfo[] {
  const out: BackendInfo[] = [];
  // Service port -> the policies (or none) it was seen with.
  const seen = new Map<object, Set<unknown>>();
  const add = (b: ResolvedBackend) => {
    if ('problem' in b.target) return;
    let policies = seen.get(b.target.port);
    if (!policies) seen.set(b.target.port, (policies = new Set()));
    if (policies.has(b.tls)) return;
    policies.add(b.tls);
    out.push(describeBackend(b));
  };
  for (const g of resolution.gateways) {
    for (const l of g.listeners) {
      if (!l.ready || !HTTP_PROTOCOLS.has(l.protocol)) continue;
      for (const route of l.routes) {
        for (const rule of route.rules) {
          for (const b of rule.backends) add(b);
          for (const f of rule.filterBackends) add(f.resolved);
        }
      }
    }
  }
  return out;
}

/**
 * The table without what compiling it left behind: the compiler's table reads its manifest
 * through the compile's working state, which a kept snapshot would keep alive. This one
 * decodes it from the bytes when asked.
 */
function detached(compiled: CompiledTable): CompiledTable {
  const { table, sha256 } = compiled;
  let manifest: TableManifest | undefined;
  return {
    table,
    sha256,
    get manifest(): TableManifest {
      return (manifest ??= manifestReader(table).manifest());
    },
  };
}
