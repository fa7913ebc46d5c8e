/**
 * Shared pieces of the process-level benchmarks (proxy, edge, reload): /proc accounting, child
 * processes with a ready handshake, CPU pinning, the load generator child, medians and the
 * generated sections of bench/RESULTS.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const log = (text: string): void => void process.stderr.write(`${text}\n`);

let clockTicks: number | undefined;
/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
export function clkTck(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clockTicks = Number(r.stdout?.trim()) || 100;
  }
  return clockTicks;
}

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces: split after its closing parenthesis.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of one process in microseconds (/proc/<pid>/stat fields 14 and 15). */
export function cpuMicros(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  // After the comm field, index 0 is field 3 (state): utime is field 14 → index 11, stime → 12.
  return ((Number(f[11]) + Number(f[12])) * 1e6) / clkTck();
}

/** The process and all its descendants (for proxies that fork, e.g. nginx with a master). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function treeCpuMicros(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

/** Direct children of `parent` whose command name is `comm`. */
export function childrenNamed(parent: number, comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && name === comm) out.push(Number(entry));
    } catch {
      // The process ended while listing.
    }
  }
  return out;
}

/** Resident set size and its peak, in bytes (/proc/<pid>/status VmRSS, VmHWM). */
export function memory(pid: number): { rss: number; peak: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** CPU pinning with taskset when there are at least 2 CPUs (PIN=0 disables it). */
export function pinned(cpu: number | undefined, argv: string[]): string[] {
  if (cpu === undefined || process.env.PIN === '0' || cpus().length < 2 || !onPath('taskset')) return argv;
  return ['taskset', '-c', String(cpu % cpus().length), ...argv];
}

/** A free loopback TCP port (bound to 0, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The first message the child sent over IPC (its ready message). */
  ready: Record<string, unknown>;
  /** Sends a request over IPC and waits for the next reply. */
  ask(message: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The TypeScript entry `file` in a Node child (tsx loader), optionally pinned, that sends `{ ready: true, ... }` over IPC. */
export function startTsChild(file: string, args: string[], options: { cpu?: number; env?: Record<string, string>; nodeFlags?: string[]; timeoutMs?: number } = {}): Promise<Child> {
  const argv = pinned(options.cpu, [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx', file, ...args]);
  return startChild(argv, { ...options, ipc: true });
}

const BUILD_DIR = fileURLToPath(new URL('./.build/', import.meta.url));
const built = new Map<string, string>();

/**
 * Bundles a TypeScript entry into plain ESM (esbuild, packages left external) under
 * bench/proxy/.build/, so benchmarked processes run as compiled JavaScript, like
 * `switchyard serve` from dist/, without a TypeScript loader in their memory. The core's
 * wasm location (`import.meta.url` of src/runtime/router.ts) is kept pointing at the repository.
 */
export async function compiledEntry(file: string): Promise<string> {
  const cached = built.get(file);
  if (cached) return cached;
  const { build } = await import('esbuild');
  mkdirSync(BUILD_DIR, { recursive: true });
  const outfile = join(BUILD_DIR, `${basename(file, '.ts')}-${process.pid}.mjs`);
  await build({
    entryPoints: [file],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/runtime/router.js')).href) },
  });
  built.set(file, outfile);
  return outfile;
}

/** Removes this process's bundles (and the directory once empty). */
export function removeCompiledEntries(): void {
  for (const f of built.values()) rmSync(f, { force: true });
  built.clear();
  try {
    if (readdirSync(BUILD_DIR).length === 0) rmSync(BUILD_DIR, { recursive: true });
  } catch {
    // Already gone.
  }
}

/**
 * A benchmarked Node process: the entry compiled to JavaScript (TSX=1 runs it through the tsx
 * loader instead, as `--cpu-prof` runs do to keep source locations).
 */
export async function startNodeTarget(file: string, options: { cpu?: number; env?: Record<string, string>; nodeFlags?: string[]; timeoutMs?: number; tsx?: boolean } = {}): Promise<Child> {
  if (options.tsx || process.env.TSX === '1') return startTsChild(file, [], options);
  const entry = await compiledEntry(file);
  return startChild(pinned(options.cpu, [process.execPath, ...(options.nodeFlags ?? []), entry]), { ...options, ipc: true });
}

/** Any command; with `ipc` the child must send a ready message, otherwise `readyWhen` decides. */
export function startChild(
  argv: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; ipc?: boolean; readyWhen?: () => Promise<boolean>; cwd?: string } = {},
): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: options.ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'inherit', 'inherit'],
    });
    let done = false;
    const timer = setTimeout(() => fail(new Error(`${argv.join(' ')} not ready after ${options.timeoutMs ?? 120_000} ms`)), options.timeoutMs ?? 120_000);
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(err);
    };
    proc.once('error', fail);
    proc.once('exit', (code, signal) => fail(new Error(`${argv.join(' ')} exited (${code ?? signal}) before it was ready`)));
    // taskset execs the command, so the pid is the command's own.
    const child = (ready: Record<string, unknown>): Child => {
      const waiting: ((m: Record<string, unknown>) => void)[] = [];
      proc.on('message', (m) => waiting.shift()?.(m as Record<string, unknown>));
      return {
        proc,
        pid: proc.pid!,
        ready,
        ask(message, timeoutMs = 120_000) {
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error(`no answer to ${JSON.stringify(message)}`)), timeoutMs);
            waiting.push((m) => {
              clearTimeout(t);
              res(m);
            });
            proc.send(message);
          });
        },
        stop: () => stopProcess(proc),
      };
    };
    const ok = (ready: Record<string, unknown>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve(child(ready));
    };
    if (options.ipc) proc.once('message', (m) => ok(m as Record<string, unknown>));
    else if (options.readyWhen) {
      const poll = async () => {
        while (!done) {
          if (await options.readyWhen!().catch(() => false)) return ok({});
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      void poll();
    } else ok({});
  });
}

