/**
 * Namespace: a DNS-1123 label name and labels (which namespace selectors read).
 */
import { z } from 'zod';
import type { Namespace } from '../../model/core.js';
import { dns1123LabelErrors } from '../names.js';
import { coreObject } from '../object.js';

export const namespaceObject = coreObject(
  'Namespace',
  { spec: z.looseObject({ finalizers: z.array(z.string()).optional() }).optional() },
  dns1123LabelErrors,
) satisfies z.ZodType<Namespace>;
