/**
 * Child-process helpers for the operations tests: start `switchyard serve` (or the demo) from
 * the sources, follow its stdout JSON lines, send plain node:http requests on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A port offset that puts listener port `listenerPort` on a port that was just free. */
export async function freeOffset(listenerPort = 8080): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port - listenerPort;
}

export interface Child {
  readonly process: ChildProcess;
  /** stdout lines so far. */
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves with the first stdout line (present or future) `match` accepts; rejects after `timeoutMs` or on exit. */
  waitLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** JSON objects of the stdout lines that are JSON. */
  json(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (test cleanup). */
  kill(): void;
}

/** Runs a TypeScript entry of this repository with tsx. */
export function startTs(entry: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    lines,
    stderr: () => stderr,
    waitLine(match, timeoutMs = 30_000) {
      const found = lines.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${signal ?? code}) before a matching line\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
        });
      });
    },
    json() {
      return lines.flatMap((l) => {
        try {
          const value = JSON.parse(l) as unknown;
          return value && typeof value === 'object' ? [value as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      });
    },
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs `switchyard serve` from the sources. */
export function startServe(args: readonly string[]): Child {
  return startTs('src/cli/bin.ts', ['serve', ...args]);
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a fresh connection. */
export function send(url: string, options: { host?: string; headers?: Record<string, string>; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...(options.headers ?? {}), ...(options.host ? { host: options.host } : {}) };
    const req = request(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The admin URL a process logged (`msg: "admin server listening"`). */
export async function adminUrl(child: Child): Promise<string> {
  const line = await child.waitLine((l) => l.includes('"admin server listening"'));
  return (JSON.parse(line) as { admin: string }).admin;
}
