/**
 * Gateway (v1; v1beta1 has the same schema).
 */
import { z } from 'zod';
import type { Gateway } from '../model/gateway-api.js';
import { isIP } from './ip.js';
import { listenerList } from './listeners.js';
import { kubeObject } from './object.js';
import { ADDRESS_TYPE, LABEL_VALUE, QUALIFIED_KEY, WILDCARD_HOSTNAME } from './patterns.js';
import { localObjectReference, objectReference, secretObjectReference } from './references.js';
import { listenerNamespaces } from './selectors.js';
import { addSchemaIssue, allUnique, FIELD_PATH, list, listMap, portNumber, rule, str, stringMap, withRules } from './schema.js';

// ---------------------------------------------------------------------------------------------
// Addresses

const wildcardHostname = new RegExp(WILDCARD_HOSTNAME);

const gatewayAddress = withRules(
  z.strictObject({
    type: str({ minLength: 1, maxLength: 253, pattern: ADDRESS_TYPE }).default('IPAddress'),
    value: str({ maxLength: 253 }).optional(),
  }),
  [
    rule(
      `Hostname value must be empty or contain only valid characters (matching ${WILDCARD_HOSTNAME})`,
      (a) => a.type !== 'Hostname' || a.value === undefined || wildcardHostname.test(a.value),
    ),
  ],
).superRefine((address, ctx) => {
  // The CRD's `oneOf`: an IPAddress value must be formatted as an IPv4 or IPv6 address.
  if (address.type === 'IPAddress' && address.value !== undefined && !isIP(address.value)) {
    addSchemaIssue(ctx, `Invalid value: "": ${FIELD_PATH} in body must validate one and only one schema (oneOf). Found none valid`);
  }
});
type GatewayAddress = z.output<typeof gatewayAddress>;

/** Values of one address type are unique. */
const uniqueValuesOfType = (type: string) =>
  rule<GatewayAddress[]>(`${type} values must be unique`, (addresses) =>
    addresses.every(
      (a1) => a1.type !== type || a1.value === undefined || addresses.filter((a2) => a2.type === a1.type && a2.value === a1.value).length === 1,
    ),
  );

const addresses = withRules(list(gatewayAddress, { maxItems: 16 }), [uniqueValuesOfType('IPAddress'), uniqueValuesOfType('Hostname')]);

// ---------------------------------------------------------------------------------------------
// Infrastructure

const qualifiedKey = new RegExp(QUALIFIED_KEY);

/** The rules on the keys of a label or annotation map. */
function keyRules(what: 'Label' | 'Annotation') {
  return [
    rule<Record<string, string>>(
      `${what} keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.`,
      (map) => Object.keys(map).every((key) => qualifiedKey.test(key)),
    ),
    rule<Record<string, string>>(
      `If specified, the ${what.toLowerCase()} key's prefix must be a DNS subdomain not longer than 253 characters in total.`,
      (map) => Object.keys(map).every((key) => key.split('/')[0].length < 253),
    ),
  ];
}

const infrastructure = z.strictObject({
  labels: withRules(stringMap(str({ maxLength: 63, pattern: LABEL_VALUE }), { maxProperties: 8 }), keyRules('Label')).optional(),
  annotations: withRules(stringMap(str({ maxLength: 4096 }), { maxProperties: 16 }), keyRules('Annotation')).optional(),
  parametersRef: localObjectReference.optional(),
});

// ---------------------------------------------------------------------------------------------
// TLS

const frontendTLSValidation = z.strictObject({
  caCertificateRefs: list(objectReference, { minItems: 1, maxItems: 16 }),
  mode: z.enum(['AllowValidOnly', 'AllowInsecureFallback']).default('AllowValidOnly'),
});

const perPortTLS = z.strictObject({
  port: portNumber(),
  tls: z.strictObject({ validation: frontendTLSValidation.optional() }),
});

const gatewayTLS = z.strictObject({
  backend: z.strictObject({ clientCertificateRef: secretObjectReference.optional() }).optional(),
  frontend: z
    .strictObject({
      default: z.strictObject({ validation: frontendTLSValidation.optional() }),
      perPort: withRules(listMap(perPortTLS, ['port'], { maxItems: 64 }), [
        rule('Port for TLS configuration must be unique within the Gateway', (entries) => allUnique(entries, (a, b) => a.port === b.port)),
      ]).optional(),
    })
    .optional(),
});

// ---------------------------------------------------------------------------------------------

const gatewaySpec = z.strictObject({
  gatewayClassName: str({ minLength: 1, maxLength: 253 }),
  listeners: listenerList,
  addresses: addresses.optional(),
  infrastructure: infrastructure.optional(),
  allowedListeners: z.strictObject({ namespaces: listenerNamespaces.prefault({ from: 'None' }) }).optional(),
  tls: gatewayTLS.optional(),
  defaultScope: z.enum(['All', 'None']).optional(),
});

export const gateway = kubeObject('Gateway', gatewaySpec) satisfies z.ZodType<Gateway>;
