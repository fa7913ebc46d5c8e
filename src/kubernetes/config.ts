/**
 * Connecting to the cluster: a kubeconfig file (`--kubeconfig`, else `$KUBECONFIG` or
 * `~/.kube/config`) or, inside a pod, the service account (token, CA, namespace), read and
 * applied by @kubernetes/client-node (tokens, client certificates, exec and OIDC plugins).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import type { ClusterConnection } from './client.js';

export interface ConnectOptions {
  /** A kubeconfig file; default: `$KUBECONFIG`, `~/.kube/config`, else the in-cluster service account. */
  kubeconfig?: string;
}

export interface Connected {
  connection: ClusterConnection;
  /** The namespace of the current context (in a pod: the pod's namespace), when set. */
  namespace: string | undefined;
  /** Where the configuration came from, for logs. */
  describe: string;
}

export async function connectToCluster(options: ConnectOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<Connected> {
  // Loaded only in Kubernetes mode: the file mode never pays for it.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  let describe: string;
  const home = join(homedir(), '.kube', 'config');
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig)) throw new Error(`${options.kubeconfig}: no such kubeconfig file`);
    config.loadFromFile(options.kubeconfig);
    describe = `kubeconfig ${options.kubeconfig}`;
  } else if (env.KUBECONFIG) {
    config.loadFromDefault();
    describe = `kubeconfig ${env.KUBECONFIG}`;
  } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) {
    config.loadFromCluster();
    describe = 'in-cluster service account';
  } else if (existsSync(home)) {
    config.loadFromFile(home);
    describe = `kubeconfig ${home}`;
  } else {
    throw new Error('no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a pod');
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`${describe}: the current context names no cluster`);
  const context = config.getContextObject(config.getCurrentContext());
  return {
    connection: {
      server: cluster.server,
      authorize: (request) => config.applyToHTTPSOptions(request as HttpsRequestOptions),
    },
    namespace: context?.namespace?.trim() || undefined,
    describe: `${describe} (${cluster.server})`,
  };
}
