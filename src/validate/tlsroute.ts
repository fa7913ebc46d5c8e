/**
 * TLSRoute: v1 and v1alpha3 require hostnames (checked by CEL rules) and allow one rule;
 * v1alpha2 leaves hostnames optional and allows 16 rules. All are read into the v1 shape,
 * where an absent hostname list is an empty one.
 */
import { z } from 'zod';
import type { TLSRoute } from '../model/gateway-api.js';
import { isIP } from './ip.js';
import { l4RulesV1, l4RulesV1alpha2 } from './l4routes.js';
import { kubeObject } from './object.js';
import { hostname, parentRefs, useDefaultGateways } from './routes.js';
import { list, rule, withRules } from './schema.js';

const RFC1123_HOSTNAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

const tlsHostnames = withRules(list(hostname, { minItems: 1, maxItems: 1024 }), [
  rule('Hostnames cannot contain an IP', (hs) => hs.every((h) => !isIP(h))),
  rule('Hostnames must be valid based on RFC-1123', (hs) => hs.every((h) => h.includes('*') || RFC1123_HOSTNAME.test(h))),
  rule(
    'Wildcards on hostnames must be the first label, and the rest of hostname must be valid based on RFC-1123',
    (hs) => hs.every((h) => !h.includes('*') || (h.startsWith('*.') && RFC1123_HOSTNAME.test(h.substring(2)))),
  ),
]);

const tlsRouteSpecV1 = z.strictObject({
  parentRefs: parentRefs.optional(),
  useDefaultGateways: useDefaultGateways.optional(),
  hostnames: tlsHostnames,
  rules: l4RulesV1,
});

const tlsRouteSpecV1alpha2 = z.strictObject({
  parentRefs: parentRefs.optional(),
  useDefaultGateways: useDefaultGateways.optional(),
  hostnames: list(hostname, { maxItems: 1024 }).default([]),
  rules: l4RulesV1alpha2,
});

export const tlsRoute = kubeObject('TLSRoute', tlsRouteSpecV1) satisfies z.ZodType<TLSRoute>;
export const tlsRouteV1alpha2 = kubeObject('TLSRoute', tlsRouteSpecV1alpha2) satisfies z.ZodType<TLSRoute>;
