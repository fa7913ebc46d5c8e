/** Kubernetes mode: the cluster as the source of objects, status write-back, leader election. */
export { ApiError, KubeClient, type ClusterConnection, type KubeStatus, type WatchEvent } from './client.js';
export { connectToCluster, type ConnectOptions } from './config.js';
export { ClusterCache, describeObject } from './cache.js';
export { Informer, type InformerOptions } from './informer.js';
export { LeaderElector, type LeaderElectionConfig } from './leader.js';
export { StatusPublisher, statusPatch, type PublishResult } from './status.js';
export { KubernetesSource, defaultIdentity, type KubernetesSourceOptions } from './controller.js';
export { addKubernetesOptions, leaseNameFor, startKubernetesSource, type KubernetesCommandValues } from './cli.js';
export { RESOURCES, STATUS_KINDS, collectionPath, objectPath, type Resource } from './resources.js';
