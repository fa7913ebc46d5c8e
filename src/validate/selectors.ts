/**
 * Label selectors and the namespace selection of routes and listeners.
 */
import { z } from 'zod';
import { list } from './schema.js';

/**
 * A metav1.LabelSelector. The CRDs leave `operator` a free string; it is held to the four
 * operators here because the object model (and any selector built from it) only knows those.
 */
export const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: list(
    z.strictObject({
      key: z.string(),
      operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
      values: list(z.string()).optional(),
    }),
  ).optional(),
});

/** Which namespaces may attach routes to a listener. */
export const routeNamespaces = z.strictObject({
  from: z.enum(['All', 'Selector', 'Same']).default('Same'),
  selector: labelSelector.optional(),
});

/** Which namespaces may attach ListenerSets to a Gateway (none unless allowed). */
export const listenerNamespaces = z.strictObject({
  from: z.enum(['All', 'Selector', 'Same', 'None']).default('None'),
  selector: labelSelector.optional(),
});
