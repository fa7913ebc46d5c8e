/**
 * Timing loops. Every lookup gets a fresh flat string cut from a Buffer with `latin1Slice`, as
 * an HTTP parser hands a path to a router, so no router profits from a string hash V8 cached on
 * a previous lookup. The cost of making the string is measured by the same loop around an
 * identity function and subtracted (see `netRate`).
 *
 * Each (router, workload) gets its own loop function compiled with `new Function`, so every
 * loop's call site stays monomorphic however many routers run in the process.
 */

export type Loop = (lookup: (path: string) => unknown, buffers: readonly Buffer[], count: number) => number;

interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

const LOOP_BODY = `
  let misses = 0;
  const m = buffers.length;
  for (let i = 0; i < count; i++) {
    const b = buffers[m === 1 ? 0 : i % m];
    if (lookup(b.latin1Slice(0, b.length)) === undefined) misses++;
  }
  return misses;
`;

export function makeLoop(): Loop {
  return new Function('lookup', 'buffers', 'count', LOOP_BODY) as Loop;
}

/** The baseline "router": returns its argument, so the loop only creates strings. */
export const identity = (path: string): unknown => path;

export function toBuffers(paths: readonly string[]): Latin1Buffer[] {
  return paths.map((p) => Buffer.from(p, 'latin1') as Latin1Buffer);
}

export interface Task {
  loop: Loop;
  lookup: (path: string) => unknown;
  buffers: readonly Buffer[];
  /** Lookups per timed call, calibrated to ~5 ms. */
  batch: number;
}

export function task(lookup: (path: string) => unknown, buffers: readonly Buffer[]): Task {
  const t: Task = { loop: makeLoop(), lookup, buffers, batch: 64 };
  // Calibrate (and warm up): grow the batch until one call takes >= 5 ms.
  for (;;) {
    const t0 = performance.now();
    t.loop(t.lookup, t.buffers, t.batch);
    const ms = performance.now() - t0;
    if (ms >= 5 || t.batch >= 1 << 26) break;
    t.batch = Math.min(1 << 26, Math.ceil(t.batch * Math.min(16, Math.max(2, 6 / Math.max(ms, 0.05)))));
  }
  return t;
}

/** Runs the task for about `ms` milliseconds; returns lookups per second. */
export function measure(t: Task, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    t.loop(t.lookup, t.buffers, t.batch);
    n += t.batch;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return (n / elapsed) * 1000;
}

/** Lookups/s with the string creation taken out: 1 / (1/gross - 1/strings). */
export function netRate(gross: number, strings: number): number {
  const perLookup = 1 / gross - 1 / strings;
  return perLookup > 0 ? 1 / perLookup : Infinity;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
