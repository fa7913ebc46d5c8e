/**
 * Runs every benchmark in turn, each regenerating its own section of bench/RESULTS.md:
 * matcher (`npm run bench:match`), proxy, edge, reload. Each runs as its own process with the
 * environment of this one (e.g. RESULTS=, DURATION=, ROUNDS= apply to all that read them).
 *
 *   npm run bench
 *   env: BENCHES=match,proxy,edge,reload (subset, in this order)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALL: Record<string, { file: string; flags: string[] }> = {
  match: { file: './matcher/run.ts', flags: ['--expose-gc'] },
  proxy: { file: './proxy/run.ts', flags: [] },
  edge: { file: './edge/run.ts', flags: [] },
  reload: { file: './reload/run.ts', flags: [] },
};
const selected = (process.env.BENCHES ?? Object.keys(ALL).join(',')).split(',').filter((b) => b in ALL);

const failed: string[] = [];
for (const name of selected) {
  const { file, flags } = ALL[name];
  process.stderr.write(`\n== bench:${name} ==\n`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit', env: process.env });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) failed.push(name);
}
if (failed.length) {
  process.stderr.write(`benchmarks failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
