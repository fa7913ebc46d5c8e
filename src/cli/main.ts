/**
 * The `switchyard` command line. Machine output goes to stdout, diagnostics to stderr.
 * Exit codes: 0 ok, 1 findings (invalid input), 2 usage error.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { writeFile } from 'node:fs/promises';
import { compileTable } from '../compile/compile.js';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { hasErrors, resolvePaths, type CompileResult, type PipelineResult } from '../pipeline.js';
import { DEFAULT_CONTROLLER_NAME } from '../resolve/types.js';
import { renderBenchText, runBench } from './bench.js';
import { answerRoute, renderRouteText, RouteQueryError } from './route.js';
import { serveCommand } from '../../host-node/serve-command.js';
import { backendMapFor } from '../../host-edge/backends.js';
import { edgeFindings, renderFindingsTable } from '../../host-edge/findings.js';
import { renderStatus, type StatusFormat } from './status-output.js';
import { convertObjects, DEFAULT_CONVERT_GATEWAY_CLASS, parseGatewayName, renderConversion } from '../ingress/convert.js';
import { formatReport } from '../ingress/report.js';
import { DEFAULT_INGRESS_HTTP_PORT, DEFAULT_INGRESS_HTTPS_PORT, INGRESS_GATEWAY } from '../ingress/serve.js';
import { loadPaths } from '../load/load.js';
import { validate } from '../validate/index.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

class UsageError extends Error {}

function parsePorts(value: string): number[] {
  const ports = value.split(',').map((p) => Number(p.trim()));
  if (ports.length === 0 || ports.some((n) => !Number.isInteger(n) || n < 1 || n > 65535)) throw new InvalidArgumentError('must be port numbers, comma-separated');
  return ports;
}

async function pipeline(paths: string[], controllerName: string): Promise<PipelineResult> {
  try {
    return await resolvePaths(paths, { controllerName });
  } catch (err) {
    // Missing files and unreadable paths are the caller's mistake, not findings in manifests.
    throw new UsageError((err as Error).message);
  }
}

async function compiled(paths: string[], controllerName: string): Promise<CompileResult> {
  const result = await pipeline(paths, controllerName);
  const table = compileTable(result.resolution);
  return { ...result, table: table.table, hash: table.sha256, manifest: table.manifest };
}

function report(io: Io, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
}

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('switchyard')
    .description('Gateway API data plane: validate, resolve and route Kubernetes Gateway API manifests.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const controllerOption = () =>
    new Option('--controller-name <name>', 'GatewayClass controllerName this controller owns').default(DEFAULT_CONTROLLER_NAME);

  program
    .command('validate')
    .description('Validate manifests as the Kubernetes API server would with the Gateway API v1.6.1 CRDs. One line per finding: file:line:col Kind ns/name field: message')
    .argument('<paths...>', 'files, directories (recursive .yaml/.yml/.json) or - for stdin')
    .addOption(controllerOption())
    .exitOverride()
    .action(async (paths: string[], opts: { controllerName: string }) => {
      const result = await pipeline(paths, opts.controllerName);
      report(io, result.diagnostics);
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      io.stderr(`${result.objects.length} objects valid, ${errors} errors\n`);
      setExit(hasErrors(result.diagnostics) ? EXIT_FINDINGS : EXIT_OK);
    });

  program
    .command('status')
    .description('Print every Gateway API object with the status this controller computes: which routes attach to which listeners, and why not')
    .argument('<paths...>', 'files, directories (recursive .yaml/.yml/.json) or - for stdin')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json', 'table']).default('table'))
    .addOption(new Option('--target <host>', 'node: the status of every object; edge: what cannot run the same way in a Cloudflare worker, per object').choices(['node', 'edge']).default('node'))
    .option('--edge-ports <ports>', 'with --target edge: the worker\'s listener ports, comma-separated', parsePorts, [80, 443])
    .addOption(controllerOption())
    .exitOverride()
    .action(async (paths: string[], opts: { output: StatusFormat; target: 'node' | 'edge'; edgePorts: number[]; controllerName: string }) => {
      const result = await pipeline(paths, opts.controllerName);
      report(io, result.diagnostics);
      if (opts.target === 'edge') {
        const manifest = compileTable(result.resolution).manifest;
        const findings = edgeFindings(result.objects, manifest, { ports: opts.edgePorts, backends: backendMapFor(result.objects, manifest) });
        io.stdout(opts.output === 'table' ? renderFindingsTable(findings) : opts.output === 'json' ? `${JSON.stringify(findings, null, 2)}\n` : stringify(findings, { lineWidth: 0 }));
        const unsupported = findings.some((f) => f.severity === 'unsupported');
        setExit(hasErrors(result.diagnostics) || unsupported ? EXIT_FINDINGS : EXIT_OK);
        return;
      }
      io.stdout(renderStatus(result, opts.output));
      setExit(hasErrors(result.diagnostics) ? EXIT_FINDINGS : EXIT_OK);
    });

  program
    .command('compile')
    .description('Compile manifests into the binary route table every host loads; prints its sha256, rule count and size')
    .argument('<paths...>', 'files, directories (recursive .yaml/.yml/.json) or - for stdin')
    .requiredOption('-o, --output <file>', 'where to write the table')
    .addOption(controllerOption())
    .exitOverride()
    .action(async (paths: string[], opts: { output: string; controllerName: string }) => {
      const result = await compiled(paths, opts.controllerName);
      report(io, result.diagnostics);
      await writeFile(opts.output, result.table);
      io.stdout(
        `${JSON.stringify({ file: opts.output, sha256: result.hash, bytes: result.table.byteLength, listeners: result.manifest.listeners.length, rules: result.manifest.rules.length, matches: result.manifest.matches.length })}\n`,
      );
      setExit(hasErrors(result.diagnostics) ? EXIT_FINDINGS : EXIT_OK);
    });

  program
    .command('route')
    .description('Show which gateway, listener, route, rule and backend take a request, and why nothing does when nothing matches')
    .argument('<paths>', 'a file, a directory (recursive) or - for stdin')
    .argument('<method>', 'request method, e.g. GET')
    .argument('<url>', 'http(s)://host[:port]/path?query; the port defaults to the scheme\'s')
    .option('-H, --header <header...>', "request header 'name: value' (repeatable)")
    .option('--port <port>', 'listener port the request arrives on (default: from the URL)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number');
      return n;
    })
    .option('--gateway <ns/name>', 'only the listeners of this Gateway')
    .option('--seed <n>', 'seed of the weighted pick', (v) => Number(v) >>> 0)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(controllerOption())
    .exitOverride()
    .action(async (path: string, method: string, url: string, opts: { header?: string[]; port?: number; gateway?: string; seed?: number; output: string; controllerName: string }) => {
      const result = await compiled([path], opts.controllerName);
      report(io, result.diagnostics);
      const query = { method, url, headers: opts.header ?? [], port: opts.port, gateway: opts.gateway, seed: opts.seed };
      let routed;
      try {
        routed = await answerRoute(result, query);
      } catch (err) {
        if (err instanceof RouteQueryError) throw new UsageError(err.message);
        throw err;
      }
      io.stdout(opts.output === 'json' ? `${JSON.stringify(routed.answer)}\n` : renderRouteText(query, routed));
      setExit(hasErrors(result.diagnostics) ? EXIT_FINDINGS : EXIT_OK);
    });

  const portNumber = (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number');
    return n;
  };
  program
    .command('convert')
    .description('Convert Ingress resources (with their ingress-nginx annotations) into Gateway API objects: a Gateway (unless --gateway names one in the input), HTTPRoutes and ReferenceGrants on stdout; a report of every annotation converted, approximated or dropped on stderr')
    .argument('<paths...>', 'files, directories (recursive .yaml/.yml/.json) or - for stdin')
    .option('--gateway <ns/name>', 'Gateway the routes attach to', `${INGRESS_GATEWAY.namespace}/${INGRESS_GATEWAY.name}`)
    .option('--gateway-class <name>', 'gatewayClassName of the Gateway written when it is not in the input', DEFAULT_CONVERT_GATEWAY_CLASS)
    .option('--ingress-http <port>', 'port of the written Gateway\'s HTTP listener', portNumber, DEFAULT_INGRESS_HTTP_PORT)
    .option('--ingress-https <port>', 'port of the written Gateway\'s HTTPS listener', portNumber, DEFAULT_INGRESS_HTTPS_PORT)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .exitOverride()
    .action(async (paths: string[], opts: { gateway: string; gatewayClass: string; ingressHttp: number; ingressHttps: number; output: 'yaml' | 'json' }) => {
      let loaded;
      try {
        loaded = await loadPaths(paths);
        parseGatewayName(opts.gateway);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const validated = validate(loaded.objects);
      report(io, [...loaded.diagnostics, ...validated.diagnostics]);
      const conversion = convertObjects(validated.objects, { gateway: opts.gateway, gatewayClassName: opts.gatewayClass, httpPort: opts.ingressHttp, httpsPort: opts.ingressHttps });
      io.stdout(renderConversion(conversion.objects, opts.output));
      io.stderr(formatReport(conversion.report));
      setExit(hasErrors([...loaded.diagnostics, ...validated.diagnostics]) ? EXIT_FINDINGS : EXIT_OK);
    });

  program.addCommand(serveCommand(io, setExit));

  const positiveInt = (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
    return n;
  };
  program
    .command('bench')
    .description('Benchmark matching on your own manifests: one generated request per route match, cycled through the router; prints lookups/s and p50/p99 match latency')
    .argument('<paths...>', 'files, directories (recursive .yaml/.yml/.json) or - for stdin')
    .option('--time <ms>', 'how long to run (default 2000)', positiveInt)
    .option('--requests <n>', 'run exactly this many lookups instead', positiveInt)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(controllerOption())
    .exitOverride()
    .action(async (paths: string[], opts: { time?: number; requests?: number; output: string; controllerName: string }) => {
      io.stderr('compiling…\n');
      const result = await compiled(paths, opts.controllerName);
      report(io, result.diagnostics);
      io.stderr(`table: ${result.table.byteLength} bytes, ${result.manifest.matches.length} matches; running…\n`);
      let bench;
      try {
        bench = await runBench(result, { timeMs: opts.time, requests: opts.requests, progress: (line) => io.stderr(`${line}\n`) });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      io.stdout(opts.output === 'json' ? `${JSON.stringify(bench)}\n` : renderBenchText(bench));
      setExit(hasErrors(result.diagnostics) ? EXIT_FINDINGS : EXIT_OK);
    });

  return program;
}

/** Runs the CLI with `argv` (without the node and script entries); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      io.stderr(`switchyard: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
