/**
 * Real processes for the battery (B8, B9): recording backends in child processes that can be
 * killed with SIGKILL, and `switchyard serve` as a child (host-node/ops/test-support.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { adminUrl, freeOffset, REPO_ROOT, startServe, type Child } from '../../host-node/ops/test-support.js';
import type { ManifestDir } from '../../host-node/test-support.js';

export interface BackendProcess {
  readonly name: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGKILL, as `kill -9`: the kernel closes its sockets, nothing is answered. */
  kill9(): Promise<void>;
}

/** Starts spec-tests/reliability/backend-main.ts as a child process and waits for its port (at most 20 s). */
export async function startBackendProcess(name: string): Promise<BackendProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'spec-tests/reliability/backend-main.ts', name], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`backend ${name} did not start within 20 s`)), 20_000);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
      void exited.then(() => reject(new Error(`backend ${name} exited before listening`)));
    });
    return { name, port, process: child, kill9 };
  } catch (err) {
    await kill9();
    throw err;
  }
}

/**
 * `switchyard serve` on the manifests of `dir` as a child process, on loopback, with an admin
 * listener and no access log; resolves once it reports ready. The HTTP listener is port 80 + the offset.
 */
export async function startServeProcess(dir: ManifestDir, ...extra: string[]): Promise<{ child: Child; port: number; admin: string }> {
  const offset = await freeOffset(80);
  const child = startServe([dir.dir, '--port-offset', String(offset), '--bind', '127.0.0.1', '--admin', '127.0.0.1:0', '--no-access-log', ...extra]);
  try {
    const admin = await adminUrl(child);
    await child.waitLine((l) => l.includes('"event":"ready"'));
    return { child, port: 80 + offset, admin };
  } catch (err) {
    child.kill();
    throw err;
  }
}
