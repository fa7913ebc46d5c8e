/**
 * GatewayClass (v1; v1beta1 has the same schema). The CRD's one rule, that `controllerName`
 * is immutable, only applies to updates.
 */
import { z } from 'zod';
import type { GatewayClass } from '../model/gateway-api.js';
import { kubeObject } from './object.js';
import { DOMAIN_PREFIXED_PATH } from './patterns.js';
import { objectReference } from './references.js';
import { str } from './schema.js';

const gatewayClassSpec = z.strictObject({
  controllerName: str({ minLength: 1, maxLength: 253, pattern: DOMAIN_PREFIXED_PATH }),
  parametersRef: objectReference.optional(),
  description: str({ maxLength: 64 }).optional(),
});

export const gatewayClass = kubeObject('GatewayClass', gatewayClassSpec) satisfies z.ZodType<GatewayClass>;
