/**
 * ConfigMap: string data and base64 binary data under valid, distinct keys.
 */
import { z } from 'zod';
import type { ConfigMap } from '../../model/core.js';
import { configKeyErrors } from '../names.js';
import { coreObject } from '../object.js';
import { addSchemaIssue } from '../schema.js';
import { base64ErrorOffset, invalid } from './messages.js';

export const configMap = coreObject('ConfigMap', {
  data: z.record(z.string(), z.string()).optional(),
  binaryData: z.record(z.string(), z.string()).optional(),
  immutable: z.boolean().optional(),
}).superRefine((cm, ctx) => {
  for (const key of Object.keys(cm.data ?? {})) {
    for (const msg of configKeyErrors(key)) addSchemaIssue(ctx, invalid(key, msg), ['data', key]);
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    for (const msg of configKeyErrors(key)) addSchemaIssue(ctx, invalid(key, msg), ['binaryData', key]);
    if (cm.data && key in cm.data) addSchemaIssue(ctx, invalid(key, 'duplicate of key present in data'), ['binaryData', key]);
    const offset = base64ErrorOffset(value);
    if (offset !== undefined) addSchemaIssue(ctx, `illegal base64 data at input byte ${offset}`, ['binaryData', key]);
  }
}) satisfies z.ZodType<ConfigMap>;
