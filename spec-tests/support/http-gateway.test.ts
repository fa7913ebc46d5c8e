import { describe, expect, it } from 'vitest';
import { FAKE_GATEWAY_COMMAND } from './http-fake-gateway.js';
import { GatewayProcess, manifestsYaml, parseGatewayEvent, serveCommand } from './http-gateway.js';
import { gatewaySlot } from './http-runner.js';

const FAKE_GATEWAY = FAKE_GATEWAY_COMMAND;

const gatewayObject = (name: string, port: number) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'ns' },
  spec: { gatewayClassName: 'c', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
});

describe('parseGatewayEvent', () => {
  it('reads ready and reloaded lines and ignores other output', () => {
    const ready = parseGatewayEvent(
      '{"event":"ready","tableHash":"ab","listeners":[{"gateway":"ns/gw","listener":"http","protocol":"HTTP","address":"127.10.0.1","port":10080}]}',
    );
    expect(ready).toEqual({
      event: 'ready',
      tableHash: 'ab',
      listeners: [{ gateway: 'ns/gw', listener: 'http', protocol: 'HTTP', address: '127.10.0.1', port: 10080 }],
    });
    expect(parseGatewayEvent('{"event":"reloaded","tableHash":"cd"}')).toEqual({ event: 'reloaded', tableHash: 'cd' });
    expect(parseGatewayEvent('listening on 127.0.0.1')).toBeUndefined();
    expect(parseGatewayEvent('{"level":"info","msg":"x"}')).toBeUndefined();
    expect(parseGatewayEvent('{broken')).toBeUndefined();
    expect(() => parseGatewayEvent('{"event":"ready","tableHash":"x","listeners":[{"gateway":"ns/gw"}]}')).toThrow(/malformed listener/);
  });

  it('writes objects as one YAML stream in order', () => {
    const text = manifestsYaml([gatewayObject('a', 80), gatewayObject('b', 81)] as never);
    expect(text.split('---\n')).toHaveLength(2);
    expect(text.indexOf('name: a')).toBeLessThan(text.indexOf('name: b'));
  });

  it('runs the compiled CLI or the sources', () => {
    const c = serveCommand();
    expect(c.command).toBe(process.execPath);
    expect(c.args.at(-1)).toMatch(c.from === 'dist' ? /dist\/src\/cli\/bin\.js$/ : /src\/cli\/bin\.ts$/);
  });
});

describe('GatewayProcess', () => {
  it('starts a serve process, follows its reloads and stops it', async () => {
    const slot = gatewaySlot(5);
    const gw = await GatewayProcess.start([gatewayObject('one', 80)] as never, { ...slot, command: FAKE_GATEWAY });
    try {
      expect(gw.ready.listeners).toEqual([{ gateway: 'ns/one', listener: 'http', protocol: 'HTTP', address: '127.231.5.1', port: 80 + slot.portOffset }]);
      const before = gw.ready.tableHash;
      const reloaded = await gw.reload([gatewayObject('one', 80), gatewayObject('two', 81)] as never, 10_000);
      expect(reloaded.event).toBe('reloaded');
      expect(reloaded.tableHash).not.toBe(before);
    } finally {
      await gw.stop();
    }
    await expect(gw.reload([] as never, 1_000)).rejects.toThrow(/not running/);
  });

  it('reports a process that exits before it is ready, with its stderr', async () => {
    const failing = { command: process.execPath, args: ['-e', 'process.stderr.write("bad manifests\\n"); process.exit(3)', '--'] };
    await expect(GatewayProcess.start([], { ...gatewaySlot(5), command: failing })).rejects.toThrow(/exited \(code 3\)\nbad manifests/);
  });

  it('gives up on a process that never reports ready', async () => {
    const silent = { command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)', '--'] };
    await expect(GatewayProcess.start([], { ...gatewaySlot(5), command: silent, readyTimeoutMs: 500 })).rejects.toThrow(/did not report ready within 500 ms/);
  });
});
