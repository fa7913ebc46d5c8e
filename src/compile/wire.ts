/**
 * The manifest as stored in the table (format version 2), in a compact form hosts expand on
 * demand (`ManifestReader`):
 *  - a small head JSON (gateways, listeners, header names, gRPC flag, diagnostics, namespaces),
 *    parsed when a router loads;
 *  - one JSON text per rule, located through the rule text index (header word 15) and parsed
 *    the first time a decision or the full manifest needs that rule;
 *  - match identity (rule, match index) read from the binary match records.
 * What the compact form leaves out is derived on expansion: rule and match ids
 * (`httproute/<ns>/<name>/rule/<i>[/match/<j>]`), empty `filters`/`filterBackends`, and the
 * BackendInfo of a plain resolved Service reference in the rule's namespace (group "", kind
 * Service, no filters, no TLS, no appProtocol, resolving to the same name and port), stored as
 * `[name, port, weight]`. `matchPaths` values are references (offset, length) to UTF-8 strings
 * the table already holds (the compiler writes each distinct string once).
 */
import * as F from './format.js';
import type { BackendInfo, ListenerInfo, MatchedRouteKind, MatchInfo, MatchPath, RuleInfo, TableManifest } from './manifest.js';
import type { TableWriter } from './writer.js';

const KINDS: readonly MatchedRouteKind[] = ['HTTPRoute', 'GRPCRoute'];
const PATH_TYPES: readonly MatchPath['type'][] = ['Exact', 'PathPrefix', 'RegularExpression'];

type WireBackend = [name: string, port: number, weight: number] | BackendInfo;

/** Rule fields beyond identity, backends and match paths; present only when set or non-empty. */
type WireRuleExtra = Partial<Pick<RuleInfo, 'ruleName' | 'filters' | 'filterBackends' | 'unresolvedFilter' | 'timeouts' | 'retry' | 'sessionPersistence'>>;

/**
 * One rule's text: [kind (0 HTTPRoute, 1 GRPCRoute), namespace index, route name, rule index,
 * backends, matchPaths as flat (type, offset, length) triples or null for GRPCRoute rules, extra?]
 */
export type WireRule = [kind: number, namespace: number, name: string, ruleIndex: number, backends: WireBackend[], paths: number[] | null, extra?: WireRuleExtra];

/** The head JSON. */
export interface WireManifest {
  format: number;
  gateways: string[];
  listeners: ListenerInfo[];
  headerNames: string[];
  grpc: boolean;
  diagnostics: string[];
  namespaces: string[];
}

function plainBackend(b: BackendInfo, namespace: string): boolean {
  const s = b.service;
  return (
    b.group === '' &&
    b.kind === 'Service' &&
    b.namespace === namespace &&
    b.port !== undefined &&
    b.filters.length === 0 &&
    b.tls === undefined &&
    b.problem === undefined &&
    s !== undefined &&
    s.namespace === namespace &&
    s.name === b.name &&
    s.port === b.port &&
    s.appProtocol === undefined
  );
}

const encoder = new TextEncoder();

/** UTF-8 byte length of a string (lone surrogates count as U+FFFD, as TextEncoder writes them). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Encodes rules one by one as the compiler finds them, so it never keeps the expanded RuleInfo
 * objects: match path strings go to `w` right away, the rule texts at `writeRuleTexts`.
 */
export class WireBuilder {
  private readonly nsIndex = new Map<string, number>();
  private readonly texts: string[] = [];
  readonly namespaces: string[] = [];
  /** Per rule: its backends' weights and whether each resolved (the rule records). */
  readonly ruleBackends: { weight: number; resolved: boolean }[][] = [];

  constructor(private readonly w: TableWriter) {}

  get ruleCount(): number {
    return this.texts.length;
  }

  /** Adds a rule; returns its index. */
  addRule(rule: RuleInfo): number {
    let ns = this.nsIndex.get(rule.namespace);
    if (ns === undefined) this.nsIndex.set(rule.namespace, (ns = this.namespaces.push(rule.namespace) - 1));
    const backends: WireBackend[] = rule.backends.map((b) => (plainBackend(b, rule.namespace) ? [b.name, b.port!, b.weight] : b));
    let paths: number[] | null = null;
    if (rule.matchPaths) {
      paths = [];
      for (const p of rule.matchPaths) {
        const [off, len] = this.w.string(p.value);
        paths.push(PATH_TYPES.indexOf(p.type), off, len);
      }
    }
    let extra: WireRuleExtra | undefined;
    if (rule.ruleName !== undefined) (extra ??= {}).ruleName = rule.ruleName;
    if (rule.filters.length) (extra ??= {}).filters = rule.filters;
    if (rule.filterBackends.length) (extra ??= {}).filterBackends = rule.filterBackends;
    if (rule.unresolvedFilter !== undefined) (extra ??= {}).unresolvedFilter = rule.unresolvedFilter;
    if (rule.timeouts !== undefined) (extra ??= {}).timeouts = rule.timeouts;
    if (rule.retry !== undefined) (extra ??= {}).retry = rule.retry;
    if (rule.sessionPersistence !== undefined) (extra ??= {}).sessionPersistence = rule.sessionPersistence;
    const text: WireRule = [KINDS.indexOf(rule.kind), ns, rule.name, rule.ruleIndex, backends, paths];
    if (extra) text.push(extra);
    this.ruleBackends.push(rule.backends.map((b) => ({ weight: b.weight, resolved: b.service !== undefined })));
    return this.texts.push(JSON.stringify(text)) - 1;
  }

