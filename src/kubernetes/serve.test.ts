import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { portOffset } from '../../host-node/test-support.js';
import { FakeApiServer } from './testing/fake-apiserver.js';
import { eventually, gateway, gatewayClass, namespace } from './testing/objects.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OFFSET = portOffset(14);
let server: FakeApiServer | undefined;
let child: ChildProcess | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('switchyard serve --kubernetes', () => {
  it('connects with a kubeconfig (bearer token), serves, writes status, and releases the Lease on SIGTERM', async () => {
    server = await new FakeApiServer({ token: 'secret-token' }).start();
    server.put(namespace('infra'));
    server.put(gatewayClass());
    server.put(gateway());
    dir = await mkdtemp(join(tmpdir(), 'switchyard-kube-'));
    const kubeconfig = join(dir, 'config');
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: { server: "${server.url}", insecure-skip-tls-verify: true }
users:
- name: tester
  user: { token: secret-token }
contexts:
- name: fake
  context: { cluster: fake, user: tester, namespace: switchyard-system }
current-context: fake
`,
    );
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'serve', '--kubernetes', '--kubeconfig', kubeconfig, '--port-offset', String(OFFSET), '--bind', '127.0.0.1', '--admin', 'off', '--lease-duration', '2s', '--renew-deadline', '1s', '--retry-period', '200ms'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    let ready: Record<string, any> | undefined;
    for (let i = 0; i < 100 && !ready; i++) {
      const line = await lines.next();
      if (line.done) throw new Error(`serve ended early: ${stderr}`);
      const parsed = JSON.parse(line.value) as Record<string, any>;
      if (parsed.event === 'ready') ready = parsed;
    }
    expect(ready).toMatchObject({ listeners: [{ gateway: 'infra/gw', listener: 'http', port: 80 + OFFSET }] });
    expect(stderr).toContain(`kubeconfig ${kubeconfig}`);
    // Every request carried the token (the fake answers 401 otherwise).
    expect(server.requests.every((r) => r.code === undefined || r.code !== 401)).toBe(true);
    const lease = () => server!.get('Lease', 'switchyard.dev-gateway-controller', 'switchyard-system') as any;
    await eventually(() => lease()?.spec?.holderIdentity, 5_000, 'the Lease taken');
    await eventually(() => (server!.get('Gateway', 'gw', 'infra')?.status as any)?.conditions?.some((c: any) => c.type === 'Programmed' && c.status === 'True'), 5_000, 'Gateway status');

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lease().spec.holderIdentity).toBe('');
  });
});
