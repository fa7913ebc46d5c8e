import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startHttpEcho, type HttpEchoServer } from '../spec-tests/support/echo/index.js';
import type { NodeGateway, ReloadInfo } from './index.js';
import { CLASS, gatewayYaml, ManifestDir, portOffset, routeYaml, send, serviceYaml, startGateway } from './test-support.js';

const OFFSET = portOffset(3);
const port = 80 + OFFSET;
let v1: HttpEchoServer;
let v2: HttpEchoServer;

beforeAll(async () => {
  v1 = await startHttpEcho({ pod: { namespace: 'infra', pod: 'v1-abc-def' } });
  v2 = await startHttpEcho({ pod: { namespace: 'infra', pod: 'v2-abc-def' } });
});

afterAll(async () => {
  await v1?.close();
  await v2?.close();
});

const LISTENER_80 = `    - { name: http, port: 80, protocol: HTTP }`;
const LISTENER_81 = `    - { name: extra, port: 81, protocol: HTTP }`;
const routeTo = (backend: string) => routeYaml('r', `  - backendRefs: [{ name: ${backend}, port: 8080 }]`);

async function withGateway(files: string[], run: (ctx: { gateway: NodeGateway; dir: ManifestDir; logs: string[] }) => Promise<void>, options = {}): Promise<void> {
  const dir = await ManifestDir.create();
  await dir.write('all.yaml', ...files);
  const { gateway, logs } = await startGateway(dir, OFFSET, options);
  try {
    await run({ gateway, dir, logs });
  } finally {
    await gateway.close();
    await dir.remove();
  }
}

describe('reload', () => {
  it('swaps the table atomically and lets requests in flight finish on the old one', async () => {
    const base = [CLASS, gatewayYaml('gw', LISTENER_80), serviceYaml('v1', [v1.port]), serviceYaml('v2', [v2.port])];
    await withGateway([...base, routeTo('v1')], async ({ gateway, dir }) => {
      const before = gateway.tableHash;
      const slow = send(port, { path: '/slow?delay=400ms' });
      for (let i = 0; i < 100 && gateway.current.active === 0; i++) await sleep(5);
      await dir.write('all.yaml', ...base, routeTo('v2'));
      const info = await gateway.reload();
      expect(info).toMatchObject({ changed: true, rejected: false });
      expect(gateway.tableHash).not.toBe(before);
      expect((await send(port, { path: '/now' })).json.pod).toBe('v2-abc-def');
      const inflight = await slow;
      expect(inflight.status).toBe(200);
      expect(inflight.json.pod).toBe('v1-abc-def');
    });
  });

  it('keeps serving the last good table when the manifests are invalid', async () => {
    const base = [CLASS, gatewayYaml('gw', LISTENER_80), serviceYaml('v1', [v1.port])];
    await withGateway([...base, routeTo('v1')], async ({ gateway, dir, logs }) => {
      const before = gateway.tableHash;
      await dir.write('all.yaml', ...base, routeYaml('r', `  - matches: [{ path: { type: PathPrefix, value: no-slash } }]\n    backendRefs: [{ name: v1, port: 8080 }]`));
      const info = await gateway.reload();
      expect(info).toMatchObject({ changed: false, rejected: true, tableHash: before });
      expect(logs.some((l) => /all\.yaml:\d+:\d+ HTTPRoute infra\/r spec\.rules\[0\]\.matches\[0\]\.path/.test(l))).toBe(true);
      expect((await send(port, { path: '/x' })).json.pod).toBe('v1-abc-def');
    });
  });

  it('changes nothing when nothing changed, and picks up endpoint changes', async () => {
    const files = [CLASS, gatewayYaml('gw', LISTENER_80), routeTo('v1')];
    await withGateway([...files, serviceYaml('v1', [v1.port])], async ({ gateway, dir }) => {
      expect(await gateway.reload()).toMatchObject({ changed: false, rejected: false });
      await dir.write('all.yaml', ...files, serviceYaml('v1', [v2.port]));
      expect(await gateway.reload()).toMatchObject({ changed: true });
      expect((await send(port, { path: '/x' })).json.pod).toBe('v2-abc-def');
    });
  });

  it('binds added listeners and closes removed ones', async () => {
    const base = [CLASS, serviceYaml('v1', [v1.port]), routeTo('v1')];
    await withGateway([...base, gatewayYaml('gw', LISTENER_80)], async ({ gateway, dir }) => {
      await dir.write('all.yaml', ...base, gatewayYaml('gw', `${LISTENER_80}\n${LISTENER_81}`));
      expect(await gateway.reload()).toMatchObject({ changed: true });
      expect(gateway.listeners.map((l) => l.port)).toEqual([port, port + 1]);
      expect((await send(port + 1, { path: '/x' })).json.pod).toBe('v1-abc-def');
      await dir.write('all.yaml', ...base, gatewayYaml('gw', LISTENER_81));
      expect(await gateway.reload()).toMatchObject({ changed: true });
      expect(gateway.listeners.map((l) => l.port)).toEqual([port + 1]);
      await expect(send(port, { path: '/x' })).rejects.toThrow(/ECONNREFUSED/);
    });
  });

  it('reloads on file changes when watching, and writes the status file', async () => {
    const base = [CLASS, gatewayYaml('gw', LISTENER_80), serviceYaml('v1', [v1.port]), serviceYaml('v2', [v2.port])];
    const statusDir = await ManifestDir.create();
    const statusFile = statusDir.file('status.yaml');
    try {
      await withGateway(
        [...base, routeTo('v1')],
        async ({ gateway, dir }) => {
          expect(await readFile(statusFile, 'utf8')).toContain('attachedRoutes: 1');
          const reloads: ReloadInfo[] = [];
          gateway.onReload((info) => reloads.push(info));
          await sleep(200); // let the watcher settle before the change
          await dir.write('all.yaml', ...base, routeTo('v2'));
          for (let i = 0; i < 200 && !reloads.some((r) => r.changed); i++) await sleep(25);
          expect(reloads.some((r) => r.changed)).toBe(true);
          expect((await send(port, { path: '/x' })).json.pod).toBe('v2-abc-def');
        },
        { watch: true, statusFile },
      );
    } finally {
      await statusDir.remove();
    }
  });
});

