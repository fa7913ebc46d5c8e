/**
 * The envelope of every object: `apiVersion`, `kind`, `metadata` and the kind's body.
 */
import { z } from 'zod';
import { KINDS, type KindName } from '../load/kinds.js';
import { objectMeta, type NameCheck } from './metadata.js';

/** A custom resource: the envelope around a required `spec`. */
export function kubeObject<K extends KindName, S extends z.ZodType>(kind: K, spec: S, nameErrors?: NameCheck) {
  return z.strictObject({
    apiVersion: z.string(),
    kind: z.literal(kind),
    metadata: objectMeta({ namespaced: KINDS[kind].namespaced, nameErrors }),
    spec,
  });
}

/** A core object: the envelope around the kind's own top-level fields. */
export function coreObject<K extends KindName, B extends z.core.$ZodLooseShape>(kind: K, body: B, nameErrors?: NameCheck) {
  return z.looseObject({
    apiVersion: z.string(),
    kind: z.literal(kind),
    metadata: objectMeta({ namespaced: KINDS[kind].namespaced, nameErrors }),
    ...body,
  });
}
