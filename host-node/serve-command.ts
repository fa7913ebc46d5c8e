/**
 * `switchyard serve <paths...>`: runs the Node gateway on the manifests and reports on stdout,
 * one JSON line each, `{"event":"ready",...}` once every listener is bound and
 * `{"event":"reloaded","tableHash":...}` after each reload that changed what is served.
 * Diagnostics go to stderr (`file:line:col Kind ns/name field: message`).
 * `switchyard serve --kubernetes` reads the objects from the cluster instead (src/kubernetes).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { addKubernetesOptions, startKubernetesSource, type KubernetesCommandValues } from '../src/kubernetes/cli.js';
import { DEFAULT_INGRESS_HTTP_PORT, DEFAULT_INGRESS_HTTPS_PORT } from '../src/ingress/serve.js';
import { DEFAULT_CONTROLLER_NAME } from '../src/resolve/types.js';
import { NodeGateway, type NodeGatewayOptions } from './gateway.js';
import { ForwardingTrust } from './headers.js';
import { OptionError, parseDuration } from './ops/options.js';
import { DEFAULT_REQUEST_LIMITS } from './request-guard.js';
import { DEFAULT_LIMITS } from './servers.js';
import { DEFAULT_UPSTREAM_OPTIONS } from './upstreams.js';
import { addOpsOptions, attachOpsFromCommand, startPrimaryIfClustered, type OpsCommandValues } from './ops/cli.js';
import { leaveCluster } from './ops/workers.js';

export interface ServeIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface ServeCommandOptions {
  portOffset: number;
  bind: string;
  addressPool?: string;
  controllerName: string;
  statusFile?: string;
  watch: boolean;
  ingressHttp: number;
  ingressHttps: number;
  /** Request body bytes (413 beyond); 0 = unlimited. */
  maxBody: number;
  /** Peers whose X-Forwarded-For / X-Request-Id are kept and appended to. */
  trustedProxies: string[];
  /** Backend TCP connect timeout (ms). */
  connectTimeout: number;
  /** Time for a whole HTTP/1 request to arrive (ms); 0 = none. */
  requestTimeout: number;
}

