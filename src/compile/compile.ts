/**
 * Resolution -> one route table (see FORMAT.md). Phases, in order:
 *  1. listeners: ready HTTP/HTTPS listeners of every Gateway (others never see HTTP requests);
 *  2. matches and rules: every match of every attached HTTPRoute/GRPCRoute rule, each once,
 *     numbered in first-appearance order (listener order, then route order, then spec order);
 *  3. regular expressions compiled to programs (a pattern the engine rejects makes its match
 *     never match, with a diagnostic);
 *  4. match records, rule records, then per listener its hostname index and route groups;
 *  5. the JSON manifest for hosts (compact form, wire.ts), then the header is patched.
 * The output depends only on the Resolution's content and order, never on time or Map order.
 */
import { createHash } from 'node:crypto';
import type { Resolution } from '../resolve/types.js';
import { describeRule, writeRuleRecords } from './backends.js';
import * as F from './format.js';
import { writeStringMap } from './hashmap.js';
import { normalizeHost, wildcardSuffix } from './hostnames.js';
import type { ListenerInfo, TableManifest } from './manifest.js';
import { flattenMatches, type MatchSpec } from './matches.js';
import { writeGroup, type IndexedMatch } from './pathindex.js';
import { literalPrefix } from './regex/prefix.js';
import { compileRegex } from './regex/program.js';
import { ManifestReader, WireBuilder, type WireManifest } from './wire.js';
import { TableWriter } from './writer.js';

export interface CompiledTable {
  table: Uint8Array;
  /** sha256 of `table`, lower-case hex. */
  sha256: string;
  /** The host-facing manifest, decoded from the table's compact form on first access. */
  readonly manifest: TableManifest;
}

/** Protocols whose listeners route HTTP requests (HTTPRoute and GRPCRoute). */
export const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTPS']);

interface ListenerPlan {
  info: ListenerInfo;
  gatewayIndex: number;
  /** Matches attached to the listener, with the route's effective hostnames. */
  routes: { hostnames: string[]; matches: IndexedMatch[] }[];
}

class RegexPrograms {
  private readonly cache = new Map<string, Uint8Array | string>();
  readonly diagnostics: string[] = [];

  /** The program, or an error message. */
  get(pattern: string): Uint8Array | string {
    let p = this.cache.get(pattern);
    if (p === undefined) {
      const r = compileRegex(pattern);
      p = r.ok ? r.program : `${r.error} (at offset ${r.offset})`;
      this.cache.set(pattern, p);
    }
    return p;
  }

  /** Null when every pattern of the match compiles; else the first error. */
  problem(spec: MatchSpec): string | null {
    const patterns: string[] = [];
    if (spec.path?.type === 'RegularExpression') patterns.push(spec.path.value);
    if (spec.grpc?.type === 'RegularExpression') {
      if (spec.grpc.service !== undefined) patterns.push(spec.grpc.service);
      if (spec.grpc.method !== undefined) patterns.push(spec.grpc.method);
    }
    for (const m of [...spec.headers, ...spec.query]) if (m.type === 'RegularExpression') patterns.push(m.value);
    for (const pattern of patterns) {
      const p = this.get(pattern);
      if (typeof p === 'string') return `${spec.id}: regular expression ${JSON.stringify(pattern)} rejected: ${p}`;
    }
    return null;
  }
}

function writeValue(w: TableWriter, regex: RegexPrograms, type: 'Exact' | 'RegularExpression', value: string): [number, number] {
  if (type === 'Exact') return w.string(value);
  const program = regex.get(value) as Uint8Array;
  return [w.bytes(program), program.length];
}

