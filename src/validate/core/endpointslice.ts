/**
 * EndpointSlice (discovery.k8s.io/v1): an address type, endpoints whose addresses are of that
 * type, and ports.
 */
import { z } from 'zod';
import type { EndpointSlice } from '../../model/core.js';
import { isIPv4, isIPv6 } from '../ip.js';
import { dns1123SubdomainErrors } from '../names.js';
import { coreObject } from '../object.js';
import { addSchemaIssue } from '../schema.js';
import { PORT_RANGE, invalid, isPortNumber } from './messages.js';

const MAX_ADDRESSES = 100;

const endpoint = z.looseObject({
  addresses: z.array(z.string()).optional(),
  conditions: z
    .looseObject({ ready: z.boolean().optional(), serving: z.boolean().optional(), terminating: z.boolean().optional() })
    .optional(),
  hostname: z.string().optional(),
  nodeName: z.string().optional(),
  targetRef: z.looseObject({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() }).optional(),
});

const endpointPort = z.looseObject({
  name: z.string().optional(),
  port: z.int().optional(),
  protocol: z.enum(['SCTP', 'TCP', 'UDP']).default('TCP'),
  appProtocol: z.string().optional(),
});

/** The address check for each address type. */
const addressErrors: Record<EndpointSlice['addressType'], (address: string) => string[]> = {
  IPv4: (a) => (isIPv4(a) ? [] : ['must be a valid IPv4 address']),
  IPv6: (a) => (isIPv6(a) ? [] : ['must be a valid IPv6 address']),
  FQDN: dns1123SubdomainErrors,
};

export const endpointSlice = coreObject('EndpointSlice', {
  // Listed as the API server sorts them in its message.
  addressType: z.enum(['FQDN', 'IPv4', 'IPv6']),
  // A slice may be created without endpoints (they come later); it then has none.
  endpoints: z.array(endpoint).default([]),
  ports: z.array(endpointPort).optional(),
})
  .superRefine((slice, ctx) => {
    slice.endpoints.forEach((ep, i) => {
      const addresses = ep.addresses ?? [];
      if (addresses.length === 0) addSchemaIssue(ctx, 'Required value: must contain at least 1 address', ['endpoints', i, 'addresses']);
      if (addresses.length > MAX_ADDRESSES) {
        addSchemaIssue(ctx, `Too many: ${addresses.length}: must have at most ${MAX_ADDRESSES} items`, ['endpoints', i, 'addresses']);
      }
      addresses.forEach((address, j) => {
        for (const msg of addressErrors[slice.addressType](address)) addSchemaIssue(ctx, invalid(address, msg), ['endpoints', i, 'addresses', j]);
      });
    });
    slice.ports?.forEach((port, i) => {
      if (port.port !== undefined && !isPortNumber(port.port)) addSchemaIssue(ctx, invalid(port.port, PORT_RANGE), ['ports', i, 'port']);
    });
  })
  .transform((slice) => ({ ...slice, endpoints: slice.endpoints.map((ep) => ({ ...ep, addresses: ep.addresses ?? [] })) })) satisfies z.ZodType<EndpointSlice>;
