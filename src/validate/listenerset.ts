/**
 * ListenerSet (v1): listeners attached to a parent Gateway.
 */
import { z } from 'zod';
import type { ListenerSet } from '../model/gateway-api.js';
import { listenerList } from './listeners.js';
import { kubeObject } from './object.js';
import { GATEWAY_API_GROUP, group, kind, namespace, objectName } from './references.js';

const listenerSetSpec = z.strictObject({
  parentRef: z.strictObject({
    group: group.default(GATEWAY_API_GROUP),
    kind: kind.default('Gateway'),
    name: objectName,
    namespace: namespace.optional(),
  }),
  listeners: listenerList,
});

export const listenerSet = kubeObject('ListenerSet', listenerSetSpec) satisfies z.ZodType<ListenerSet>;