/** Called once the gateway serves; later features (admin server, signals) attach here. */
export type ServeStarted = (gateway: NodeGateway, options: ServeCommandOptions & Record<string, unknown>) => void | Promise<void>;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${JSON.stringify(value)} is not a port number`);
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`${JSON.stringify(value)} is not an integer`);
  return n;
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1000, kb: 1000, ki: 1024, kib: 1024, m: 1000 ** 2, mb: 1000 ** 2, mi: 1024 ** 2, mib: 1024 ** 2, g: 1000 ** 3, gb: 1000 ** 3, gi: 1024 ** 3, gib: 1024 ** 3 };

/** A byte count: `1048576`, `512Ki`, `64MiB`, `1M` (decimal) ...; 0 allowed. */
export function parseBytes(value: string): number {
  const m = /^([0-9]+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a byte size (examples: 1048576, 512Ki, 64Mi)`);
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${JSON.stringify(value)} is too large`);
  return n;
}

/** `--trusted-proxies`: comma-separated addresses and CIDR ranges, accumulated over repeated options. */
function trustedProxies(value: string, previous: string[]): string[] {
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  try {
    new ForwardingTrust(entries);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return [...previous, ...entries];
}

/** A duration (`10s`, `500ms`, or seconds); 0 allowed. */
function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    if (err instanceof OptionError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/** A positive duration (`10s`, `500ms`, or seconds). */
function positiveDuration(value: string): number {
  const ms = duration(value);
  if (ms <= 0) throw new InvalidArgumentError(`${JSON.stringify(value)}: must be above 0`);
  return ms;
}

/** The `serve` command; `started` hooks run in order after the ready line. */
export function serveCommand(io: ServeIo, setExit: (code: number) => void, started: ServeStarted[] = []): Command {
  const command = new Command('serve')
    .description('Serve the HTTP/HTTPS listeners of the manifests: route, filter and proxy to the backends their EndpointSlices name; reload on change')
    .argument('[paths...]', 'files, directories (recursive .yaml/.yml/.json) or - for stdin (none with --kubernetes)')
    .addOption(new Option('--port-offset <n>', 'added to every listener port').argParser(integer).default(0))
    .addOption(new Option('--bind <address>', 'address for Gateways without their own').default('0.0.0.0'))
    .addOption(new Option('--address-pool <cidr>', 'IPv4 block giving each Gateway without spec.addresses its own address, e.g. 127.0.10.0/24'))
    .addOption(new Option('--controller-name <name>', 'GatewayClass controllerName this controller owns').default(DEFAULT_CONTROLLER_NAME))
    .addOption(new Option('--ingress-http <port>', 'port of the HTTP listener serving Ingresses of IngressClass controller switchyard.dev/ingress-controller').argParser(port).default(DEFAULT_INGRESS_HTTP_PORT))
    .addOption(new Option('--ingress-https <port>', 'port of the HTTPS listener serving those Ingresses (their spec.tls Secrets)').argParser(port).default(DEFAULT_INGRESS_HTTPS_PORT))
    .addOption(
      new Option('--max-body <bytes>', 'largest request body (413 beyond); e.g. 1048576, 512Ki, 64Mi; 0 = unlimited')
        .argParser(parseBytes)
        .default(DEFAULT_REQUEST_LIMITS.maxRequestBodyBytes, '64Mi'),
    )
    .addOption(
      new Option('--trusted-proxies <list>', "addresses/CIDR ranges whose X-Forwarded-For and X-Request-Id are kept (comma-separated, repeatable); default: none, every client's are replaced")
        .argParser(trustedProxies)
        .default([] as string[], 'none'),
    )
    .addOption(
      new Option('--connect-timeout <duration>', 'backend TCP connect timeout; a black-holed endpoint answers 503 after it (e.g. 10s, 500ms)')
        .argParser(positiveDuration)
        .default(DEFAULT_UPSTREAM_OPTIONS.connectTimeoutMs, '10s'),
    )
    .addOption(
      new Option('--request-timeout <duration>', 'time for a whole HTTP/1 request (head and body) to arrive: 408 beyond, cutting slow bodies (e.g. 300s, 30s; 0 = none)')
        .argParser(duration)
        .default(DEFAULT_LIMITS.requestTimeoutMs, '300s'),
    )
    .addOption(new Option('--status-file <file>', 'write the computed status (YAML) here on every change'))
    .addOption(new Option('--watch', 'reload when the manifests change (default)').default(true))
    .addOption(new Option('--no-watch', 'do not watch the manifests'));
  return addKubernetesOptions(addOpsOptions(command))
    .exitOverride()
    .action(async (paths: string[], opts: ServeCommandOptions & Record<string, unknown>) => {
      const kubernetes = opts as unknown as KubernetesCommandValues;
      if (kubernetes.kubernetes && paths.length > 0) command.error('error: --kubernetes reads the cluster; give no manifest paths with it', { exitCode: 2 });
      if (!kubernetes.kubernetes && paths.length === 0) command.error("error: missing required argument 'paths'", { exitCode: 2, code: 'commander.missingArgument' });
      // With --workers N this process becomes the cluster primary: the forked workers serve.
      if (await startPrimaryIfClustered(opts as unknown as OpsCommandValues)) {
        setExit(0);
        return;
      }
      const options: NodeGatewayOptions = {
        paths,
        portOffset: opts.portOffset,
        bind: opts.bind,
        controllerName: opts.controllerName,
        ingress: { httpPort: opts.ingressHttp, httpsPort: opts.ingressHttps },
        watch: opts.watch,
        log: (line) => io.stderr(line + '\n'),
        limits: { maxRequestBodyBytes: opts.maxBody, requestTimeoutMs: opts.requestTimeout },
        trustedProxies: opts.trustedProxies,
        upstream: { connectTimeoutMs: opts.connectTimeout },
        ...(opts.addressPool !== undefined ? { addressPool: opts.addressPool } : {}),
        ...(opts.statusFile !== undefined ? { statusFile: opts.statusFile } : {}),
      };
      let gateway: NodeGateway;
      try {
        if (kubernetes.kubernetes) options.source = await startKubernetesSource(kubernetes, opts.controllerName, options.log!);
        gateway = await NodeGateway.start(options);
      } catch (err) {
        await options.source?.close?.();
        io.stderr(`switchyard: ${(err as Error).message}\n`);
        setExit(1);
        leaveCluster();
        return;
      }
      await attachOpsFromCommand(gateway, opts as unknown as OpsCommandValues);
      gateway.onReload((info) => {
        if (info.changed) io.stdout(JSON.stringify({ event: 'reloaded', tableHash: info.tableHash }) + '\n');
      });
      io.stdout(JSON.stringify({ event: 'ready', tableHash: gateway.tableHash, listeners: gateway.listeners }) + '\n');
      for (const hook of started) await hook(gateway, opts);
      setExit(0);
    });
}
