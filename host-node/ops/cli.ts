/**
 * The operations options of `switchyard serve` and the hooks that apply them:
 *
 *   --admin <host:port|off>     admin server (/healthz /readyz /metrics), default 127.0.0.1:9901
 *   --log-level <level>         fatal error warn info debug trace silent, default info
 *   --access-log / --no-access-log   one JSON line per request on stdout, default on
 *   --drain-timeout <duration>  hard deadline of the drain after SIGTERM/SIGINT, default 30s
 *   --drain-delay <duration>    readiness fails this long before the drain starts, default 0s
 *   --workers <n|auto>          gateway processes (node:cluster), default 1
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createLogger } from './logging.js';
import {
  DEFAULT_ADMIN_ADDRESS,
  LOG_LEVELS,
  OptionError,
  parseDuration,
  parseHostPort,
  parseWorkers,
  type HostPort,
  type LogLevel,
} from './options.js';
import { attachOps, isPrimaryFor, runPrimary, type OperatedGateway, type OperatedProcess, type OpsOptions } from './run.js';

/** The parsed option values as commander hands them to the action. */
export interface OpsCommandValues {
  admin: HostPort | null;
  logLevel: LogLevel;
  accessLog: boolean;
  drainTimeout: number;
  drainDelay: number;
  workers: number;
}

function parser<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof OptionError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

const parseAdmin = (value: string): HostPort | null => (value.trim().toLowerCase() === 'off' ? null : parseHostPort(value));

/** Adds the operations options to the `serve` command. */
export function addOpsOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--admin <host:port|off>', 'admin server address (/healthz, /readyz, /metrics); "off" disables it')
        .argParser(parser(parseAdmin))
        .default(parseHostPort(DEFAULT_ADMIN_ADDRESS), DEFAULT_ADMIN_ADDRESS),
    )
    .addOption(new Option('--log-level <level>', 'level of the JSON logs on stdout').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--access-log', 'log one JSON line per request on stdout (default)').default(true))
    .addOption(new Option('--no-access-log', 'do not log requests'))
    .addOption(
      new Option('--drain-timeout <duration>', 'after SIGTERM/SIGINT, the longest wait for requests in flight (e.g. 30s, 2m)')
        .argParser(parser(parseDuration))
        .default(30_000, '30s'),
    )
    .addOption(
      new Option('--drain-delay <duration>', 'after SIGTERM/SIGINT, how long /readyz fails before the listeners stop accepting')
        .argParser(parser(parseDuration))
        .default(0, '0s'),
    )
    .addOption(
      new Option('--workers <n|auto>', 'gateway processes sharing the listener ports ("auto": one per core)')
        .argParser(parser((value) => parseWorkers(value)))
        .default(1),
    );
}

export function opsOptionsFrom(values: OpsCommandValues): OpsOptions {
  return {
    admin: values.admin,
    logLevel: values.logLevel,
    accessLog: values.accessLog,
    drainTimeoutMs: values.drainTimeout,
    drainDelayMs: values.drainDelay,
    workers: values.workers,
  };
}

/**
 * With `--workers` above 1, in the process the user started: become the cluster primary
 * (which forks the workers and serves nothing itself) and return it. Workers, and single
 * processes, get undefined and go on to start the gateway.
 */
export async function startPrimaryIfClustered(values: OpsCommandValues): Promise<OperatedProcess | undefined> {
  const options = opsOptionsFrom(values);
  if (!isPrimaryFor(options)) return undefined;
  return runPrimary(options, { logger: createLogger({ level: options.logLevel }) });
}

/** The `serve` hook run once the gateway serves: metrics, access log, admin server, signals. */
export function attachOpsFromCommand(gateway: OperatedGateway, values: OpsCommandValues): Promise<OperatedProcess> {
  const options = opsOptionsFrom(values);
  return attachOps(gateway, options, { logger: createLogger({ level: options.logLevel }) });
}
