/**
 * Markdown tables of a matcher benchmark run, and the performance targets M1-M4 and S1 checked
 * on the figures (ratios of routers measured in the same process, interleaved).
 */
import { median, netRate } from './measure.js';
import { WORKLOADS, type Workload } from './routes.js';

export interface AdapterResult {
  name: string;
  full: boolean;
  buildMs: number;
  /** Process CPU time (user + system, all threads) spent in the build. */
  buildCpuMs: number;
  /** Every build (the first, then round-robin rebuilds); buildMs, buildCpuMs and phases are their medians. */
  builds: { wall: number; cpu: number; phases?: Record<string, number> }[];
  phases?: Record<string, number>;
  heapBytes: number;
  tableBytes?: number;
  /** Gross lookups/s per round (string creation included). */
  rates: Partial<Record<Workload, number[]>>;
}

export interface SizeResult {
  n: number;
  /** String-creation-only rates per round, for path-only and full (path + query) lookups. */
  strings: { path: Partial<Record<Workload, number[]>>; full: Partial<Record<Workload, number[]>> };
  adapters: AdapterResult[];
  load: number[];
}

export interface RunInfo {
  machine: string;
  load: string;
  command: string;
  date: string;
}

const SWITCHYARD = 'switchyard core';
const SWITCHYARD_FULL = 'switchyard core, full match';
const TWIN = 'switchyard core, 10-route twin';
const FMW = 'find-my-way (tree)';
const FMW_COMPILED = 'find-my-way compile()';

/** Net lookups/s (median over rounds of per-round net rates), or undefined when not run. */
export function net(size: SizeResult, name: string, w: Workload): number | undefined {
  const a = size.adapters.find((x) => x.name === name);
  const gross = a?.rates[w];
  const strings = a ? (a.full ? size.strings.full : size.strings.path)[w] : undefined;
  if (!gross || !strings) return undefined;
  return median(gross.map((g, i) => netRate(g, strings[i] ?? median(strings))));
}

function nets(size: SizeResult, name: string, w: Workload): number[] | undefined {
  const a = size.adapters.find((x) => x.name === name);
  const gross = a?.rates[w];
  const strings = a ? (a.full ? size.strings.full : size.strings.path)[w] : undefined;
  if (!gross || !strings) return undefined;
  return gross.map((g, i) => netRate(g, strings[i] ?? median(strings)));
}

/**
 * Median over rounds of the per-round ratio a/b: both were measured back to back in each round,
 * so this cancels load that changes from round to round better than a ratio of medians.
 */
export function pairedRatio(size: SizeResult, a: string, b: string, w: Workload): number | undefined {
  const x = nets(size, a, w);
  const y = nets(size, b, w);
  if (!x || !y) return undefined;
  return median(x.map((v, i) => v / y[i]));
}

function spread(size: SizeResult, name: string, w: Workload): string {
  const a = size.adapters.find((x) => x.name === name);
  const gross = a?.rates[w];
  const strings = a ? (a.full ? size.strings.full : size.strings.path)[w] : undefined;
  if (!gross || !strings || gross.length < 2) return '';
  const nets = gross.map((g, i) => netRate(g, strings[i] ?? median(strings)));
  return ` (${rate(Math.min(...nets))}–${rate(Math.max(...nets))})`;
}

export function rate(v: number | undefined): string {
  if (v === undefined) return '–';
  if (!Number.isFinite(v)) return '∞';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(0);
}

const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`);
const fmtRatio = (r: number | undefined): string => (r === undefined ? '–' : Number.isFinite(r) ? `${r.toFixed(2)}×` : '∞');
const bytes = (b: number | undefined): string =>
  b === undefined ? '–' : b < 1024 ? '< 1 KiB' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(0)} KiB` : `${b} B`;
