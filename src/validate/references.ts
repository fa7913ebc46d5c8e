/**
 * The reference types shared across the Gateway API kinds, with their field limits and
 * defaults, and the rule every backend reference carries.
 */
import { z } from 'zod';
import { DNS_LABEL, DNS_SUBDOMAIN, GROUP, KIND } from './patterns.js';
import { portNumber, rule, str, withRules } from './schema.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

// Field types (named as in the Gateway API Go types).
export const group = str({ maxLength: 253, pattern: GROUP });
export const kind = str({ minLength: 1, maxLength: 63, pattern: KIND });
export const objectName = str({ minLength: 1, maxLength: 253 });
export const namespace = str({ minLength: 1, maxLength: 63, pattern: DNS_LABEL });
export const sectionName = str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN });

/** A reference to a Gateway (or ListenerSet) a route attaches to. */
export const parentReference = z.strictObject({
  group: group.default(GATEWAY_API_GROUP),
  kind: kind.default('Gateway'),
  namespace: namespace.optional(),
  name: objectName,
  sectionName: sectionName.optional(),
  port: portNumber().optional(),
});
export type ParentReferenceValue = z.output<typeof parentReference>;

/** A Service reference needs a port: its ports are not known to the route. */
export const mustHavePortForService = rule<{ group: string; kind: string; port?: number }>(
  'Must have port for Service reference',
  (ref) => !(ref.group === '' && ref.kind === 'Service') || ref.port !== undefined,
);

const backendObjectReferenceShape = {
  group: group.default(''),
  kind: kind.default('Service'),
  name: objectName,
  namespace: namespace.optional(),
  port: portNumber().optional(),
};

/** A backend a filter sends to (mirror, external authorization). */
export const backendObjectReference = withRules(z.strictObject(backendObjectReferenceShape), [mustHavePortForService]);

/** The fields of a route backendRef (a backend object reference with a weight). */
export const backendRefShape = {
  ...backendObjectReferenceShape,
  weight: z.int().min(0).max(1000000).default(1),
};

/** A backendRef of a route kind without per-backend filters (TLS, TCP, UDP). */
export const backendRef = withRules(z.strictObject(backendRefShape), [mustHavePortForService]);

/** A reference to a Secret holding a certificate. */
export const secretObjectReference = z.strictObject({
  group: group.default(''),
  kind: kind.default('Secret'),
  name: objectName,
  namespace: namespace.optional(),
});

/** A reference with every field spelled out, possibly in another namespace. */
export const objectReference = z.strictObject({
  group,
  kind,
  name: objectName,
  namespace: namespace.optional(),
});

/** A reference within the referrer's namespace. */
export const localObjectReference = z.strictObject({
  group,
  kind,
  name: objectName,
});