/** The match record word, writing its extension record first when it needs one. */
function writeMatchRecord(w: TableWriter, regex: RegexPrograms, spec: MatchSpec, rule: number, slots: Map<string, number>): number {
  let flags: number;
  let a: [number, number] = [0, 0];
  let b: [number, number] = [0, 0];
  if (spec.grpc) {
    flags = F.PATH_GRPC | (spec.grpc.type === 'RegularExpression' ? F.M_GRPC_REGEX : 0);
    if (spec.grpc.service !== undefined) {
      flags |= F.M_GRPC_SERVICE;
      a = writeValue(w, regex, spec.grpc.type, spec.grpc.service);
    }
    if (spec.grpc.method !== undefined) {
      flags |= F.M_GRPC_METHOD;
      b = writeValue(w, regex, spec.grpc.type, spec.grpc.method);
    }
  } else {
    const type = spec.path!.type;
    flags = type === 'Exact' ? F.PATH_EXACT : type === 'PathPrefix' ? F.PATH_PREFIX : F.PATH_REGEX;
    if (type === 'RegularExpression') {
      a = writeValue(w, regex, 'RegularExpression', spec.path!.value);
      // B: the literal prefix every match starts with (checked before the program runs).
      const prefix = literalPrefix(spec.path!.value);
      if (prefix) b = w.string(prefix);
    }
  }
  const method = spec.method ? w.string(spec.method) : [0, 0];
  const headerWords: number[] = [];
  for (const h of spec.headers) {
    const [off, len] = writeValue(w, regex, h.type, h.value);
    headerWords.push(slots.get(h.name)!, h.type === 'Exact' ? F.VALUE_EXACT : F.VALUE_REGEX, off, len);
  }
  const queryWords: number[] = [];
  for (const q of spec.query) {
    const [nameOff, nameLen] = w.string(q.name);
    const [off, len] = writeValue(w, regex, q.type, q.value);
    queryWords.push(nameOff, nameLen, q.type === 'Exact' ? F.VALUE_EXACT : F.VALUE_REGEX, off, len);
  }
  const headersOff = headerWords.length ? w.words(headerWords) : 0;
  const queryOff = queryWords.length ? w.words(queryWords) : 0;
  flags |= spec.matchIndex << F.M_MATCH_INDEX_SHIFT;
  return matchWord(w, [rule, flags, method[0], method[1], a[0], a[1], b[0], b[1], spec.headers.length, headersOff, spec.query.length, queryOff]);
}

/**
 * The match record for extension words `ext` ([rule, flags, predicates...]): the rule and match
 * index inline when the match has no predicate beyond its path key (and both fit), else the
 * offset of the extension record, written here.
 */
function matchWord(w: TableWriter, ext: number[]): number {
  const [rule, flags] = ext;
  const matchIndex = flags >>> F.M_MATCH_INDEX_SHIFT;
  if (ext.every((v, k) => k < 2 || v === 0) && rule <= F.M_RULE_MASK && matchIndex <= F.M_INLINE_INDEX_MAX) {
    return (rule | (matchIndex << F.M_INLINE_INDEX_SHIFT)) >>> 0;
  }
  return (w.words(ext) | F.M_EXT) >>> 0;
}

function listenerName(owner: { kind: string; namespace: string; name: string }, name: string): string {
  return owner.kind === 'ListenerSet' ? `${owner.namespace}/${owner.name}/${name}` : name;
}