export function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

export interface LoadResult {
  requests: number;
  /** 2xx answers only count as served; errors and non-2xx are reported separately. */
  non2xx: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

const LOADGEN = fileURLToPath(new URL('./loadgen.ts', import.meta.url));

/**
 * Runs the load generator (autocannon) in its own process: `connections` keep-alive connections
 * for at most `seconds` and at most `maxRequests` requests.
 */
export async function load(url: string, options: { seconds: number; connections: number; maxRequests: number; cpu?: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const argv = pinned(options.cpu, [process.execPath, '--import', 'tsx', LOADGEN]);
  return new Promise((resolve, reject) => {
    const proc = spawn(argv[0], argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOAD: JSON.stringify({ url, ...options }) } });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const guard = setTimeout(() => proc.kill('SIGKILL'), (options.seconds + 30) * 1000);
    proc.on('exit', (code) => {
      clearTimeout(guard);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function minMax(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtRate(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
}

export function fmtBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} B`;
}

export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**';
}

/** Machine, load and date line every section starts with. */
export class RunInfo {
  readonly loadBefore = loadavg();
  readonly started = new Date();

  line(): string {
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const date = this.started.toISOString().slice(0, 16).replace('T', ' ');
    const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    return `Run ${date} UTC: ${cpus().length} cores (nproc), ${cpu}, Node ${process.version}; load average ${la(this.loadBefore)} at start, ${la(loadavg())} at end.`;
  }
}

/**
 * Rewrites the generated section `name` of the results file (RESULTS=path overrides it; RESULTS=
 * empty skips writing), keeping everything outside its markers; appends it when absent.
 */
export function writeSection(name: string, command: string, markdown: string): void {
  const target = process.env.RESULTS ?? fileURLToPath(new URL('../RESULTS.md', import.meta.url));
  if (!target) return;
  const start = `<!-- bench:${name}:start (generated by \`${command}\`; edits inside are overwritten) -->`;
  const end = `<!-- bench:${name}:end -->`;
  const previous = existsSync(target) ? readFileSync(target, 'utf8') : '# Benchmark results\n';
  const i = previous.indexOf(`<!-- bench:${name}:start`);
  const j = previous.indexOf(end);
  const body = `${start}\n${markdown.trimEnd()}\n\n${end}`;
  const next = i >= 0 && j > i ? `${previous.slice(0, i)}${body}${previous.slice(j + end.length)}` : `${previous.trimEnd()}\n\n${body}\n`;
  writeFileSync(target, next);
  log(`updated ${target} (section ${name})`);
}

/** Writes the raw figures as JSON when JSON_OUT is set (the smoke test reads them). */
export function writeJson(value: unknown): void {
  if (process.env.JSON_OUT) writeFileSync(process.env.JSON_OUT, JSON.stringify(value, null, 2));
}

export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

export function envList(name: string, fallback: number[]): number[] {
  const v = process.env[name];
  return v ? v.split(',').map(Number) : fallback;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