const ms = (v: number | undefined): string => (v === undefined ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

function names(sizes: readonly SizeResult[]): string[] {
  const out: string[] = [];
  for (const s of sizes) for (const a of s.adapters) if (!out.includes(a.name)) out.push(a.name);
  return out;
}

export function renderMarkdown(sizes: readonly SizeResult[], info: RunInfo): string {
  const lines: string[] = [];
  const ns = sizes.map((s) => s.n);
  const first = sizes[0];
  const last = sizes[sizes.length - 1];
  const workloads = WORKLOADS.filter((w) => sizes.some((s) => s.adapters.some((a) => a.rates[w])));
  lines.push(`Run ${info.date}: ${info.machine}; ${info.load}.`, '', `Command: \`${info.command}\``, '');
  lines.push(
    'Lookups/s are medians of the rounds (min–max in parentheses), **net of fresh-string creation**; ratios are',
    'against find-my-way (tree) of the same run (median of per-round ratios). "switchyard core" is `router.match()` on the real host path',
    '(request encoding, one core call, full Decision); "full match" adds host, method, 2 headers and 1 query.',
    '',
  );
  if (workloads.includes('mixed')) {
    lines.push('**Mixed workload** (256 distinct paths: 50% deep prefix hits, 25% exact hits, 25% boundary misses)', '');
    lines.push(`| router | ${ns.map((n) => `N=${n.toLocaleString('en-US')}`).join(' | ')} | ${ns.map((n) => `÷ fmw @${n.toLocaleString('en-US')}`).join(' | ')} | ${last.n}÷${first.n} |`);
    lines.push(`|---|${ns.map(() => '---:').join('|')}|${ns.map(() => '---:').join('|')}|---:|`);
    for (const name of names(sizes)) {
      const vals = sizes.map((s) => net(s, name, 'mixed'));
      lines.push(
        `| ${name} | ${sizes.map((s, i) => rate(vals[i]) + spread(s, name, 'mixed')).join(' | ')} | ${sizes.map((s) => fmtRatio(pairedRatio(s, name, FMW, 'mixed'))).join(' | ')} | ${ratio(vals[vals.length - 1], vals[0])} |`,
      );
    }
    lines.push(`| *(fresh string creation alone)* | ${sizes.map((s) => rate(s.strings.path.mixed ? median(s.strings.path.mixed) : undefined)).join(' | ')} | | | |`, '');
  }
  for (const s of sizes) {
    lines.push(`**Per workload at N=${s.n.toLocaleString('en-US')}** (net lookups/s, ratio to find-my-way tree)`, '');
    lines.push(`| router | ${workloads.join(' | ')} |`, `|---|${workloads.map(() => '---:').join('|')}|`);
    for (const a of s.adapters) {
      lines.push(`| ${a.name} | ${workloads.map((w) => `${rate(net(s, a.name, w))} (${fmtRatio(pairedRatio(s, a.name, FMW, w))})`).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('**Build and memory** (build = from the route list to the first possible lookup, median of the first build and the round-robin rebuilds, wall ms / process CPU ms (steadier under load); memory = JS heap + ArrayBuffers retained after the first build)', '');
  lines.push(`| router | ${ns.map((n) => `build ms @${n.toLocaleString('en-US')}`).join(' | ')} | ${ns.map((n) => `memory @${n.toLocaleString('en-US')}`).join(' | ')} |`);
  lines.push(`|---|${ns.map(() => '---:').join('|')}|${ns.map(() => '---:').join('|')}|`);
  for (const name of names(sizes)) {
    const rows = sizes.map((s) => s.adapters.find((a) => a.name === name));
    const build = rows.map((a) => (a ? `${ms(a.buildMs)} / ${ms(a.buildCpuMs)} CPU` + (a.phases ? ` (${Object.entries(a.phases).map(([k, v]) => `${k} ${ms(v)}`).join(', ')})` : '') : '–'));
    const mem = rows.map((a, i) => (a ? bytes(a.heapBytes) + (a.tableBytes !== undefined ? ` (table ${bytes(a.tableBytes)}, ${(a.tableBytes / sizes[i].n).toFixed(0)} B/route)` : '') : '–'));
    lines.push(`| ${name} | ${build.join(' | ')} | ${mem.join(' | ')} |`);
  }
  lines.push('', ...targets(sizes), '');
  return lines.join('\n') + '\n';
}

function targets(sizes: readonly SizeResult[]): string[] {
  const at = (n: number): SizeResult | undefined => sizes.find((s) => s.n === n);
  const mixed = (n: number, name: string): number | undefined => {
    const s = at(n);
    return s ? net(s, name, 'mixed') : undefined;
  };
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**');
  const out = ['**Targets** (mixed workload, net lookups/s; ratios of engines measured in the same process are medians of per-round ratios)', '', '| target | figure | verdict |', '|---|---|---|'];
  const paired = (n: number, a: string, b: string): number | undefined => {
    const s = at(n);
    return s ? pairedRatio(s, a, b, 'mixed') : undefined;
  };
  for (const n of [1000, 10000]) {
    const r = paired(n, SWITCHYARD, FMW);
    out.push(`| M1: core ≥ 1.5× find-my-way tree @${n.toLocaleString('en-US')} | ${fmt(r)} | ${verdict(r === undefined ? undefined : r >= 1.5)} |`);
  }
  const rc = paired(10000, SWITCHYARD, FMW_COMPILED);
  out.push(`| M1: core ≥ 1.0× find-my-way compile() @10,000 | ${fmt(rc)} | ${verdict(rc === undefined ? undefined : rc >= 1.0)} |`);
  const m2 = ratioOf(mixed(10000, SWITCHYARD), mixed(10, SWITCHYARD));
  out.push(`| M2: core @10,000 ≥ 0.8× core @10 (separate processes) | ${fmt(m2)} | ${verdict(m2 === undefined ? undefined : m2 >= 0.8)} |`);
  const m2p = paired(10000, SWITCHYARD, TWIN);
  if (m2p !== undefined) out.push(`| M2: core @10,000 ≥ 0.8× a 10-route core timed in the same process | ${fmt(m2p)} | ${verdict(m2p >= 0.8)} |`);
  for (const n of sizes.map((s) => s.n)) {
    const f = mixed(n, SWITCHYARD_FULL);
    const p = mixed(n, SWITCHYARD);
    const s = at(n);
    const cost = s ? pairedRatio(s, SWITCHYARD, SWITCHYARD_FULL, 'mixed') : undefined;
    out.push(`| M3: full match ≤ 2× the time of a path-only match @${n.toLocaleString('en-US')} | ${cost === undefined ? '–' : `${cost.toFixed(2)}× (${rate(f)} vs ${rate(p)})`} | ${verdict(cost === undefined ? undefined : cost <= 2)} |`);
  }
  const big = at(10000);
  const core = big?.adapters.find((a) => a.name === SWITCHYARD);
  const fmw = big?.adapters.find((a) => a.name === FMW);
  if (core?.phases && fmw) {
    const cpu = core.phases['compile CPU'];
    out.push(`| M4: compile 10,000 routes ≤ find-my-way build (wall) | ${ms(core.phases.compile)} ms vs ${ms(fmw.buildMs)} ms | ${verdict(core.phases.compile <= fmw.buildMs)} |`);
    if (cpu !== undefined) out.push(`| M4: compile 10,000 routes ≤ find-my-way build (process CPU) | ${ms(cpu)} ms vs ${ms(fmw.buildCpuMs)} ms | ${verdict(cpu <= fmw.buildCpuMs)} |`);
    out.push(`| M4: load the 10,000-route table into a fresh core ≤ 20 ms | ${ms(core.phases.load)} ms | ${verdict(core.phases.load <= 20)} |`);
  }
  if (core?.tableBytes !== undefined && big) {
    const per = core.tableBytes / big.n;
    out.push(`| S1: table ≤ 64 bytes per simple route (10,000 routes) | ${per.toFixed(1)} B/route | ${verdict(per <= 64)} |`);
  }
  return out;
}

const ratioOf = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b);
const fmt = (r: number | undefined): string => (r === undefined ? '–' : `${r.toFixed(2)}×`);
