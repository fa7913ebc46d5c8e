/**
 * Listeners, shared by Gateway and ListenerSet: the listener schema and the rules on a
 * listener list.
 */
import { z } from 'zod';
import { DNS_SUBDOMAIN, PROTOCOL, WILDCARD_HOSTNAME } from './patterns.js';
import { GATEWAY_API_GROUP, group, kind, secretObjectReference } from './references.js';
import { routeNamespaces } from './selectors.js';
import { allUnique, isSet, list, listMap, portNumber, rule, str, stringMap, withRules } from './schema.js';

/** Free-form implementation options (TLS options, BackendTLSPolicy options). */
export const tlsOptions = stringMap(str({ maxLength: 4096 }), { maxProperties: 16 });

const listenerTLSConfig = withRules(
  z.strictObject({
    mode: z.enum(['Terminate', 'Passthrough']).default('Terminate'),
    certificateRefs: list(secretObjectReference, { maxItems: 64 }).optional(),
    options: tlsOptions.optional(),
  }),
  [
    rule('certificateRefs or options must be specified when mode is Terminate', (tls) =>
      tls.mode !== 'Terminate' || (tls.certificateRefs?.length ?? 0) > 0 || Object.keys(tls.options ?? {}).length > 0,
    ),
  ],
);

const allowedRoutes = z.strictObject({
  namespaces: routeNamespaces.prefault({ from: 'Same' }),
  kinds: list(z.strictObject({ group: group.default(GATEWAY_API_GROUP), kind }), { maxItems: 8 }).optional(),
});

export const listener = z.strictObject({
  name: str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN }),
  hostname: str({ minLength: 1, maxLength: 253, pattern: WILDCARD_HOSTNAME }).optional(),
  port: portNumber(),
  protocol: str({ minLength: 1, maxLength: 255, pattern: PROTOCOL }),
  tls: listenerTLSConfig.optional(),
  allowedRoutes: allowedRoutes.prefault({ namespaces: { from: 'Same' } }),
});
type Listener = z.output<typeof listener>;

const sameHostname = (a: Listener, b: Listener) =>
  a.hostname !== undefined && b.hostname !== undefined ? a.hostname === b.hostname : a.hostname === undefined && b.hostname === undefined;

/** The rules every listener list carries (Gateway and ListenerSet alike). */
const listenerListRules = [
  rule<Listener[]>("tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']", (ls) =>
    ls.every((l) => !['HTTP', 'TCP', 'UDP'].includes(l.protocol) || l.tls === undefined),
  ),
  rule<Listener[]>('tls mode must be Terminate for protocol HTTPS', (ls) =>
    ls.every((l) => l.protocol !== 'HTTPS' || l.tls === undefined || l.tls.mode === 'Terminate'),
  ),
  rule<Listener[]>('tls mode must be set for protocol TLS', (ls) =>
    ls.every((l) => l.protocol !== 'TLS' || (l.tls !== undefined && isSet(l.tls.mode))),
  ),
  rule<Listener[]>("hostname must not be specified for protocols ['TCP', 'UDP']", (ls) =>
    ls.every((l) => !['TCP', 'UDP'].includes(l.protocol) || !isSet(l.hostname)),
  ),
  rule<Listener[]>('Listener name must be unique within the Gateway', (ls) => allUnique(ls, (a, b) => a.name === b.name)),
  rule<Listener[]>('Combination of port, protocol and hostname must be unique for each listener', (ls) =>
    allUnique(ls, (a, b) => a.port === b.port && a.protocol === b.protocol && sameHostname(a, b)),
  ),
];

export const listenerList = withRules(listMap(listener, ['name'], { minItems: 1, maxItems: 64 }), listenerListRules);
