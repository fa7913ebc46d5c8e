/**
 * Where a reload's time goes, stage by stage, in this process: the manifests of the reload
 * benchmark (bench/proxy/manifests.ts) in a temporary directory, loaded once through the load
 * cache, the validation memo and the previous statuses as a watching gateway does, then
 * rewritten with one more route per repetition and taken again (load, validate + resolve,
 * compile, core load), each stage timed.
 *
 *   node --import tsx bench/reload/stages.ts
 *   env: ROUTE_SIZES=1000,10000  REPEATS=5
 */
import { writeFile } from 'node:fs/promises';
import { compileTable } from '../../src/compile/compile.js';
import { createLoadCache } from '../../src/load/cache.js';
import { resolveLoaded } from '../../src/pipeline.js';
import { createRouter } from '../../src/runtime/router.js';
import { ValidationMemo } from '../../src/validate/index.js';
import { envList, envNumber, fmt, median } from '../proxy/common.js';
import { routesYaml, writeManifests } from '../proxy/manifests.js';

const SIZES = envList('ROUTE_SIZES', [1000, 10000]);
const REPEATS = envNumber('REPEATS', 5);
const STAGES = ['load', 'resolve', 'compile', 'core', 'total'] as const;

async function measure(n: number): Promise<Record<(typeof STAGES)[number], number[]>> {
  const set = await writeManifests(n, 8080, 9090);
  const times = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<(typeof STAGES)[number], number[]>;
  try {
    const cache = createLoadCache();
    const memo = new ValidationMemo();
    const extra: number[] = [];
    // The previous statuses, as the gateway passes them (condition times are kept from them).
    let previous: ReturnType<typeof resolveLoaded>['resolution']['statuses'] | undefined;
    for (let k = 0; k <= REPEATS; k++) {
      if (k > 0) {
        extra.push(k);
        await writeFile(set.routesFile, routesYaml(n, extra));
      }
      const t0 = performance.now();
      const loaded = await cache.load([set.dir]);
      const t1 = performance.now();
      const result = resolveLoaded(loaded, previous ? { previous } : {}, memo);
      previous = result.resolution.statuses;
      const t2 = performance.now();
      const table = compileTable(result.resolution);
      const t3 = performance.now();
      const router = await createRouter(table.table);
      const t4 = performance.now();
      if (result.diagnostics.some((d) => d.severity === 'error')) throw new Error(`N=${n}: errors in the manifests`);
      if (k > 0 && !router.manifest.rules.some((r) => r.name === `reload-${k}`)) throw new Error(`N=${n}: reload-${k} not in the table`);
      if (k === 0) continue; // the first take is the gateway's start
      for (const [stage, ms] of [['load', t1 - t0], ['resolve', t2 - t1], ['compile', t3 - t2], ['core', t4 - t3], ['total', t4 - t0]] as const) times[stage].push(ms);
    }
  } finally {
    await set.remove();
  }
  return times;
}

const rows: string[] = [`| routes | ${STAGES.join(' | ')} |`, `|---:|${STAGES.map(() => '---:').join('|')}|`];
for (const n of SIZES) {
  const times = await measure(n);
  rows.push(`| ${n} | ${STAGES.map((s) => fmt(median(times[s]))).join(' | ')} |`);
}
process.stdout.write(`Reload stages, median of ${REPEATS} (ms; resolve = validate + resolve):\n\n${rows.join('\n')}\n`);
