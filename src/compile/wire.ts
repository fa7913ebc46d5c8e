/**
 * The manifest as stored in the table (format version 3), in a compact form hosts expand on
 * demand (`ManifestReader`):
 *  - a small head JSON (gateways, listeners, header names, gRPC flag, diagnostics, namespaces,
 *    the default backend port, backends used by several rules), parsed when a router loads;
 *  - one JSON text per rule, one per line, located through the rule text index (header word
 *    15) and parsed the first time a decision or the full manifest needs that rule;
 *  - match identity (rule, match index) read from the binary match records.
 * What the compact form leaves out is derived on expansion: rule and match ids
 * (`httproute/<ns>/<name>/rule/<i>[/match/<j>]`), empty `filters`/`filterBackends`, and the
 * BackendInfo of a plain resolved Service reference in the rule's namespace (group "", kind
 * Service, no filters, no TLS, no appProtocol, resolving to the same name and port), stored as
 * `"name"` (the head's default `port`) or `"name:port"` (or, when several rules use that
 * string, its index in the head's `names`), inside `[that, weight]` when the weight is not 1;
 * and the `matchPaths` of an HTTPRoute rule whose paths all equal their path map keys (Exact,
 * or PathPrefix already normalised): the reader takes them from the key record each match
 * record names (the host-only word per match after the match records).
 */
import * as F from './format.js';
import { normalizePrefix } from './paths.js';
import type { BackendInfo, ListenerInfo, MatchedRouteKind, MatchInfo, MatchPath, RuleInfo, TableManifest } from './manifest.js';
import type { TableWriter } from './writer.js';

const KINDS: readonly MatchedRouteKind[] = ['HTTPRoute', 'GRPCRoute'];
const PATH_TYPES: readonly MatchPath['type'][] = ['Exact', 'PathPrefix', 'RegularExpression'];

/** A plain backend of weight 1 (`"name"`, `"name:port"` or its index in `names`), else `[that, weight]`, or the full BackendInfo. */
type WireBackend = string | number | [nameAndPort: string | number, weight: number] | BackendInfo;

/** Rule fields beyond identity, backends and match paths; present only when set or non-empty. */
type WireRuleExtra = Partial<Pick<RuleInfo, 'ruleName' | 'filters' | 'filterBackends' | 'unresolvedFilter' | 'timeouts' | 'retry' | 'sessionPersistence'>>;

/**
 * One rule's text: [route name, backends, paths, rule index, namespace index, kind (0
 * HTTPRoute, 1 GRPCRoute), extra], trailing elements left out while they hold their default
 * (paths 0, rule index 0, namespace 0, kind 0, no extra). Paths: 0 = read from the key records,
 * null = GRPCRoute rule, else flat (type, value) pairs. A rule with only a name and one plain
 * backend of weight 1 is the string `"<route name> <backend>"` instead.
 */
export type WireRule = [name: string, backends: WireBackend[], paths?: (number | string)[] | 0 | null, ruleIndex?: number, namespace?: number, kind?: number, extra?: WireRuleExtra] | string;

/** The head JSON. */
export interface WireManifest {
  format: number;
  gateways: string[];
  listeners: ListenerInfo[];
  headerNames: string[];
  grpc: boolean;
  diagnostics: string[];
  namespaces: string[];
  /** Plain backends (`name` or `name:port`) used by more than one rule (rule texts refer to them by index). */
  names: string[];
  /** The port of a plain backend written without one: the most common one. */
  port: number;
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

/** A rule as kept until the rule texts are written: plain backends as [name, port, weight]. */
interface PendingRule {
  kind: number;
  namespace: number;
  name: string;
  ruleIndex: number;
  backends: ([name: string, port: number, weight: number] | BackendInfo)[];
  paths: MatchPath[] | null;
  extra?: WireRuleExtra;
}

/** Whether the reader can take these paths from the key records of the rule's matches. */
function keyedPaths(paths: readonly MatchPath[]): boolean {
  return paths.every((p) => p.type === 'Exact' || (p.type === 'PathPrefix' && normalizePrefix(p.value) === p.value));
}

/**
 * Collects rules as the compiler finds them, keeping only their compact form (never the
 * expanded RuleInfo objects); the texts are written at `writeRuleTexts`.
 */
export class WireBuilder {
  private readonly nsIndex = new Map<string, number>();
  private readonly pending: PendingRule[] = [];
  readonly namespaces: string[] = [];
  /** Set by `writeRuleTexts`: the head's `names` and default `port`. */
  readonly names: string[] = [];
  port = 0;
  /** Per rule: its backends' weights and whether each resolved (the rule records). */
  readonly ruleBackends: { weight: number; resolved: boolean }[][] = [];

  constructor(private readonly w: TableWriter) {}

  get ruleCount(): number {
    return this.pending.length;
  }

