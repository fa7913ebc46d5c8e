/**
 * IngressClass (`networking.k8s.io/v1`, cluster-scoped): `spec.controller` is required, a
 * domain-prefixed path of at most 250 characters, as the API server checks it.
 */
import { z } from 'zod';
import type { IngressClass } from '../ingress/model.js';
import { invalid } from './core/messages.js';
import { coreObject } from './object.js';
import { DOMAIN_PREFIXED_PATH } from './patterns.js';
import { addSchemaIssue } from './schema.js';

const MAX_CONTROLLER_LENGTH = 250;

const ingressClassSpec = z
  .looseObject({
    controller: z.string().optional(),
    parameters: z
      .looseObject({ apiGroup: z.string().optional(), kind: z.string(), name: z.string(), namespace: z.string().optional(), scope: z.string().optional() })
      .optional(),
  })
  .superRefine((spec, ctx) => {
    const controller = spec.controller ?? '';
    if (controller === '') addSchemaIssue(ctx, 'Required value', ['controller']);
    else if (controller.length > MAX_CONTROLLER_LENGTH) {
      addSchemaIssue(ctx, `Too long: may not be more than ${MAX_CONTROLLER_LENGTH} bytes`, ['controller']);
    } else if (!new RegExp(DOMAIN_PREFIXED_PATH).test(controller)) {
      addSchemaIssue(ctx, invalid(controller, 'must be a domain-prefixed path (such as "acme.io/foo")'), ['controller']);
    }
  });

export const ingressClass = coreObject('IngressClass', { spec: ingressClassSpec.prefault({}) }) as unknown as z.ZodType<IngressClass>;
