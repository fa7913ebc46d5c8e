/**
 * Runs `switchyard serve` as a child process on a directory of manifests, the way an operator
 * would: the object set is written as one YAML file, the gateway is started with a port offset
 * and a loopback address pool of its own, and its stdout events are followed:
 *
 *   {"event":"ready","tableHash":"...","listeners":[{"gateway":"ns/name","listener":"name",
 *    "protocol":"HTTP","address":"127.x.y.z","port":10080}]}
 *   {"event":"reloaded","tableHash":"..."}
 *
 * Rewriting the file (atomically, by rename) makes the gateway hot-reload; `reload()` waits for
 * the next `reloaded` event. Diagnostics (stderr) are kept for failure reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/load/load.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ReadyListener {
  /** `namespace/name` of the Gateway. */
  gateway: string;
  listener: string;
  protocol: string;
  address: string;
  port: number;
}

export interface ReadyEvent {
  event: 'ready';
  tableHash: string;
  listeners: ReadyListener[];
}

export interface ReloadedEvent {
  event: 'reloaded';
  tableHash: string;
}

/** Parses one stdout line; undefined when it is not a gateway event. */
export function parseGatewayEvent(line: string): ReadyEvent | ReloadedEvent | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const e = value as Record<string, unknown>;
  if (e.event === 'reloaded' && typeof e.tableHash === 'string') return { event: 'reloaded', tableHash: e.tableHash };
  if (e.event === 'ready' && typeof e.tableHash === 'string' && Array.isArray(e.listeners)) {
    const listeners: ReadyListener[] = [];
    for (const l of e.listeners as Record<string, unknown>[]) {
      if (typeof l?.gateway !== 'string' || typeof l.address !== 'string' || typeof l.port !== 'number') {
        throw new Error(`malformed listener in the ready event: ${JSON.stringify(l)}`);
      }
      listeners.push({ gateway: l.gateway, listener: String(l.listener ?? ''), protocol: String(l.protocol ?? ''), address: l.address, port: l.port });
    }
    return { event: 'ready', tableHash: e.tableHash, listeners };
  }
  return undefined;
}

/** The YAML stream of `objects`, in order. */
export function manifestsYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

function newestMtime(dir: string, depth = 8): number {
  if (!existsSync(dir) || depth === 0) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, depth - 1));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The command that starts the CLI: the compiled `dist/src/cli/bin.js` when it is newer than every
 * source file of src/ and host-node/ (`npm test` builds first), else the sources through tsx.
 * `SWITCHYARD_SERVE_FROM=dist|source` forces one.
 */
export function serveCommand(): { command: string; args: string[]; from: 'dist' | 'source' } {
  const dist = join(REPO_ROOT, 'dist/src/cli/bin.js');
  const forced = process.env.SWITCHYARD_SERVE_FROM;
  let useDist: boolean;
  if (forced === 'dist' || forced === 'source') useDist = forced === 'dist';
  else {
    useDist = existsSync(dist) && statSync(dist).mtimeMs >= Math.max(newestMtime(join(REPO_ROOT, 'src')), newestMtime(join(REPO_ROOT, 'host-node')));
  }
  return useDist
    ? { command: process.execPath, args: [dist], from: 'dist' }
    : { command: process.execPath, args: ['--import', 'tsx', join(REPO_ROOT, 'src/cli/bin.ts')], from: 'source' };
}

export interface GatewayOptions {
  /** Added to every listener port. */
  portOffset: number;
  /** CIDR the Gateways' loopback addresses are taken from. */
  addressPool: string;
  /** How long to wait for the ready event; default 30 s. */
  readyTimeoutMs?: number;
  /** The program to run instead of `serveCommand()` (it gets the same `serve ...` arguments). */
  command?: { command: string; args: string[] };
  /** Options added after the standard ones. */
  extraArgs?: string[];
}

/** Keeps at most `max` characters of the newest output. */
class Tail {
  private text = '';
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.max);
  }
  toString(): string {
    return this.text;
  }
}

type Waiter = { resolve: (e: ReloadedEvent) => void; reject: (err: Error) => void; timer: NodeJS.Timeout };

/** One `switchyard serve` process serving one manifest directory. */
export class GatewayProcess {
  readonly stderr = new Tail(16_000);
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private reloads: ReloadedEvent[] = [];
  private waiters: Waiter[] = [];
  private readyEvent: ReadyEvent | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly workDir: string,
    private readonly manifestDir: string,
  ) {}

  get ready(): ReadyEvent {
    if (!this.readyEvent) throw new Error('the gateway is not ready');
    return this.readyEvent;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Writes `objects` and starts the gateway on them; resolves once it reported ready. */
  static async start(objects: readonly KubeObject[], options: GatewayOptions): Promise<GatewayProcess> {
    const workDir = await mkdtemp(join(tmpdir(), 'switchyard-http-'));
    const manifestDir = join(workDir, 'manifests');
    await mkdir(manifestDir);
    await mkdir(join(workDir, 'staging'));
    await writeFile(join(manifestDir, 'cluster.yaml'), manifestsYaml(objects));
    const { command, args } = options.command ?? serveCommand();
    const child = spawn(
      command,
      [
        ...args,
        'serve',
        manifestDir,
        '--port-offset',
        String(options.portOffset),
        '--address-pool',
        options.addressPool,
        '--status-file',
        join(workDir, 'status.yaml'),
        ...(options.extraArgs ?? []),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
    );
    const gateway = new GatewayProcess(child, workDir, manifestDir);
    try {
      await gateway.waitReady(options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      await gateway.stop();
      throw err;
    }
    return gateway;
  }

  private waitReady(timeoutMs: number): Promise<void> {
    const { child } = this;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => this.stderr.push(chunk));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`switchyard serve did not report ready within ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let event: ReturnType<typeof parseGatewayEvent>;
        try {
          event = parseGatewayEvent(line);
        } catch (err) {
          clearTimeout(timer);
          reject(err as Error);
          return;
        }
        if (event?.event === 'ready' && !this.readyEvent) {
          this.readyEvent = event;
          clearTimeout(timer);
          resolve();
        } else if (event?.event === 'reloaded') {
          const waiter = this.waiters.shift();
          if (waiter) {
            clearTimeout(waiter.timer);
            waiter.resolve(event);
          } else this.reloads.push(event);
        }
      });
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        clearTimeout(timer);
        const err = new Error(`switchyard serve exited (${signal ?? `code ${code}`})\n${this.stderr}`);
        reject(err);
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(err);
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Replaces the manifests (atomic rename) and waits for the gateway's next `reloaded` event. */
  async reload(objects: readonly KubeObject[], timeoutMs = 30_000): Promise<ReloadedEvent> {
    if (this.exited) throw new Error(`switchyard serve is not running\n${this.stderr}`);
    this.reloads = [];
    const waiting = new Promise<ReloadedEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`switchyard serve did not report a reload within ${timeoutMs} ms\n${this.stderr}`));
      }, timeoutMs);
      this.waiters.push({ resolve, reject, timer });
    });
    const staged = join(this.workDir, 'staging', 'cluster.yaml');
    await writeFile(staged, manifestsYaml(objects));
    await rename(staged, join(this.manifestDir, 'cluster.yaml'));
    return waiting;
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes its files. */
  async stop(): Promise<void> {
    const { child } = this;
    if (!this.exited && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killTimer);
    }
    await rm(this.workDir, { recursive: true, force: true });
  }
}