  /** Adds a rule; returns its index. */
  addRule(rule: RuleInfo): number {
    let ns = this.nsIndex.get(rule.namespace);
    if (ns === undefined) this.nsIndex.set(rule.namespace, (ns = this.namespaces.push(rule.namespace) - 1));
    // Service names are DNS labels; any other name keeps the full form (digits alone would read as an index).
    const backends: PendingRule['backends'] = rule.backends.map((b) => (plainBackend(b, rule.namespace) && /^[a-z][-a-z0-9.]*$/.test(b.name) ? [b.name, b.port!, b.weight] : b));
    let extra: WireRuleExtra | undefined;
    if (rule.ruleName !== undefined) (extra ??= {}).ruleName = rule.ruleName;
    if (rule.filters.length) (extra ??= {}).filters = rule.filters;
    if (rule.filterBackends.length) (extra ??= {}).filterBackends = rule.filterBackends;
    if (rule.unresolvedFilter !== undefined) (extra ??= {}).unresolvedFilter = rule.unresolvedFilter;
    if (rule.timeouts !== undefined) (extra ??= {}).timeouts = rule.timeouts;
    if (rule.retry !== undefined) (extra ??= {}).retry = rule.retry;
    if (rule.sessionPersistence !== undefined) (extra ??= {}).sessionPersistence = rule.sessionPersistence;
    this.ruleBackends.push(rule.backends.map((b) => ({ weight: b.weight, resolved: b.service !== undefined })));
    return this.pending.push({ kind: KINDS.indexOf(rule.kind), namespace: ns, name: rule.name, ruleIndex: rule.ruleIndex, backends, paths: rule.matchPaths ?? null, extra }) - 1;
  }

