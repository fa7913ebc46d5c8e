/**
 * The Wasm router: one core instance per table. `createRouter` copies the table into a fresh
 * instance once; `match` writes the request into the instance's input region with
 * `TextEncoder.encodeInto` through views cached at creation (the core never grows memory after
 * `init`), makes one call, and reads numbers back. A new table means a new Router: matches in
 * flight keep using the instance they started on.
 */
import * as F from '../compile/format.js';
import { normalizeHost } from '../compile/hostnames.js';
import type { ListenerInfo, TableManifest } from '../compile/manifest.js';
import type { ManifestReader } from '../compile/wire.js';
import { headerValue, isGrpcRequest } from './request.js';
import { manifestReader, readTableHeader, TableFormatError } from './table.js';
import type { Decision, Matcher, MatchRequest, NoRoute } from './types.js';

/** Input-region capacities in bytes. */
export const METHOD_CAPACITY = 64;
export const HOST_CAPACITY = 1024;
export const PATH_CAPACITY = 256 * 1024;
export const HEADER_VALUE_CAPACITY = 16 * 1024;

interface CoreExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  init(table: number, len: number, input: number): number;
  seed(value: number): void;
  match(): number;
}

export interface RouterOptions {
  /** A compiled core module (e.g. the `.wasm` a Workers bundle imports); default: build/switchyard.wasm. */
  module?: WebAssembly.Module;
  /** Initial generator seed. */
  seed?: number;
}

export interface Router extends Matcher {
  readonly manifest: TableManifest;
}

/**
 * build/switchyard.wasm at the package root, from src/runtime (source) or dist/src/runtime
 * (built). Resolved on first use: a Workers bundle has no `import.meta.url` and never needs it
 * (it passes the module it imports).
 */
function wasmUrl(): URL {
  return new URL(`${import.meta.url.includes('/dist/src/') ? '../../../' : '../../'}build/switchyard.wasm`, import.meta.url);
}
/** Not a literal, so worker bundlers leave Node's fs out (workerd resolves dynamic imports only when they run). */
const NODE_FS = 'node:fs/promises';
let defaultModule: Promise<WebAssembly.Module> | undefined;

/** Compiles build/switchyard.wasm once per process (file: URLs read from disk, others fetched). */
export function loadCoreModule(): Promise<WebAssembly.Module> {
  defaultModule ??= (async () => {
    let bytes: ArrayBuffer;
    const WASM_URL = wasmUrl();
    if (WASM_URL.protocol === 'file:') {
      const { readFile } = (await import(NODE_FS)) as typeof import('node:fs/promises');
      const data = await readFile(WASM_URL);
      bytes = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    } else {
      bytes = await (await fetch(WASM_URL)).arrayBuffer();
    }
    return WebAssembly.compile(bytes);
  })();
  return defaultModule;
}

const LOAD_ERRORS: Record<number, string> = {
  [F.LOAD_BAD_MAGIC]: 'the core refused the table: bad magic',
  [F.LOAD_BAD_VERSION]: 'the core refused the table: unsupported format version',
  [F.LOAD_BAD_LENGTH]: 'the core refused the table: length mismatch',
};

export async function createRouter(table: Uint8Array, options: RouterOptions = {}): Promise<Router> {
  const header = readTableHeader(table);
  const module = options.module ?? (await loadCoreModule());
  const instance = await WebAssembly.instantiate(module, {});
  return new WasmRouter(instance.exports as unknown as CoreExports, table, header.headerSlots, options.seed);
}

/** Per match index: the Decisions made so far, by (listener, backend, status). */
type DecisionCache = (Decision | undefined)[];

const encoder = new TextEncoder();
/** Header values up to this many UTF-16 units are copied with a loop when ASCII. */
const SHORT_VALUE = 32;
const align = (n: number): number => (n + 7) & ~7;

/** Short ASCII strings are cheaper to copy with a loop than with encodeInto; -1 = not ASCII or too long. */
function writeAscii(s: string, view: Uint8Array): number {
  const n = s.length;
  if (n > view.length) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    view[i] = c;
  }
  return n;
}

/**
 * normalizeHost fused with the copy for ASCII hosts without brackets: stops at `:`, folds
 * A-Z, drops one trailing dot. -1 = take the general path (normalizeHost + encodeInto).
 */
