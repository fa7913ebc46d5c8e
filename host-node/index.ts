/** The Node host: `NodeGateway` and the pieces operations code and tests build on. */
export { NodeGateway, type NodeGatewayOptions } from './gateway.js';
export type { RequestEndInfo, ReloadInfo, RequestEndListener, ReloadListener } from './observe.js';
export type { ServedListener } from './listeners.js';
export { DEFAULT_LIMITS, type ServerLimits } from './servers.js';
export { DEFAULT_UPSTREAM_OPTIONS, type UpstreamOptions } from './upstreams.js';
export { parseDuration } from './duration.js';
