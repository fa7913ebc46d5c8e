/**
 * The route table of an isolate: the one compiled into the bundle at build time, optionally
 * replaced at run time by a table stored in Workers KV.
 *
 * KV layout (written by `putTable`, or `wrangler kv key put --metadata`):
 *   <key>           the table bytes, with metadata `{ "sha256": "<hex of the bytes>" }`
 *   <key>.backends  optional JSON `{ "table": "<sha256>", "backends": BackendMap }`: origins for
 *                   that table (used only while that table is the one loaded)
 *
 * A KV table is used only when its bytes hash to the sha256 its metadata names and the core
 * accepts it; otherwise the isolate keeps what it has (the bundled table, or the last good KV
 * table) and logs why. KV is read again at most every `refreshSeconds`, by the request that
 * finds it due; requests arriving during that read keep the current table. A new table means a
 * new router (a fresh core instance); requests in flight keep the one they started with.
 *
 * No request ever awaits a KV read another request started: the Workers runtime ties I/O to the
 * request that began it, and a request awaiting another's I/O hangs when that request ends or is
 * canceled first (the runtime then answers 500 "the Worker's code had hung"). So each read
 * belongs to one request, and a read that finishes after a later one has been applied is
 * dropped (an older table never replaces a newer one).
 */
import { createRouter, type Router } from '../src/runtime/router.js';
import { OriginDirectory, type BackendMap } from './backend-map.js';
import type { KVNamespaceLike, WorkerEnv } from './platform.js';

export interface KvTableOptions {
  /** Name of the KV namespace binding; default `SWITCHYARD_TABLE`. */
  binding?: string;
  /** Key of the table; default `table`. */
  key?: string;
  /** Seconds between KV reads; default 60. 0 reads on every request. */
  refreshSeconds?: number;
}

export const DEFAULT_KV_BINDING = 'SWITCHYARD_TABLE';
export const DEFAULT_KV_KEY = 'table';
export const DEFAULT_REFRESH_SECONDS = 60;

/** One loaded table: its router and where its backends live. */
export interface TableState {
  sha256: string;
  router: Router;
  origins: OriginDirectory;
  /** `bundle` or `kv`. */
  source: 'bundle' | 'kv';
}

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function asBytes(table: Uint8Array | ArrayBuffer): Uint8Array {
  return table instanceof Uint8Array ? table : new Uint8Array(table);
}

export interface TableSourceOptions {
  table?: Uint8Array | ArrayBuffer;
  wasm: WebAssembly.Module;
  backends: BackendMap;
  kv?: KvTableOptions | false;
  /** Where problems with a KV table are reported; default console.error. */
  log?: (message: string) => void;
}

/** Resolves the table to route a request with; created once per worker (per isolate). */
export class TableSource {
  private current: TableState | undefined;
  private bundled: Promise<TableState | undefined> | undefined;
  private checkedAt = -Infinity;
  /** KV reads started so far, and the number of the last one applied. */
  private readsStarted = 0;
  private readApplied = 0;
  private readonly kv: Required<KvTableOptions> | undefined;
  private readonly log: (message: string) => void;

  constructor(private readonly options: TableSourceOptions) {
    this.kv =
      options.kv === false
        ? undefined
        : {
            binding: options.kv?.binding ?? DEFAULT_KV_BINDING,
            key: options.kv?.key ?? DEFAULT_KV_KEY,
            refreshSeconds: options.kv?.refreshSeconds ?? DEFAULT_REFRESH_SECONDS,
          };
    this.log = options.log ?? ((m) => console.error(m));
  }

  /** The table for a request arriving now (undefined: no table at all). */
  async get(env: WorkerEnv | undefined): Promise<TableState | undefined> {
    this.current ??= await this.loadBundled();
    const namespace = this.kv ? (env?.[this.kv.binding] as KVNamespaceLike | undefined) : undefined;
    // Without a table, a request reads KV itself rather than answer 404 while another reads.
    if (namespace && (this.current === undefined || Date.now() - this.checkedAt >= this.kv!.refreshSeconds * 1000)) {
      this.checkedAt = Date.now();
      await this.refresh(namespace, ++this.readsStarted);
    }
    return this.current;
  }

  private loadBundled(): Promise<TableState | undefined> {
    this.bundled ??= (async () => {
      const table = this.options.table;
      if (table === undefined) return undefined;
      const bytes = asBytes(table);
      return {
        sha256: await sha256Hex(bytes),
        router: await createRouter(bytes, { module: this.options.wasm }),
        origins: new OriginDirectory(this.options.backends),
        source: 'bundle' as const,
      };
    })();
    return this.bundled;
  }

  /** KV read number `read`: applies the table it finds unless a later read was applied first. */
  private async refresh(namespace: KVNamespaceLike, read: number): Promise<void> {
    const { key } = this.kv!;
    try {
      const { value, metadata } = await namespace.getWithMetadata(key, 'arrayBuffer');
      this.checkedAt = Date.now();
      if (value === null || read < this.readApplied) return;
      const claimed = (metadata as { sha256?: unknown } | null)?.sha256;
      if (typeof claimed !== 'string') return this.log(`switchyard: KV table ${key} has no sha256 metadata; keeping table ${this.current?.sha256 ?? '(none)'}`);
      if (claimed === this.current?.sha256) {
        this.readApplied = read;
        return;
      }
      const actual = await sha256Hex(value);
      if (actual !== claimed) return this.log(`switchyard: KV table ${key} hashes to ${actual}, not ${claimed}; keeping table ${this.current?.sha256 ?? '(none)'}`);
      const stored = (await namespace.get(`${key}.backends`, 'json')) as { table?: unknown; backends?: BackendMap } | null;
      const backends = stored && stored.table === actual && stored.backends ? stored.backends : this.options.backends;
      const router = await createRouter(new Uint8Array(value), { module: this.options.wasm });
      if (read < this.readApplied) return;
      this.readApplied = read;
      this.current = { sha256: actual, router, origins: new OriginDirectory(backends), source: 'kv' };
    } catch (err) {
      this.checkedAt = Date.now();
      this.log(`switchyard: could not load the KV table ${key}: ${(err as Error).message}; keeping table ${this.current?.sha256 ?? '(none)'}`);
    }
  }
}

/**
 * Stores a table (and optionally its backend map) in KV the way `TableSource` reads it. The
 * backends are written first, so a worker never loads the table without them.
 */
export async function putTable(namespace: KVNamespaceLike, table: Uint8Array, options: { key?: string; backends?: BackendMap } = {}): Promise<string> {
  const key = options.key ?? DEFAULT_KV_KEY;
  const sha256 = await sha256Hex(table);
  if (options.backends) await namespace.put(`${key}.backends`, JSON.stringify({ table: sha256, backends: options.backends }));
  await namespace.put(key, table, { metadata: { sha256 } });
  return sha256;
}
