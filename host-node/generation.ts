/**
 * One table generation: the immutable snapshot a request runs on from start to end. A reload
 * builds a new generation and swaps it in; the old one is retired and lets go of its upstream
 * pools once its last request has finished.
 */
import type { CompiledTable } from '../src/compile/compile.js';
import type { BackendInfo, TableManifest } from '../src/compile/manifest.js';
import type { ValidObject } from '../src/model/objects.js';
import type { ResolvedCertificate } from '../src/resolve/types.js';
import { createRouter, type Router, type RouterOptions } from '../src/runtime/router.js';
import { manifestReader } from '../src/runtime/table.js';
import { EndpointDirectory, type UpstreamTarget } from './endpoints.js';
import type { UpstreamPools } from './upstreams.js';

export interface GenerationOptions {
  router?: RouterOptions;
  /**
   * The backends of the table's rules (route backends and filter backends), at least one per
   * Service port and BackendTLSPolicy they reach (more is harmless), e.g. `Snapshot.backends`.
   * Absent: read from the table's manifest, which costs a full decode.
   */
  backends?: Iterable<BackendInfo>;
  /** Each Gateway's (`namespace/name`) backend client certificate (`spec.tls.backend.clientCertificateRef`). */
  backendCertificates?: ReadonlyMap<string, ResolvedCertificate>;
}

export class Generation {
  private inflight = 0;
  private retired = false;
  private released = false;

  private constructor(
    readonly tableHash: string,
    readonly router: Router,
    readonly endpoints: EndpointDirectory,
    readonly pools: UpstreamPools,
    private readonly targets: readonly UpstreamTarget[],
  ) {
    pools.hold(targets);
  }

  static async create(table: CompiledTable, objects: readonly ValidObject[], pools: UpstreamPools, options: GenerationOptions = {}): Promise<Generation> {
    const router = await createRouter(table.table, options.router ?? {});
    const endpoints = new EndpointDirectory(objects, options.backendCertificates);
    // Without `backends`, every rule's backends from a manifest decoded for this alone: the
    // router's own expands rules as requests need them.
    const backends = options.backends ?? everyBackend(manifestReader(table.table).manifest());
    return new Generation(table.sha256, router, endpoints, pools, endpoints.origins(backends));
  }

  get manifest(): TableManifest {
    return this.router.manifest;
  }

  /** A request starts on this generation. */
  enter(): void {
    this.inflight++;
  }

  /** A request that entered has finished. */
  leave(): void {
    if (--this.inflight === 0 && this.retired) this.release();
  }

  /** Requests still running on this generation. */
  get active(): number {
    return this.inflight;
  }

  /** No new request will enter; pools are let go when the last one leaves. */
  retire(): void {
    this.retired = true;
    if (this.inflight === 0) this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.pools.release(this.targets);
  }
}

/** Route backends and the backends of mirror/auth filters. */
function* everyBackend(manifest: TableManifest): Iterable<BackendInfo> {
  for (const rule of manifest.rules) {
    yield* rule.backends;
    for (const f of rule.filterBackends) yield f.target;
  }
}
