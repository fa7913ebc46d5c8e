/**
 * The Switchyard Node gateway as a benchmark target: `NodeGateway.start` on the manifests in
 * MANIFESTS (listener on 127.0.0.1), optionally watching them (WATCH=1). `router.match` of every
 * generation is wrapped with a timer so the share of matching plus backend pick in the request
 * CPU can be reported. IPC requests: `stats`, `reset`, `reload` (times gateway.reload()),
 * `memory` (`{ gc: true }` collects first when run with --expose-gc), `profile-start` and
 * `profile-stop` (`{ file }`: the CPU profile of the interval, as a .cpuprofile). Sends `{ ready, port, startMs }` once serving.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { NodeGateway } from '../../../host-node/index.js';

const t0 = performance.now();
let matchMs = 0;
let matches = 0;
const wrapped = new WeakSet<object>();

function wrap(gateway: NodeGateway): void {
  const router = gateway.current.router as unknown as { match: (request: unknown) => unknown };
  if (wrapped.has(router)) return;
  wrapped.add(router);
  const original = router.match;
  // performance.now() is a double: no BigInt and no argument array per request.
  router.match = function (this: unknown, request: unknown) {
    const start = performance.now();
    const result = original.call(this, request);
    matchMs += performance.now() - start;
    matches++;
    return result;
  };
}

const logs: string[] = [];
const gateway = await NodeGateway.start({
  paths: [process.env.MANIFESTS!],
  bind: '127.0.0.1',
  watch: process.env.WATCH === '1',
  log: (line) => {
    if (logs.length < 50) logs.push(line);
  },
});
if (process.env.TIME_MATCH !== '0') {
  wrap(gateway);
  gateway.onReload(() => wrap(gateway));
}
const port = gateway.listeners[0]?.port;
process.send!({ ready: true, port, startMs: performance.now() - t0, rules: gateway.current.manifest.rules.length, logs });

const session = new Session();
const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));

process.on('message', async (m: { cmd: string }) => {
  switch (m.cmd) {
    case 'stats':
      process.send!({ matchNs: matchMs * 1e6, matches });
      break;
    case 'reset':
      matchMs = 0;
      matches = 0;
      process.send!({ ok: true });
      break;
    case 'reload': {
      const start = performance.now();
      const info = await gateway.reload();
      process.send!({ ms: performance.now() - start, changed: info.changed, rejected: info.rejected });
      break;
    }
    case 'profile-start':
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.start');
      process.send!({ ok: true });
      break;
    case 'profile-stop': {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      writeFileSync((m as unknown as { file: string }).file, JSON.stringify(profile));
      process.send!({ ok: true });
      break;
    }
    case 'memory': {
      // With --expose-gc and { gc: true }: the live heap after a full collection.
      const gc = (globalThis as { gc?: () => void }).gc;
      if ((m as { gc?: boolean }).gc && gc) gc();
      process.send!({ ...process.memoryUsage() });
      break;
    }
  }
});
const stop = async () => {
  await gateway.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