function writeHost(s: string, view: Uint8Array): number {
  const n = s.length;
  if (n > view.length || s.charCodeAt(0) === 0x5b) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x3a) break;
    if (c > 0x7f) return -1;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    view[len++] = c;
  }
  if (len > 0 && view[len - 1] === 0x2e) len--;
  return len;
}

/**
 * Decisions are immutable and shared: a decision is a function of (match, listener, picked
 * backend, status), so each one is built on first use and returned frozen afterwards; a match
 * allocates nothing on the host side but its request object.
 */
class WasmRouter implements Router {
  private readonly words: Int32Array;
  private readonly methodView: Uint8Array;
  private readonly hostView: Uint8Array;
  private readonly pathView: Uint8Array;
  private readonly slotViews: Uint8Array[];
  private readonly headerNames: readonly string[];
  private readonly grpc: boolean;
  private readonly listeners: readonly ListenerInfo[];
  private readonly gatewayIndex: Map<string, number>;
  private readonly reader: ManifestReader;
  private readonly decisions: (DecisionCache | undefined)[];
  /**
   * The method, host and header values last written to the input region: a request repeating
   * them (equal strings) skips their copy.
   */
  private lastMethod: string | undefined;
  private lastHost: string | undefined;
  /** Header values last written per slot; null = unknown (slot must be rewritten). */
  private readonly lastSlots: (string | undefined | null)[];

  constructor(
    private readonly core: CoreExports,
    table: Uint8Array,
    slots: number,
    seed: number | undefined,
  ) {
    const methodOff = align((F.IN_SLOT_LENS + slots) * 4);
    const hostOff = methodOff + METHOD_CAPACITY;
    const pathOff = hostOff + HOST_CAPACITY;
    const slotsOff = pathOff + PATH_CAPACITY;
    const inputSize = slotsOff + slots * HEADER_VALUE_CAPACITY;
    const tablePtr = core.alloc(table.length);
    const input = core.alloc(inputSize);
    new Uint8Array(core.memory.buffer, tablePtr, table.length).set(table);
    const status = core.init(tablePtr, table.length, input);
    if (status !== F.LOAD_OK) throw new TableFormatError(LOAD_ERRORS[status] ?? `the core refused the table (code ${status})`);
    // `init` is the last allocation: the views below stay valid for the instance's lifetime.
    const buffer = core.memory.buffer;
    // The manifest reads match path strings from the core's copy of the table.
    this.reader = manifestReader(new Uint8Array(buffer, tablePtr, table.length));
    const wire = this.reader.wire;
    this.headerNames = wire.headerNames;
    this.grpc = wire.grpc;
    this.listeners = wire.listeners;
    this.words = new Int32Array(buffer, input, F.IN_SLOT_LENS + slots);
    this.methodView = new Uint8Array(buffer, input + methodOff, METHOD_CAPACITY);
    this.hostView = new Uint8Array(buffer, input + hostOff, HOST_CAPACITY);
    this.pathView = new Uint8Array(buffer, input + pathOff, PATH_CAPACITY);
    this.slotViews = wire.headerNames.map((_, i) => new Uint8Array(buffer, input + slotsOff + i * HEADER_VALUE_CAPACITY, HEADER_VALUE_CAPACITY));
    this.words[F.IN_METHOD_OFF] = methodOff;
    this.words[F.IN_HOST_OFF] = hostOff;
    this.words[F.IN_PATH_OFF] = pathOff;
    this.words[F.IN_SLOTS_OFF] = slotsOff;
    this.words[F.IN_SLOT_CAP] = HEADER_VALUE_CAPACITY;
    this.gatewayIndex = new Map(wire.gateways.map((g, i) => [g, i]));
    this.lastSlots = wire.headerNames.map(() => null);
    this.decisions = new Array<DecisionCache | undefined>(this.reader.matchCount);
    if (seed !== undefined) core.seed(seed >>> 0);
  }

  /** The full manifest, expanded on first access. */
  get manifest(): TableManifest {
    return this.reader.manifest();
  }

  seed(value: number): void {
    this.core.seed(value >>> 0);
  }

