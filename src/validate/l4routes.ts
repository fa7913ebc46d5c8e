/**
 * What TLSRoute, TCPRoute and UDPRoute share: one or more rules of weighted backends.
 * The v1 schemas allow a single rule; the older alpha versions allowed up to 16 named ones.
 */
import { z } from 'zod';
import { backendRef } from './references.js';
import { parentRefs, ruleName, ruleNamesUnique, useDefaultGateways } from './routes.js';
import { list, withRules } from './schema.js';

const l4RouteRule = z.strictObject({
  name: ruleName.optional(),
  backendRefs: list(backendRef, { minItems: 1, maxItems: 16 }),
});

/** Rules as the v1 CRDs declare them: exactly one. */
export const l4RulesV1 = list(l4RouteRule, { minItems: 1, maxItems: 1 });

/** Rules as v1alpha2 declares them: up to 16, with unique names. */
export const l4RulesV1alpha2 = withRules(list(l4RouteRule, { minItems: 1, maxItems: 16 }), [ruleNamesUnique]);

/** The spec of TCPRoute and UDPRoute, at one version's rule limits. */
export function l4RouteSpec(rules: typeof l4RulesV1 | typeof l4RulesV1alpha2) {
  return z.strictObject({
    parentRefs: parentRefs.optional(),
    useDefaultGateways: useDefaultGateways.optional(),
    rules,
  });
}