export function compileTable(resolution: Pick<Resolution, 'gateways'>): CompiledTable {
  const w = new TableWriter();
  const headerOff = w.words(new Array<number>(F.HEADER_WORDS).fill(0));

  // 1-2. listeners, matches, rules
  const gateways: string[] = [];
  const plans: ListenerPlan[] = [];
  const specs: MatchSpec[] = [];
  const matchIndex = new Map<string, number>();
  const wireBuilder = new WireBuilder(w);
  const ruleIndex = new Map<string, number>();
  for (const rg of resolution.gateways) {
    const gwName = `${rg.gateway.metadata.namespace ?? 'default'}/${rg.gateway.metadata.name}`;
    const gatewayIndex = gateways.push(gwName) - 1;
    for (const l of rg.listeners) {
      if (!l.ready || !HTTP_PROTOCOLS.has(l.protocol)) continue;
      const info: ListenerInfo = { index: plans.length, gateway: gwName, name: listenerName(l.owner, l.name), port: l.port, protocol: l.protocol };
      if (l.hostname) info.hostname = l.hostname.toLowerCase();
      const plan: ListenerPlan = { info, gatewayIndex, routes: [] };
      for (const attached of l.routes) {
        const matches: IndexedMatch[] = [];
        for (const spec of flattenMatches(attached)) {
          let index = matchIndex.get(spec.id);
          if (index === undefined) {
            index = specs.push(spec) - 1;
            matchIndex.set(spec.id, index);
          }
          if (!ruleIndex.has(spec.ruleKey)) ruleIndex.set(spec.ruleKey, wireBuilder.addRule(describeRule(attached, spec.ruleIndex)));
          matches.push({ spec: specs[index], index });
        }
        const hostnames = [...new Set(attached.hostnames.map(normalizeHost))];
        plan.routes.push({ hostnames, matches });
      }
      plans.push(plan);
    }
  }

  // 3. regular expressions
  const regex = new RegexPrograms();
  const broken = new Set<number>();
  specs.forEach((spec, i) => {
    const problem = regex.problem(spec);
    if (problem) {
      broken.add(i);
      regex.diagnostics.push(problem);
    }
  });

  // 4. records
  const headerNames = [...new Set(specs.flatMap((s) => s.headers.map((h) => h.name)))].sort();
  const slots = new Map(headerNames.map((n, i) => [n, i]));
  const matchWords = specs.map((spec, i) => {
    const rule = ruleIndex.get(spec.ruleKey)!;
    // A match whose regular expression is rejected keeps its identity only: it is in no route group.
    if (broken.has(i)) return matchWord(w, [rule, spec.matchIndex << F.M_MATCH_INDEX_SHIFT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    return writeMatchRecord(w, regex, spec, rule, slots);
  });
  // The match records, then (host-only) the key record of each match, patched below.
  const matchesOff = specs.length ? w.words([...matchWords, ...new Array<number>(specs.length).fill(0)]) : w.length;
  const matchKeys = new Array<number>(specs.length).fill(0);
  const rulesOff = writeRuleRecords(w, wireBuilder.ruleBackends);

  let maxPrefixLen = 0;
  const listenerWords: number[] = [];
  for (const plan of plans) {
    const exact = new Map<string, IndexedMatch[]>();
    const wild = new Map<string, IndexedMatch[]>();
    const any: IndexedMatch[] = [];
    for (const r of plan.routes) {
      const usable = r.matches.filter((m) => !broken.has(m.index));
      if (r.hostnames.length === 0) any.push(...usable);
      for (const h of r.hostnames) {
        const suffix = wildcardSuffix(h);
        const target = suffix === null ? exact : wild;
        const key = suffix ?? h;
        target.set(key, [...(target.get(key) ?? []), ...usable]);
      }
    }
    const group = (list: IndexedMatch[]): number => {
      const unique = [...new Map(list.map((m) => [m.index, m])).values()];
      const g = writeGroup(w, unique, matchKeys);
      maxPrefixLen = Math.max(maxPrefixLen, g.maxPrefixLen);
      return g.offset;
    };
    const groupMap = (m: Map<string, IndexedMatch[]>): number => {
      if (m.size === 0) return 0;
      const offsets = new Map<string, number>();
      for (const key of [...m.keys()].sort()) offsets.set(key, group(m.get(key)!));
      return writeStringMap(w, offsets);
    };
    const hostIndex = w.words([groupMap(exact), groupMap(wild), any.length ? group(any) : 0]);
    const hostname = plan.info.hostname;
    const suffix = hostname ? wildcardSuffix(hostname) : null;
    const kind = !hostname ? F.HOST_ANY : suffix === null ? F.HOST_EXACT : F.HOST_WILDCARD;
    const [hostOff, hostLen] = hostname ? w.string(suffix ?? hostname) : [0, 0];
    listenerWords.push(plan.gatewayIndex, plan.info.port, kind, hostOff, hostLen, hostIndex);
  }
  const listenersOff = listenerWords.length ? w.words(listenerWords) : w.length;

  matchKeys.forEach((key, i) => w.patch(matchesOff + (specs.length + i) * 4, key));

  // 5. manifest (rule texts, their index, the head JSON) and header
  const ruleTextsOff = wireBuilder.writeRuleTexts(new Set([...broken].map((i) => ruleIndex.get(specs[i].ruleKey)!)));
  const grpc = specs.some((s) => s.kind === 'GRPCRoute');
  const wire: WireManifest = {
    format: F.FORMAT_VERSION,
    gateways,
    listeners: plans.map((p) => p.info),
    headerNames,
    grpc,
    diagnostics: regex.diagnostics,
    namespaces: wireBuilder.namespaces,
    names: wireBuilder.names,
    port: wireBuilder.port,
  };
  const json = new TextEncoder().encode(JSON.stringify(wire));
  const jsonOff = w.bytes(json);
  const table = w.finish();
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const header: [number, number][] = [
    [F.H_MAGIC, F.MAGIC],
    [F.H_VERSION, F.FORMAT_VERSION],
    [F.H_TOTAL_LEN, table.length],
    [F.H_FLAGS, grpc ? F.FLAG_HAS_GRPC : 0],
    [F.H_LISTENER_COUNT, plans.length],
    [F.H_LISTENERS_OFF, listenersOff],
    [F.H_MATCH_COUNT, specs.length],
    [F.H_MATCHES_OFF, matchesOff],
    [F.H_RULE_COUNT, wireBuilder.ruleCount],
    [F.H_RULES_OFF, rulesOff],
    [F.H_HEADER_SLOTS, headerNames.length],
    [F.H_MAX_PREFIX_LEN, maxPrefixLen],
    [F.H_JSON_OFF, jsonOff],
    [F.H_JSON_LEN, json.length],
    [F.H_GATEWAY_COUNT, gateways.length],
    [F.H_RULE_TEXTS_OFF, ruleTextsOff],
  ];
  for (const [word, value] of header) view.setUint32(headerOff + word * 4, value >>> 0, true);
  let manifest: TableManifest | undefined;
  return {
    table,
    sha256: createHash('sha256').update(table).digest('hex'),
    get manifest(): TableManifest {
      return (manifest ??= new ManifestReader(wire, table).manifest());
    },
  };
}
