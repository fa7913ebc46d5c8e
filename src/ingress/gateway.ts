/**
 * The emitter's Gateway side: the Gateway whose listeners serve the Ingresses (HTTP, and HTTPS
 * with every TLS Secret the Ingresses name; the certificate is picked by SNI), and the
 * ReferenceGrants that let it read Secrets in the Ingresses' namespaces.
 */
import type { Gateway, ReferenceGrant } from '../model/gateway-api.js';
import { GATEWAY_GROUP } from './translate.js';

export const HTTP_LISTENER = 'http';
export const HTTPS_LISTENER = 'https';
/** A listener holds at most this many certificateRefs. */
const MAX_CERTIFICATES = 64;

export interface IngressGatewaySpec {
  namespace: string;
  name: string;
  gatewayClassName: string;
  httpPort: number;
  httpsPort: number;
  certificates: readonly { namespace: string; name: string }[];
}

export function ingressGateway(spec: IngressGatewaySpec): { gateway: Gateway; grants: ReferenceGrant[]; omitted: number } {
  const certs = spec.certificates.slice(0, MAX_CERTIFICATES);
  const allRoutes = { namespaces: { from: 'All' as const }, kinds: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }] };
  const gateway = {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: 'Gateway',
    metadata: { name: spec.name, namespace: spec.namespace, generation: 1 },
    spec: {
      gatewayClassName: spec.gatewayClassName,
      listeners: [
        { name: HTTP_LISTENER, port: spec.httpPort, protocol: 'HTTP', allowedRoutes: allRoutes },
        ...(certs.length > 0
          ? [{
              name: HTTPS_LISTENER,
              port: spec.httpsPort,
              protocol: 'HTTPS',
              tls: {
                mode: 'Terminate' as const,
                certificateRefs: certs.map((c) => ({ group: '', kind: 'Secret', name: c.name, ...(c.namespace !== spec.namespace ? { namespace: c.namespace } : {}) })),
              },
              allowedRoutes: allRoutes,
            }]
          : []),
      ],
    },
  } as Gateway;
  const byNamespace = new Map<string, string[]>();
  for (const c of certs) {
    if (c.namespace === spec.namespace) continue;
    byNamespace.set(c.namespace, [...(byNamespace.get(c.namespace) ?? []), c.name]);
  }
  const grants = [...byNamespace.entries()].map(([namespace, names]) => ({
    apiVersion: `${GATEWAY_GROUP}/v1beta1`,
    kind: 'ReferenceGrant',
    metadata: { name: `${spec.name}-certificates-from-${spec.namespace}`.slice(0, 253), namespace, generation: 1 },
    spec: {
      from: [{ group: GATEWAY_GROUP, kind: 'Gateway', namespace: spec.namespace }],
      to: [...new Set(names)].map((name) => ({ group: '', kind: 'Secret', name })),
    },
  })) as ReferenceGrant[];
  return { gateway, grants, omitted: spec.certificates.length - certs.length };
}
