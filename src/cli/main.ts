/**
 * The `switchyard` command line. Machine output goes to stdout, diagnostics to stderr.
 * Exit codes: 0 ok, 1 findings (invalid input), 2 usage error.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { compileTable } from '../compile/compile.js';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { hasErrors, resolvePaths, type CompileResult, type PipelineResult } from '../pipeline.js';
import { DEFAULT_CONTROLLER_NAME } from '../resolve/types.js';
import { answerRoute, renderRouteText, RouteQueryError } from './route.js';
import { serveCommand } from '../../host-node/serve-command.js';
import { renderStatus, type StatusFormat } from './status-output.js';

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
    .addOption(controllerOption())
    .exitOverride()
    .action(async (paths: string[], opts: { output: StatusFormat; controllerName: string }) => {
      const result = await pipeline(paths, opts.controllerName);
      report(io, result.diagnostics);
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

  program.addCommand(serveCommand(io, setExit));

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
