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
import { headerValue, isGrpcRequest } from './request.js';
import { readManifest, readTableHeader, TableFormatError } from './table.js';
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

/** build/switchyard.wasm at the package root, from src/runtime (source) or dist/src/runtime (built). */
const WASM_URL = new URL(`${import.meta.url.includes('/dist/src/') ? '../../../' : '../../'}build/switchyard.wasm`, import.meta.url);
let defaultModule: Promise<WebAssembly.Module> | undefined;

/** Compiles build/switchyard.wasm once per process (file: URLs read from disk, others fetched). */
export function loadCoreModule(): Promise<WebAssembly.Module> {
  defaultModule ??= (async () => {
    let bytes: ArrayBuffer;
    if (WASM_URL.protocol === 'file:') {
      const { readFile } = await import('node:fs/promises');
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
  const manifest = readManifest(table, header);
  const module = options.module ?? (await loadCoreModule());
  const instance = await WebAssembly.instantiate(module, {});
  return new WasmRouter(instance.exports as unknown as CoreExports, table, manifest, header.headerSlots, options.seed);
}

interface MatchStatic {
  id: string;
  route: Decision['route'];
  ruleIndex: number;
  matchIndex: number;
  rule: Decision['rule'];
}

const encoder = new TextEncoder();
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

class WasmRouter implements Router {
  private readonly words: Int32Array;
  private readonly methodView: Uint8Array;
  private readonly hostView: Uint8Array;
  private readonly pathView: Uint8Array;
  private readonly slotViews: Uint8Array[];
  private readonly gatewayIndex: Map<string, number>;
  private readonly statics: MatchStatic[];

  constructor(
    private readonly core: CoreExports,
    table: Uint8Array,
    readonly manifest: TableManifest,
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
    this.words = new Int32Array(buffer, input, F.IN_SLOT_LENS + slots);
    this.methodView = new Uint8Array(buffer, input + methodOff, METHOD_CAPACITY);
    this.hostView = new Uint8Array(buffer, input + hostOff, HOST_CAPACITY);
    this.pathView = new Uint8Array(buffer, input + pathOff, PATH_CAPACITY);
    this.slotViews = manifest.headerNames.map((_, i) => new Uint8Array(buffer, input + slotsOff + i * HEADER_VALUE_CAPACITY, HEADER_VALUE_CAPACITY));
    this.words[F.IN_METHOD_OFF] = methodOff;
    this.words[F.IN_HOST_OFF] = hostOff;
    this.words[F.IN_PATH_OFF] = pathOff;
    this.words[F.IN_SLOTS_OFF] = slotsOff;
    this.words[F.IN_SLOT_CAP] = HEADER_VALUE_CAPACITY;
    this.gatewayIndex = new Map(manifest.gateways.map((g, i) => [g, i]));
    this.statics = manifest.matches.map((m) => ({
      id: m.id,
      route: { kind: m.kind, namespace: m.namespace, name: m.name },
      ruleIndex: m.ruleIndex,
      matchIndex: m.matchIndex,
      rule: manifest.rules[m.rule],
    }));
    if (seed !== undefined) core.seed(seed >>> 0);
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
    const methodLen = writeAscii(method, this.methodView);
    if (methodLen < 0) {
      const r = encoder.encodeInto(method, this.methodView);
      if (r.read < method.length) return { matched: false, reason: 'too-long', listener: null };
      words[F.IN_METHOD_LEN] = r.written;
    } else {
      words[F.IN_METHOD_LEN] = methodLen;
    }
    const hostLen = writeHost(request.host, this.hostView);
    if (hostLen < 0) {
      const host = normalizeHost(request.host);
      const r = encoder.encodeInto(host, this.hostView);
      if (r.read < host.length) return { matched: false, reason: 'too-long', listener: null };
      words[F.IN_HOST_LEN] = r.written;
    } else {
      words[F.IN_HOST_LEN] = hostLen;
    }
    let r: { read: number; written: number };
    const path = request.path;
    r = encoder.encodeInto(path, this.pathView);
    if (r.read < path.length) return { matched: false, reason: 'too-long', listener: null };
    words[F.IN_PATH_LEN] = r.written;
    const names = this.manifest.headerNames;
    for (let i = 0; i < names.length; i++) {
      const v = headerValue(request.headers, names[i]);
      if (v === undefined) {
        words[F.IN_SLOT_LENS + i] = -1;
        continue;
      }
      r = encoder.encodeInto(v, this.slotViews[i]);
      if (r.read < v.length) return { matched: false, reason: 'too-long', listener: null };
      words[F.IN_SLOT_LENS + i] = r.written;
    }
    words[F.IN_PORT] = request.port;
    words[F.IN_GATEWAY] = gateway;
    words[F.IN_FLAGS] = this.manifest.grpc && isGrpcRequest(request.headers) ? F.IN_FLAG_GRPC : 0;

    const m = this.core.match();
    const l = words[F.IN_OUT_LISTENER];
    const listener: ListenerInfo | null = l >= 0 ? this.manifest.listeners[l] : null;
    if (m < 0) return { matched: false, reason: m === F.NO_LISTENER ? 'no-listener' : 'no-route', listener };
    const s = this.statics[m];
    const b = words[F.IN_OUT_BACKEND];
    const status = words[F.IN_OUT_STATUS];
    return {
      matched: true,
      id: s.id,
      listener: listener!,
      route: s.route,
      ruleIndex: s.ruleIndex,
      matchIndex: s.matchIndex,
      rule: s.rule,
      backendIndex: b,
      backend: b >= 0 ? s.rule.backends[b] : null,
      outcome:
        s.rule.unresolvedFilter !== undefined
          ? 'unresolved-filter'
          : status === F.STATUS_OK
            ? 'forward'
            : status === F.STATUS_NO_BACKEND
              ? 'no-backend'
              : 'unresolved-backend',
    };
  }
}
