/**
 * `npm start`: the Node gateway on the bundled examples/, with the examples' three backends
 * (shop/storefront, shop/api-v1, shop/api-v2) started in the same process as demo backends that
 * answer JSON naming themselves and echoing what they received. Prints where to send requests.
 *
 * Options (after `npm start --`): `--port-offset N` (added to the listener port 8080),
 * `--admin host:port|off` (default 127.0.0.1:9901), `--no-access-log`.
 * Stop it with Ctrl-C (SIGINT) or SIGTERM: it drains like `switchyard serve`.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NodeGateway } from '../gateway.js';
import { createLogger } from '../ops/logging.js';
import { DEFAULT_ADMIN_ADDRESS, formatHostPort, OptionError, parseHostPort } from '../ops/options.js';
import { attachOps, DEFAULT_OPS_OPTIONS } from '../ops/run.js';
import { startDemoBackend, type DemoBackend } from './backend.js';
import { writeDemoManifests } from './manifests.js';
import { demoRequests, renderCurl } from './requests.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
/** The Services of examples/10-shop.yaml that the demo backends stand in for. */
const BACKENDS = ['shop/storefront', 'shop/api-v1', 'shop/api-v2'];

function options() {
  const { values } = parseArgs({
    options: {
      'port-offset': { type: 'string', default: '0' },
      admin: { type: 'string', default: DEFAULT_ADMIN_ADDRESS },
      'no-access-log': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const portOffset = Number(values['port-offset']);
  if (!Number.isInteger(portOffset)) throw new OptionError(`--port-offset ${JSON.stringify(values['port-offset'])} is not an integer`);
  const admin = values.admin.trim().toLowerCase() === 'off' ? null : parseHostPort(values.admin);
  return { portOffset, admin, accessLog: !values['no-access-log'] };
}

async function main(): Promise<void> {
  const opts = options();
  const logger = createLogger({ level: 'info' });
  const backends: DemoBackend[] = [];
  let manifestDir: string | undefined;
  const cleanup = async () => {
    await Promise.all(backends.map((b) => b.close()));
    if (manifestDir) await rm(manifestDir, { recursive: true, force: true });
  };
  try {
    for (const name of BACKENDS) backends.push(await startDemoBackend({ name }));
    manifestDir = await writeDemoManifests(EXAMPLES_DIR, new Map(backends.map((b) => [b.name, b.port])));
    const gateway = await NodeGateway.start({
      paths: [manifestDir],
      portOffset: opts.portOffset,
      bind: '127.0.0.1',
      watch: false,
      log: (line) => process.stderr.write(line + '\n'),
    });
    const ops = await attachOps(gateway, { ...DEFAULT_OPS_OPTIONS, admin: opts.admin, accessLog: opts.accessLog }, { logger, cleanup: [cleanup] });
    const listener = gateway.listeners.find((l) => l.protocol === 'HTTP');
    if (!listener) throw new Error('the examples have no HTTP listener');
    const base = `http://${formatHostPort({ host: listener.address, port: listener.port })}`;
    const lines = [
      '',
      `Switchyard serves examples/ on ${base} (Gateway ${listener.gateway}, listener ${listener.listener}).`,
      `Demo backends: ${backends.map((b) => `${b.name} on ${b.host}:${b.port}`).join(', ')}.`,
      '',
      'Try:',
      ...demoRequests.flatMap((r) => [`  # ${r.description}`, `  ${renderCurl(r, base)}`]),
      ...(ops.admin
        ? ['', 'Operate:', `  curl ${ops.admin.url}/readyz`, `  curl ${ops.admin.url}/metrics`]
        : []),
      '',
      'Every request is logged as one JSON line below. Stop with Ctrl-C.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    await cleanup();
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`switchyard demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