  /**
   * Writes the rule texts, one per line (a host expanding every rule parses them as one JSON
   * array), and their index `[count, textsOffset, textsLength, offset of every
   * RULE_TEXT_BLOCK-th text]`; returns the index offset. Rules in `unmapped` have a match that
   * is in no path map (a rejected regular expression): their paths are always written out.
   */
  writeRuleTexts(unmapped: ReadonlySet<number>): number {
    const ports = new Map<number, number>();
    for (const rule of this.pending) for (const b of rule.backends) if (Array.isArray(b)) ports.set(b[1], (ports.get(b[1]) ?? 0) + 1);
    for (const [port, n] of ports) if (n > (ports.get(this.port) ?? 0) || (n === ports.get(this.port) && port < this.port)) this.port = port;
    const short = (b: [string, number, number]): string => (b[1] === this.port ? b[0] : `${b[0]}:${b[1]}`);
    const uses = new Map<string, number>();
    for (const rule of this.pending) for (const b of rule.backends) if (Array.isArray(b)) uses.set(short(b), (uses.get(short(b)) ?? 0) + 1);
    const nameIndex = new Map<string, number>();
    for (const [name, n] of uses) if (n > 1) nameIndex.set(name, this.names.push(name) - 1);
    const texts = this.pending.map((rule, r) => {
      const backends: WireBackend[] = rule.backends.map((b) => {
        if (!Array.isArray(b)) return b;
        const ref = nameIndex.get(short(b)) ?? short(b);
        return b[2] === 1 ? ref : [ref, b[2]];
      });
      let paths: (number | string)[] | 0 | null = null;
      if (rule.paths) paths = !unmapped.has(r) && keyedPaths(rule.paths) ? 0 : rule.paths.flatMap((p) => [PATH_TYPES.indexOf(p.type), p.value]);
      const text = [rule.name, backends, paths, rule.ruleIndex, rule.namespace, rule.kind, rule.extra];
      while (text.length > 2 && (text[text.length - 1] === undefined || text[text.length - 1] === 0)) text.pop();
      const only = backends[0];
      if (text.length === 2 && backends.length === 1 && typeof only !== 'object' && !rule.name.includes(' ')) return JSON.stringify(`${rule.name} ${only}`);
      return JSON.stringify(text);
    });
    // JSON.stringify never writes a raw line break, so the texts are lines.
    const all = encoder.encode(texts.join('\n'));
    const base = this.w.bytes(all);
    const index = [texts.length, base, all.length];
    let off = base;
    texts.forEach((t, i) => {
      if (i % F.RULE_TEXT_BLOCK === 0) index.push(off);
      off += utf8Length(t) + 1;
    });
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
  /** Built on the first rule whose paths come from the key records: match indices by rule (rule r's are ruleMatches[ruleStarts[r]..ruleStarts[r + 1]), in match index order. */
  private ruleMatches: Uint32Array | undefined;
  private ruleStarts: Uint32Array | undefined;

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
      const [ruleNumber, matchIndex] = this.identity(index);
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
        const lines = this.text(this.view.getUint32(this.ruleTexts + 4, true), this.view.getUint32(this.ruleTexts + 8, true));
        const all = JSON.parse(`[${lines.replaceAll('\n', ',')}]`) as WireRule[];
        for (let i = 0; i < this.rules.length; i++) this.rules[i] ??= this.expand(i, all[i]);
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

  /** [rule index, index in the rule] of match `index`, from its record or its extension record. */
  private identity(index: number): [number, number] {
    const record = this.view.getUint32(this.matchesOff + index * F.MATCH_WORDS * 4, true);
    if ((record & F.M_EXT) === 0) return [record & F.M_RULE_MASK, record >>> F.M_INLINE_INDEX_SHIFT];
    const ext = record & ~F.M_EXT;
    return [this.view.getUint32(ext, true), (this.view.getUint32(ext + 4, true) >>> F.M_MATCH_INDEX_SHIFT) & 0xffff];
  }

  /** The paths of rule `rule`, from the key records its match records name (indexed on first use). */
  private pathsFromKeys(rule: number): MatchPath[] {
    const matches = this.matchInfos.length;
    if (this.ruleMatches === undefined) {
      // Matches by rule, then by index in the rule (every index below a rule's count has a record).
      const starts = new Uint32Array(this.rules.length + 1);
      const rules = new Uint32Array(matches);
      const indices = new Uint32Array(matches);
      for (let m = 0; m < matches; m++) {
        [rules[m], indices[m]] = this.identity(m);
        starts[rules[m] + 1]++;
      }
      for (let r = 0; r < this.rules.length; r++) starts[r + 1] += starts[r];
      this.ruleMatches = new Uint32Array(matches);
      for (let m = 0; m < matches; m++) this.ruleMatches[starts[rules[m]] + indices[m]] = m;
      this.ruleStarts = starts;
    }
    const paths: MatchPath[] = [];
    for (let k = this.ruleStarts![rule]; k < this.ruleStarts![rule + 1]; k++) {
      // key record * 2 + (PathPrefix ? 1 : 0)
      const key = this.view.getUint32(this.matchesOff + (matches + this.ruleMatches[k]) * 4, true);
      paths.push({ type: key & 1 ? 'PathPrefix' : 'Exact', value: this.key(key >>> 1) });
    }
    return paths;
  }

  /** Rule `index`'s text: the line `index % RULE_TEXT_BLOCK` lines after its block's first. */
  private expandRule(index: number): RuleInfo {
    const idx = this.ruleTexts;
    const end = this.view.getUint32(idx + 4, true) + this.view.getUint32(idx + 8, true);
    let off = this.view.getUint32(idx + 12 + Math.floor(index / F.RULE_TEXT_BLOCK) * 4, true);
    for (let k = index % F.RULE_TEXT_BLOCK; k > 0; k--) off = this.table.indexOf(0x0a, off) + 1;
    const next = this.table.indexOf(0x0a, off);
    return this.expand(index, JSON.parse(this.text(off, (next < 0 || next > end ? end : next) - off)) as WireRule);
  }

  /** The key a key record holds (shared prefix, then the rest of the bytes). */
  private key(record: number): string {
    const lengths = this.view.getUint32(record + 4, true);
    const len = lengths & 0xffff;
    const shared = lengths >>> 16;
    if (shared === 0) return this.text(record + F.KEY_WORDS * 4, len);
    const prefix = this.view.getUint32(record + F.KEY_WORDS * 4, true);
    const rest = record + F.KEY_WORDS * 4 + 4;
    const bytes = new Uint8Array(len);
    bytes.set(this.table.subarray(prefix, prefix + shared));
    bytes.set(this.table.subarray(rest, rest + len - shared), shared);
    return this.decoder.decode(bytes);
  }

  private expand(index: number, text: WireRule): RuleInfo {
    if (typeof text === 'string') {
      const space = text.indexOf(' ');
      const backend = text.slice(space + 1);
      // Digits alone: an index into `names`.
      return this.expand(index, [text.slice(0, space), [/^[0-9]+$/.test(backend) ? Number(backend) : backend]]);
    }
    const [name, backends, paths = 0, ruleIndex = 0, nsIndex = 0, kindIndex = 0, extra] = text;
    const kind = KINDS[kindIndex];
    const namespace = this.wire.namespaces[nsIndex];
    const rule: RuleInfo = {
      id: `${kind === 'HTTPRoute' ? 'httproute' : 'grpcroute'}/${namespace}/${name}/rule/${ruleIndex}`,
      kind,
      namespace,
      name,
      ruleIndex,
      filters: extra?.filters ?? [],
      backends: backends.map((b) => {
        if (typeof b === 'object' && !Array.isArray(b)) return b;
        const [ref, weight] = Array.isArray(b) ? b : [b, 1];
        const nameAndPort = typeof ref === 'number' ? this.wire.names[ref] : ref;
        const colon = nameAndPort.indexOf(':');
        const backend = colon < 0 ? nameAndPort : nameAndPort.slice(0, colon);
        const port = colon < 0 ? this.wire.port : Number(nameAndPort.slice(colon + 1));
        return { group: '', kind: 'Service', namespace, name: backend, weight, filters: [], port, service: { namespace, name: backend, port } };
      }),
      filterBackends: extra?.filterBackends ?? [],
    };
    if (paths === 0) {
      rule.matchPaths = this.pathsFromKeys(index);
    } else if (paths) {
      const matchPaths: MatchPath[] = [];
      for (let i = 0; i < paths.length; i += 2) matchPaths.push({ type: PATH_TYPES[paths[i] as number], value: paths[i + 1] as string });
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
