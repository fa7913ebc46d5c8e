import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpEcho, type HttpEchoServer } from '../spec-tests/support/echo/index.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, send, serviceYaml } from './test-support.js';

const OFFSET = portOffset(4);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let echo: HttpEchoServer;
let dir: ManifestDir;
let child: ChildProcess | undefined;

beforeAll(async () => {
  echo = await startHttpEcho({ pod: { namespace: 'infra', pod: 'echo-abc-def' } });
  dir = await ManifestDir.create();
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await echo?.close();
  await dir?.remove();
});

const base = () => [CLASS, gatewayYaml('gw', `    - { name: http, port: 80, protocol: HTTP }`), serviceYaml('echo', [echo.port])];

describe('switchyard serve', () => {
  it('prints the ready line, serves, and prints a reloaded line after a change', async () => {
    await dir.write('all.yaml', ...base(), routeYaml('r', `  - matches: [{ path: { type: PathPrefix, value: /a } }]\n    backendRefs: [{ name: echo, port: 8080 }]`));
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'serve', dir.dir, '--port-offset', String(OFFSET), '--address-pool', '127.0.11.0/24', '--admin', 'off'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    /** The next `event` line (other JSON lines on stdout are operational logs). */
    const next = async () => {
      for (;;) {
        const line = await lines.next();
        if (line.done) throw new Error(`serve ended early: ${stderr}`);
        const parsed = JSON.parse(line.value) as Record<string, any>;
        if (parsed.event !== undefined) return parsed;
      }
    };
    const ready = await next();
    expect(ready).toMatchObject({
      event: 'ready',
      listeners: [{ gateway: 'infra/gw', listener: 'http', protocol: 'HTTP', address: '127.0.11.1', port: 80 + OFFSET }],
    });
    expect(ready.tableHash).toMatch(/^[0-9a-f]{64}$/);
    const port = 80 + OFFSET;
    expect((await send(port, { address: '127.0.11.1', path: '/a' })).status).toBe(200);
    expect((await send(port, { address: '127.0.11.1', path: '/b' })).status).toBe(404);

    await dir.write('all.yaml', ...base(), routeYaml('r', `  - matches: [{ path: { type: PathPrefix, value: /b } }]\n    backendRefs: [{ name: echo, port: 8080 }]`));
    const reloaded = await next();
    expect(reloaded.event).toBe('reloaded');
    expect(reloaded.tableHash).not.toBe(ready.tableHash);
    expect((await send(port, { address: '127.0.11.1', path: '/b' })).status).toBe(200);
  });
});