  /**
   * Writes the rule texts as one JSON array (so a host expanding every rule parses once) and
   * their index `[count, arrayOffset, arrayLength, (offset, length) per rule]`; returns the
   * index offset.
   */
  writeRuleTexts(): number {
    const base = this.w.bytes(encoder.encode(`[${this.texts.join(',')}]`));
    const index = new Array<number>(3 + this.texts.length * 2);
    index[0] = this.texts.length;
    let off = base + 1;
    this.texts.forEach((t, i) => {
      const len = utf8Length(t);
      index[3 + i * 2] = off;
      index[4 + i * 2] = len;
      off += len + 1; // the comma (or the closing bracket)
    });
    index[1] = base;
    index[2] = off - base;
    return this.w.words(index);
  }
}

/**
 * Expands the compact manifest of a table. Rules and matches are expanded on first use and
 * cached, so a host starts matching after parsing only the head; `manifest()` returns the full
 * TableManifest, sharing the cached objects.
 */
export class ManifestReader {
  private readonly rules: (RuleInfo | undefined)[];
  private readonly matchInfos: (MatchInfo | undefined)[];
  private readonly view: DataView;
  private readonly ruleTexts: number;
  private readonly matchesOff: number;
  private full: TableManifest | undefined;
  private readonly decoder = new TextDecoder();

  /** `table` must stay unchanged while the reader is in use (it reads rule texts lazily). */
  constructor(
    readonly wire: WireManifest,
    private readonly table: Uint8Array,
  ) {
    this.view = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const header = (word: number): number => this.view.getUint32(word * 4, true);
    this.ruleTexts = header(F.H_RULE_TEXTS_OFF);
    this.matchesOff = header(F.H_MATCHES_OFF);
    this.rules = new Array<RuleInfo | undefined>(header(F.H_RULE_COUNT));
    this.matchInfos = new Array<MatchInfo | undefined>(header(F.H_MATCH_COUNT));
  }

  get matchCount(): number {
    return this.matchInfos.length;
  }

  rule(index: number): RuleInfo {
    return (this.rules[index] ??= this.expandRule(index));
  }

  match(index: number): MatchInfo {
    let m = this.matchInfos[index];
    if (m === undefined) {
      const rec = this.matchesOff + index * F.MATCH_WORDS * 4;
      const ruleNumber = this.view.getUint32(rec, true);
      const matchIndex = (this.view.getUint32(rec + 4, true) >>> F.M_MATCH_INDEX_SHIFT) & 0xffff;
      const rule = this.rule(ruleNumber);
      m = { id: `${rule.id}/match/${matchIndex}`, kind: rule.kind, namespace: rule.namespace, name: rule.name, rule: ruleNumber, ruleIndex: rule.ruleIndex, matchIndex };
      this.matchInfos[index] = m;
    }
    return m;
  }

  manifest(): TableManifest {
    if (this.full === undefined) {
      const w = this.wire;
      if (this.rules.includes(undefined)) {
        // One parse of the whole rule array rather than one per rule.
        const all = JSON.parse(this.text(this.view.getUint32(this.ruleTexts + 4, true), this.view.getUint32(this.ruleTexts + 8, true))) as WireRule[];
        for (let i = 0; i < this.rules.length; i++) this.rules[i] ??= this.expand(all[i]);
      }
      const matches: MatchInfo[] = [];
      for (let i = 0; i < this.matchInfos.length; i++) matches.push(this.match(i));
      const rules: RuleInfo[] = [];
      for (let i = 0; i < this.rules.length; i++) rules.push(this.rule(i));
      this.full = { format: w.format, gateways: w.gateways, listeners: w.listeners, headerNames: w.headerNames, grpc: w.grpc, matches, rules, diagnostics: w.diagnostics };
    }
    return this.full;
  }

  private text(off: number, len: number): string {
    return this.decoder.decode(this.table.subarray(off, off + len));
  }

  private expandRule(index: number): RuleInfo {
    const entry = this.ruleTexts + 12 + index * 8;
    return this.expand(JSON.parse(this.text(this.view.getUint32(entry, true), this.view.getUint32(entry + 4, true))) as WireRule);
  }

  private expand([kindIndex, nsIndex, name, ruleIndex, backends, paths, extra]: WireRule): RuleInfo {
    const kind = KINDS[kindIndex];
    const namespace = this.wire.namespaces[nsIndex];
    const rule: RuleInfo = {
      id: `${kind === 'HTTPRoute' ? 'httproute' : 'grpcroute'}/${namespace}/${name}/rule/${ruleIndex}`,
      kind,
      namespace,
      name,
      ruleIndex,
      filters: extra?.filters ?? [],
      backends: backends.map((b) =>
        Array.isArray(b)
          ? { group: '', kind: 'Service', namespace, name: b[0], weight: b[2], filters: [], port: b[1], service: { namespace, name: b[0], port: b[1] } }
          : b,
      ),
      filterBackends: extra?.filterBackends ?? [],
    };
    if (paths) {
      const matchPaths: MatchPath[] = [];
      for (let i = 0; i < paths.length; i += 3) matchPaths.push({ type: PATH_TYPES[paths[i]], value: this.text(paths[i + 1], paths[i + 2]) });
      rule.matchPaths = matchPaths;
    }
    if (extra?.unresolvedFilter !== undefined) rule.unresolvedFilter = extra.unresolvedFilter;
    if (extra?.ruleName !== undefined) rule.ruleName = extra.ruleName;
    if (extra?.timeouts !== undefined) rule.timeouts = extra.timeouts;
    if (extra?.retry !== undefined) rule.retry = extra.retry;
    if (extra?.sessionPersistence !== undefined) rule.sessionPersistence = extra.sessionPersistence;
    return rule;
  }
}