describe('addresses', () => {
  it('gives each Gateway its own pool address so they share a port', async () => {
    const files = [
      CLASS,
      gatewayYaml('a', LISTENER_80),
      gatewayYaml('b', LISTENER_80),
      serviceYaml('v1', [v1.port]),
      serviceYaml('v2', [v2.port]),
      routeYaml('to-a', `  - backendRefs: [{ name: v1, port: 8080 }]`, '', 'a'),
      routeYaml('to-b', `  - backendRefs: [{ name: v2, port: 8080 }]`, '', 'b'),
    ];
    const statusDir = await ManifestDir.create();
    const statusFile = statusDir.file('status.yaml');
    try {
      await withGateway(
        files,
        async ({ gateway }) => {
          expect(gateway.listeners.map((l) => [l.gateway, l.address, l.port])).toEqual([
            ['infra/a', '127.0.10.1', port],
            ['infra/b', '127.0.10.2', port],
          ]);
          expect((await send(port, { address: '127.0.10.1' })).json.pod).toBe('v1-abc-def');
          expect((await send(port, { address: '127.0.10.2' })).json.pod).toBe('v2-abc-def');
          const status = await readFile(statusFile, 'utf8');
          expect(status).toContain('value: 127.0.10.1');
          expect(status).toContain('value: 127.0.10.2');
        },
        { addressPool: '127.0.10.0/24', statusFile },
      );
    } finally {
      await statusDir.remove();
    }
  });
});

describe('drain', () => {
  it('stops accepting, finishes requests in flight with Connection: close, then closes', async () => {
    const dir = await ManifestDir.create();
    await dir.write('all.yaml', CLASS, gatewayYaml('gw', LISTENER_80), serviceYaml('v1', [v1.port]), routeTo('v1'));
    const { gateway } = await startGateway(dir, OFFSET);
    try {
      const slow = send(port, { path: '/slow?delay=300ms' });
      for (let i = 0; i < 100 && gateway.current.active === 0; i++) await sleep(5);
      const drained = gateway.drain(5_000);
      await sleep(20);
      await expect(send(port, { path: '/late' })).rejects.toThrow(/ECONNREFUSED/);
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe('close');
      await drained;
      expect(gateway.current.active).toBe(0);
    } finally {
      await gateway.close();
      await dir.remove();
    }
  });
});
