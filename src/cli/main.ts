/**
 * The `switchyard` command line. Machine output goes to stdout, diagnostics to stderr.
 * Exit codes: 0 ok, 1 findings (invalid input), 2 usage error.
 */
import { Command, CommanderError, Option } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { hasErrors, resolvePaths, type PipelineResult } from '../pipeline.js';
import { DEFAULT_CONTROLLER_NAME } from '../resolve/types.js';
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
