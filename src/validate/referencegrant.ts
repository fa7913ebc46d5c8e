/**
 * ReferenceGrant (v1; v1beta1 has the same schema).
 */
import { z } from 'zod';
import type { ReferenceGrant } from '../model/gateway-api.js';
import { kubeObject } from './object.js';
import { group, kind, namespace, objectName } from './references.js';
import { list } from './schema.js';

const referenceGrantSpec = z.strictObject({
  from: list(z.strictObject({ group, kind, namespace }), { minItems: 1, maxItems: 16 }),
  to: list(z.strictObject({ group, kind, name: objectName.optional() }), { minItems: 1, maxItems: 16 }),
});

export const referenceGrant = kubeObject('ReferenceGrant', referenceGrantSpec) satisfies z.ZodType<ReferenceGrant>;