  match(request: MatchRequest): Decision | NoRoute {
    const words = this.words;
    let gateway = -1;
    if (request.gateway !== undefined) {
      const g = this.gatewayIndex.get(request.gateway);
      if (g === undefined) return { matched: false, reason: 'no-listener', listener: null };
      gateway = g;
    }
    const method = request.method;
    if (method !== this.lastMethod) {
      const methodLen = writeAscii(method, this.methodView);
      if (methodLen < 0) {
        const r = encoder.encodeInto(method, this.methodView);
        if (r.read < method.length) return this.tooLong();
        words[F.IN_METHOD_LEN] = r.written;
      } else {
        words[F.IN_METHOD_LEN] = methodLen;
      }
      this.lastMethod = method;
    }
    const rawHost = request.host;
    if (rawHost !== this.lastHost) {
      const hostLen = writeHost(rawHost, this.hostView);
      if (hostLen < 0) {
        const host = normalizeHost(rawHost);
        const r = encoder.encodeInto(host, this.hostView);
        if (r.read < host.length) return this.tooLong();
        words[F.IN_HOST_LEN] = r.written;
      } else {
        words[F.IN_HOST_LEN] = hostLen;
      }
      this.lastHost = rawHost;
    }
    let r: { read: number; written: number };
    const path = request.path;
    r = encoder.encodeInto(path, this.pathView);
    if (r.read < path.length) return this.tooLong();
    words[F.IN_PATH_LEN] = r.written;
    const names = this.headerNames;
    if (names.length !== 0) {
      const headers = request.headers;
      const last = this.lastSlots;
      for (let i = 0; i < names.length; i++) {
        const v = headerValue(headers, names[i]);
        if (v === last[i]) continue; // same value (or still absent) as the previous request
        if (v === undefined) {
          words[F.IN_SLOT_LENS + i] = -1;
        } else {
          // Short ASCII values (the usual header) are cheaper to copy with a loop.
          let n = v.length <= SHORT_VALUE ? writeAscii(v, this.slotViews[i]) : -1;
          if (n < 0) {
            r = encoder.encodeInto(v, this.slotViews[i]);
            if (r.read < v.length) return this.tooLong();
            n = r.written;
          }
          words[F.IN_SLOT_LENS + i] = n;
        }
        last[i] = v;
      }
    }
    words[F.IN_PORT] = request.port;
    words[F.IN_GATEWAY] = gateway;
    words[F.IN_FLAGS] = this.grpc && isGrpcRequest(request.headers) ? F.IN_FLAG_GRPC : 0;

    const m = this.core.match();
    const l = words[F.IN_OUT_LISTENER];
    if (m < 0) return { matched: false, reason: m === F.NO_LISTENER ? 'no-listener' : 'no-route', listener: l >= 0 ? this.listeners[l] : null };
    const b = words[F.IN_OUT_BACKEND];
    const status = words[F.IN_OUT_STATUS];
    const cache = (this.decisions[m] ??= []);
    // Backend -1..n-1 and status 0..2: (b + 1) * 3 + status is unique per listener.
    const key = ((b + 1) * 3 + status) * this.listeners.length + l;
    return cache[key] ?? (cache[key] = this.decide(m, l, b, status));
  }

  private decide(m: number, l: number, b: number, status: number): Decision {
    const info = this.reader.match(m);
    const rule = this.reader.rule(info.rule);
    return Object.freeze({
      matched: true,
      id: info.id,
      listener: this.listeners[l],
      route: Object.freeze({ kind: info.kind, namespace: info.namespace, name: info.name }),
      ruleIndex: info.ruleIndex,
      matchIndex: info.matchIndex,
      rule,
      backendIndex: b,
      backend: b >= 0 ? rule.backends[b] : null,
      outcome:
        rule.unresolvedFilter !== undefined
          ? 'unresolved-filter'
          : status === F.STATUS_OK
            ? 'forward'
            : status === F.STATUS_NO_BACKEND
              ? 'no-backend'
              : 'unresolved-backend',
    });
  }

  private tooLong(): NoRoute {
    // The input region may now hold a partial method or host: make the next request rewrite both.
    this.lastMethod = undefined;
    this.lastHost = undefined;
    this.lastSlots.fill(null);
    return { matched: false, reason: 'too-long', listener: null };
  }
}
