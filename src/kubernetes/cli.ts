/**
 * The Kubernetes options of `switchyard serve`:
 *
 *   --kubernetes                 read the objects from the cluster instead of files
 *   --kubeconfig <path>          kubeconfig file (default $KUBECONFIG, ~/.kube/config, in-cluster)
 *   --namespace <ns>             watch namespaced kinds only here (repeatable; default all)
 *   --no-leader-elect            write status from this process without a Lease
 *   --lease-namespace <ns>       namespace of the Lease (default: the pod's / the context's, else default)
 *   --lease-name <name>          name of the Lease (default: from the controller name)
 *   --lease-duration <duration>  default 15s
 *   --renew-deadline <duration>  default 10s
 *   --retry-period <duration>    default 2s
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { OptionError, parseDuration } from '../../host-node/ops/options.js';
import { KubeClient } from './client.js';
import { connectToCluster } from './config.js';
import { defaultIdentity, KubernetesSource } from './controller.js';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS } from './leader.js';

export interface KubernetesCommandValues {
  kubernetes?: boolean;
  kubeconfig?: string;
  namespace?: string[];
  leaderElect: boolean;
  leaseNamespace?: string;
  leaseName?: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}

const duration = (value: string): number => {
  try {
    return parseDuration(value);
  } catch (err) {
    if (err instanceof OptionError) throw new InvalidArgumentError(err.message);
    throw err;
  }
};

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function addKubernetesOptions(command: Command): Command {
  return command
    .addOption(new Option('--kubernetes', 'read Gateway API objects, Services, EndpointSlices, Secrets... from the cluster and write status back'))
    .addOption(new Option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else the in-cluster service account)'))
    .addOption(new Option('--namespace <ns>', 'with --kubernetes, watch namespaced kinds only in this namespace (repeatable; default all)').argParser(collect))
    .addOption(new Option('--leader-elect', 'with --kubernetes, only the replica holding the Lease writes status (default)').default(true))
    .addOption(new Option('--no-leader-elect', 'write status from this process without a Lease (a single replica)'))
    .addOption(new Option('--lease-namespace <ns>', "namespace of the Lease (default: the pod's namespace)"))
    .addOption(new Option('--lease-name <name>', 'name of the Lease (default: derived from --controller-name)'))
    .addOption(new Option('--lease-duration <duration>', 'how long a Lease not renewed stays held').argParser(duration).default(DEFAULT_LEASE_DURATION_MS, '15s'))
    .addOption(new Option('--renew-deadline <duration>', 'how long the leader keeps trying to renew before it stops leading').argParser(duration).default(DEFAULT_RENEW_DEADLINE_MS, '10s'))
    .addOption(new Option('--retry-period <duration>', 'time between two attempts to take or renew the Lease').argParser(duration).default(DEFAULT_RETRY_PERIOD_MS, '2s'));
}

/** A Lease name for a controller name: `switchyard.dev/gateway-controller` -> `switchyard.dev-gateway-controller`. */
export function leaseNameFor(controllerName: string): string {
  const name = controllerName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 253)
    .replace(/[^a-z0-9]+$/, '');
  return name || 'switchyard';
}

/** Connects, lists every kind and starts the leader election: the source `NodeGateway` reads from. */
export async function startKubernetesSource(
  values: KubernetesCommandValues,
  controllerName: string,
  log: (line: string) => void,
): Promise<KubernetesSource> {
  const connected = await connectToCluster(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {});
  log(`switchyard: kubernetes: connecting with ${connected.describe}`);
  const client = new KubeClient(connected.connection);
  const source = await KubernetesSource.start({
    client,
    controllerName,
    ...(values.namespace ? { namespaces: values.namespace } : {}),
    leaderElection: values.leaderElect
      ? {
          namespace: values.leaseNamespace ?? process.env.POD_NAMESPACE ?? connected.namespace ?? 'default',
          name: values.leaseName ?? leaseNameFor(controllerName),
          identity: defaultIdentity(),
          leaseDurationMs: values.leaseDuration,
          renewDeadlineMs: values.renewDeadline,
          retryPeriodMs: values.retryPeriod,
        }
      : false,
    log,
  });
  log(`switchyard: kubernetes: synced ${source.description}`);
  return source;
}
