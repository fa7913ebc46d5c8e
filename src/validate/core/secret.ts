/**
 * Secret: base64 `data` under valid keys, `stringData` folded into `data` (as the API server
 * stores it), `type` defaulted to Opaque, and the keys a `kubernetes.io/tls` Secret must hold.
 */
import { z } from 'zod';
import type { Secret } from '../../model/core.js';
import { configKeyErrors } from '../names.js';
import { coreObject } from '../object.js';
import { addSchemaIssue } from '../schema.js';
import { base64ErrorOffset, base64OfUtf8, invalid } from './messages.js';

const TLS_KEYS = ['tls.crt', 'tls.key'];

export const secret = coreObject('Secret', {
  type: z.string().default('Opaque'),
  data: z.record(z.string(), z.string()).optional(),
  stringData: z.record(z.string(), z.string()).optional(),
  immutable: z.boolean().optional(),
})
  .superRefine((s, ctx) => {
    for (const [key, value] of Object.entries(s.data ?? {})) {
      for (const msg of configKeyErrors(key)) addSchemaIssue(ctx, invalid(key, msg), ['data', key]);
      const offset = base64ErrorOffset(value);
      if (offset !== undefined) addSchemaIssue(ctx, `illegal base64 data at input byte ${offset}`, ['data', key]);
    }
    for (const key of Object.keys(s.stringData ?? {})) {
      for (const msg of configKeyErrors(key)) addSchemaIssue(ctx, invalid(key, msg), ['stringData', key]);
    }
    if (s.type === 'kubernetes.io/tls') {
      const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
      for (const key of TLS_KEYS) if (!keys.has(key)) addSchemaIssue(ctx, 'Required value', ['data', key]);
    }
  })
  .transform(({ stringData, ...s }) => {
    if (stringData === undefined) return s;
    const data = { ...s.data };
    for (const [key, value] of Object.entries(stringData)) data[key] = base64OfUtf8(value);
    return { ...s, data };
  }) satisfies z.ZodType<Secret>;
