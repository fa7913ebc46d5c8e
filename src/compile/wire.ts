/**
 * The manifest as stored in the table (format version 2): a compact JSON form of
 * `TableManifest` that hosts expand once at load (`decodeManifest`). What the compact form
 * leaves out is derived on expansion:
 *  - route identity (kind, namespace, name) is stored once per route, not per rule and match;
 *  - rule and match ids are built from it (`httproute/<ns>/<name>/rule/<i>[/match/<j>]`);
 *  - a match is two numbers (rule, match index);
 *  - empty `filters`/`filterBackends` are omitted;
 *  - a backend that is a plain resolved Service reference in the rule's namespace (group "",
 *    kind Service, no filters, no TLS, no appProtocol, resolving to the same name and port) is
 *    `[name, port, weight]`; any other backend is stored whole;
 *  - `matchPaths` values are references (offset, length) to UTF-8 strings the table already
 *    holds (the compiler writes each distinct string once).
 */
import type { BackendInfo, ListenerInfo, MatchedRouteKind, MatchInfo, MatchPath, RuleInfo, TableManifest } from './manifest.js';
import type { TableWriter } from './writer.js';

const KINDS: readonly MatchedRouteKind[] = ['HTTPRoute', 'GRPCRoute'];
const PATH_TYPES: readonly MatchPath['type'][] = ['Exact', 'PathPrefix', 'RegularExpression'];

type WireBackend = [name: string, port: number, weight: number] | BackendInfo;

/** Rule fields beyond identity, backends and match paths; present only when set or non-empty. */
type WireRuleExtra = Partial<Pick<RuleInfo, 'ruleName' | 'filters' | 'filterBackends' | 'unresolvedFilter' | 'timeouts' | 'retry' | 'sessionPersistence'>>;

/** [route, ruleIndex, backends, matchPaths as (type, offset, length) triples or null for GRPCRoute rules, extra?] */
export type WireRule = [route: number, ruleIndex: number, backends: WireBackend[], paths: number[] | null, extra?: WireRuleExtra];

export interface WireManifest {
  format: number;
  gateways: string[];
  listeners: ListenerInfo[];
  headerNames: string[];
  grpc: boolean;
  diagnostics: string[];
  namespaces: string[];
  /** [kind (index into HTTPRoute, GRPCRoute), namespace index, name] */
  routes: [number, number, string][];
  rules: WireRule[];
  /** Flat (rule, match index) pairs. */
  matches: number[];
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

/**
 * Builds the compact form rule by rule, so the compiler never keeps the expanded RuleInfo
 * objects: match path strings are written to `w` (deduplicated there) as rules are added.
 */
export class WireBuilder {
  private readonly namespaces = new Map<string, number>();
  private readonly routes = new Map<string, number>();
  private prev: RuleInfo | undefined;
  private prevRoute = 0;
  readonly wire: WireManifest;

  constructor(private readonly w: TableWriter) {
    this.wire = { format: 0, gateways: [], listeners: [], headerNames: [], grpc: false, diagnostics: [], namespaces: [], routes: [], rules: [], matches: [] };
  }

  /** Adds a rule; returns its index. */
  addRule(rule: RuleInfo): number {
    const wire = this.wire;
    let ns = this.namespaces.get(rule.namespace);
    if (ns === undefined) this.namespaces.set(rule.namespace, (ns = wire.namespaces.push(rule.namespace) - 1));
    // Rules of one route usually follow each other: compare with the previous rule first.
    const prev = this.prev;
    let route: number | undefined;
    if (prev && prev.kind === rule.kind && prev.namespace === rule.namespace && prev.name === rule.name) route = this.prevRoute;
    else {
      const key = `${rule.kind}/${rule.namespace}/${rule.name}`;
      route = this.routes.get(key);
      if (route === undefined) this.routes.set(key, (route = wire.routes.push([KINDS.indexOf(rule.kind), ns, rule.name]) - 1));
    }
    this.prev = rule;
    this.prevRoute = route;
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
    return wire.rules.push(extra ? [route, rule.ruleIndex, backends, paths, extra] : [route, rule.ruleIndex, backends, paths]) - 1;
  }

  addMatch(rule: number, matchIndex: number): void {
    this.wire.matches.push(rule, matchIndex);
  }
}

/** Rule record inputs of a compact rule: backend weights and whether each resolved to a Service port. */
export function wireBackends(rule: WireRule): { weight: number; resolved: boolean }[] {
  return rule[2].map((b) => (Array.isArray(b) ? { weight: b[2], resolved: true } : { weight: b.weight, resolved: b.service !== undefined }));
}

/**
 * Expands a compact manifest. Rules and matches are expanded on first use and cached, so a
 * host can start matching before (or without) expanding the whole manifest; `manifest()`
 * returns the full TableManifest, sharing the cached objects.
 */
export class ManifestReader {
  private readonly rules: (RuleInfo | undefined)[];
  private readonly matchInfos: (MatchInfo | undefined)[];
  private full: TableManifest | undefined;
  private decoder: TextDecoder | undefined;

  /** `table` holds the strings `matchPaths` refer to. */
  constructor(
    readonly wire: WireManifest,
    private readonly table: Uint8Array,
  ) {
    this.rules = new Array<RuleInfo | undefined>(wire.rules.length);
    this.matchInfos = new Array<MatchInfo | undefined>(wire.matches.length >> 1);
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
      const ruleNumber = this.wire.matches[index * 2];
      const rule = this.rule(ruleNumber);
      const matchIndex = this.wire.matches[index * 2 + 1];
      m = { id: `${rule.id}/match/${matchIndex}`, kind: rule.kind, namespace: rule.namespace, name: rule.name, rule: ruleNumber, ruleIndex: rule.ruleIndex, matchIndex };
      this.matchInfos[index] = m;
    }
    return m;
  }

  manifest(): TableManifest {
    if (this.full === undefined) {
      const w = this.wire;
      const matches: MatchInfo[] = [];
      for (let i = 0; i < this.matchInfos.length; i++) matches.push(this.match(i));
      const rules: RuleInfo[] = [];
      for (let i = 0; i < this.rules.length; i++) rules.push(this.rule(i));
      this.full = { format: w.format, gateways: w.gateways, listeners: w.listeners, headerNames: w.headerNames, grpc: w.grpc, matches, rules, diagnostics: w.diagnostics };
    }
    return this.full;
  }

  private expandRule(index: number): RuleInfo {
    const [routeIndex, ruleIndex, backends, paths, extra] = this.wire.rules[index];
    const [kindIndex, nsIndex, name] = this.wire.routes[routeIndex];
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
      const decoder = (this.decoder ??= new TextDecoder());
      const matchPaths: MatchPath[] = [];
      for (let i = 0; i < paths.length; i += 3) {
        matchPaths.push({ type: PATH_TYPES[paths[i]], value: decoder.decode(this.table.subarray(paths[i + 1], paths[i + 1] + paths[i + 2])) });
      }
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
