/**
 * One adapter per router under test. Each builds the benchmark table (routes.ts) in the router's
 * closest native encoding and exposes
 *  - `lookup(path)`: the router's own lookup, returning its raw result (timed), and
 *  - `answer(path)`: the same lookup reduced to the route number (-1 = no route), used to check
 *    that every adapter gives identical answers before anything is timed.
 *
 * Encodings (performance.md §1.2): find-my-way and memoirist `P` + `P/*`, koa-tree-router `P` +
 * `P/*rest`, hono `P/*` alone (its trailing `/*` also matches `P`), the plain JS walk an exact
 * `Map` plus a prefix `Map` probed at each `/` boundary, longest first. The Switchyard core runs
 * through the real host path: `router.match()` with a MatchRequest, returning a full Decision.
 */
import FindMyWay from 'find-my-way';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { TrieRouter } from 'hono/router/trie-router';
import KoaTreeRouter from 'koa-tree-router';
import { Memoirist } from 'memoirist';
import { compileTable } from '../../src/compile/compile.js';
import { ReferenceMatcher } from '../../src/reference/matcher.js';
import { createRouter, loadCoreModule } from '../../src/runtime/router.js';
import type { Decision, NoRoute } from '../../src/runtime/types.js';
import { FULL_HEADERS, FULL_HOST, HOST, PORT, resolution, type RouteDef } from './routes.js';

export interface Built {
  lookup: (path: string) => unknown;
  answer: (path: string) => number;
  /** Phases of the build in ms (e.g. compile and load), when the router has several. */
  phases?: Record<string, number>;
  /** Size of a serialised table, when the router has one. */
  tableBytes?: number;
}

export interface Adapter {
  name: string;
  /** Whether lookups carry the full request (host, method, headers, query) rather than a path. */
  full: boolean;
  /** Largest table size the adapter is run at (slow matchers). */
  maxRoutes: number;
  /**
   * Always build this many routes (and run that table's lookups), whatever the size under test:
   * a small-table twin timed in the same process as a large table, for a paired scaling ratio.
   */
  fixedRoutes?: number;
  build(routes: readonly RouteDef[]): Promise<Built>;
}

const handler = (): void => {};

function switchyardAnswer(d: Decision | NoRoute): number {
  if (!d.matched) return -1;
  const name = d.route.name;
  return name.charCodeAt(0) === 0x72 /* r */ ? Number(name.slice(1)) : -1;
}

function switchyard(full: boolean, fixedRoutes?: number): Adapter {
  return {
    name: fixedRoutes !== undefined ? `switchyard core, ${fixedRoutes}-route twin` : full ? 'switchyard core, full match' : 'switchyard core',
    full,
    maxRoutes: Infinity,
    ...(fixedRoutes !== undefined ? { fixedRoutes } : {}),
    async build(routes) {
      const res = resolution(routes.length, full);
      const module = await loadCoreModule();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const compiled = compileTable(res);
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      const router = await createRouter(compiled.table, { module });
      const t2 = performance.now();
      const lookup = full
        ? (path: string) => router.match({ method: 'GET', host: FULL_HOST, path, port: PORT, headers: FULL_HEADERS })
        : (path: string) => router.match({ method: 'GET', host: HOST, path, port: PORT });
      return {
        lookup,
        answer: (path) => switchyardAnswer(lookup(path)),
        phases: { compile: t1 - t0, 'compile CPU': (c1.user + c1.system) / 1000, load: t2 - t1 },
        tableBytes: compiled.table.length,
      };
    },
  };
}

function reference(full: boolean): Adapter {
  return {
    name: full ? 'reference matcher (TS), full match' : 'reference matcher (TS)',
    full,
    maxRoutes: 1000,
    async build(routes) {
      const matcher = new ReferenceMatcher(resolution(routes.length, full));
      const lookup = full
        ? (path: string) => matcher.match({ method: 'GET', host: FULL_HOST, path, port: PORT, headers: FULL_HEADERS })
        : (path: string) => matcher.match({ method: 'GET', host: HOST, path, port: PORT });
      return { lookup, answer: (path) => switchyardAnswer(lookup(path)) };
    },
  };
}

function findMyWay(compiled: boolean): Adapter {
  return {
    name: compiled ? 'find-my-way compile()' : 'find-my-way (tree)',
    full: false,
    maxRoutes: Infinity,
    async build(routes) {
      const router = FindMyWay();
      for (const r of routes) {
        router.on('GET', r.path, handler, r.index);
        if (r.type === 'PathPrefix') router.on('GET', `${r.path}/*`, handler, r.index);
      }
      if (compiled) {
        router.compile();
        router.find('GET', '/'); // compile() is lazy per method tree: build it now
      }
      const lookup = (path: string) => router.find('GET', path);
      return { lookup, answer: (path) => (lookup(path)?.store as number | undefined) ?? -1 };
    },
  };
}

const memoirist: Adapter = {
  name: 'memoirist',
  full: false,
  maxRoutes: Infinity,
  async build(routes) {
    const router = new Memoirist<number>();
    for (const r of routes) {
      router.add('GET', r.path, r.index);
      if (r.type === 'PathPrefix') router.add('GET', `${r.path}/*`, r.index);
    }
    const lookup = (path: string) => router.find('GET', path);
    return { lookup, answer: (path) => lookup(path)?.store ?? -1 };
  },
};

const koaTree: Adapter = {
  name: 'koa-tree-router',
  full: false,
  maxRoutes: Infinity,
  async build(routes) {
    const router = new KoaTreeRouter();
    for (const r of routes) {
      const h = Object.assign(() => {}, { route: r.index });
      router.get(r.path, h);
      if (r.type === 'PathPrefix') router.get(`${r.path}/*rest`, h);
    }
    const find = router as unknown as { find(method: string, path: string): { handle: { route: number }[] | null } };
    const lookup = (path: string) => find.find('GET', path);
    return { lookup, answer: (path) => lookup(path).handle?.[0]?.route ?? -1 };
  },
};

function hono(kind: 'RegExpRouter' | 'TrieRouter'): Adapter {
  return {
    name: `hono ${kind}`,
    full: false,
    maxRoutes: Infinity,
    async build(routes) {
      const router = kind === 'RegExpRouter' ? new RegExpRouter<number>() : new TrieRouter<number>();
      for (const r of routes) router.add('GET', r.type === 'PathPrefix' ? `${r.path}/*` : r.path, r.index);
      router.match('GET', '/'); // both build their matcher on the first lookup
      const lookup = (path: string) => router.match('GET', path);
      return { lookup, answer: (path) => (lookup(path)[0][0]?.[0] as number | undefined) ?? -1 };
    },
  };
}

const mapSegmentWalk: Adapter = {
  name: 'js-map-segment-walk',
  full: false,
  maxRoutes: Infinity,
  async build(routes) {
    const exact = new Map<string, number>();
    const prefix = new Map<string, number>();
    let maxLen = 0;
    for (const r of routes) {
      if (r.type === 'Exact') exact.set(r.path, r.index);
      else {
        prefix.set(r.path, r.index);
        maxLen = Math.max(maxLen, r.path.length);
      }
    }
    const lookup = (path: string): number => {
      const e = exact.get(path);
      if (e !== undefined) return e;
      const len = path.length;
      // Segment boundaries from the longest candidate down: the end, then every `/`.
      let p = len <= maxLen ? len : path.lastIndexOf('/', maxLen);
      while (p > 0) {
        const v = prefix.get(p === len ? path : path.slice(0, p));
        if (v !== undefined) return v;
        p = path.lastIndexOf('/', p - 1);
      }
      return -1;
    };
    return { lookup, answer: lookup };
  },
};

export const ADAPTERS: readonly Adapter[] = [
  switchyard(false),
  findMyWay(false),
  findMyWay(true),
  memoirist,
  koaTree,
  hono('RegExpRouter'),
  hono('TrieRouter'),
  mapSegmentWalk,
  reference(false),
  switchyard(true),
  reference(true),
  switchyard(false, 10),
];

/** Adapters whose names contain one of `filter` (comma-separated, case-insensitive); all when empty. */
export function selectAdapters(filter: string | undefined): Adapter[] {
  const words = (filter ?? '').toLowerCase().split(',').map((w) => w.trim()).filter(Boolean);
  return ADAPTERS.filter((a) => words.length === 0 || words.some((w) => a.name.toLowerCase().includes(w)));
}
