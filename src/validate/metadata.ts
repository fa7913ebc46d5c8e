/**
 * `metadata` (ObjectMeta) as the API server validates and defaults it on create: a valid name
 * is required, labels and annotation keys are checked, the namespace of a namespaced object
 * defaults to `default` (as kubectl sends it) and is dropped from cluster-scoped ones, and
 * `generation` starts at 1.
 */
import { z } from 'zod';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from './names.js';
import { addSchemaIssue } from './schema.js';
import { formatValue } from './issues.js';

export type NameCheck = (name: string) => string[];

export interface MetadataOptions {
  namespaced: boolean;
  /** The name rule of the kind: most kinds use DNS-1123 subdomains. */
  nameErrors?: NameCheck;
}

const looseItem = z.looseObject({});

const objectMetaShape = {
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generation: z.int().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().nullable().optional(),
  deletionTimestamp: z.string().optional(),
  deletionGracePeriodSeconds: z.int().optional(),
  selfLink: z.string().optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(looseItem).optional(),
  managedFields: z.array(looseItem).optional(),
};

export function objectMeta({ namespaced, nameErrors = dns1123SubdomainErrors }: MetadataOptions) {
  return z
    .strictObject(objectMetaShape)
    .superRefine((meta, ctx) => {
      if (meta.name === undefined || meta.name === '') {
        addSchemaIssue(ctx, 'Required value: name or generateName is required', ['name']);
      } else {
        for (const msg of nameErrors(meta.name)) addSchemaIssue(ctx, `Invalid value: ${formatValue(meta.name)}: ${msg}`, ['name']);
      }
      if (namespaced && meta.namespace !== undefined && meta.namespace !== '') {
        for (const msg of dns1123LabelErrors(meta.namespace)) {
          addSchemaIssue(ctx, `Invalid value: ${formatValue(meta.namespace)}: ${msg}`, ['namespace']);
        }
      }
      for (const [key, value] of Object.entries(meta.labels ?? {})) {
        for (const msg of qualifiedNameErrors(key)) addSchemaIssue(ctx, `Invalid value: ${formatValue(key)}: ${msg}`, ['labels']);
        for (const msg of labelValueErrors(value)) addSchemaIssue(ctx, `Invalid value: ${formatValue(value)}: ${msg}`, ['labels']);
      }
      for (const key of Object.keys(meta.annotations ?? {})) {
        // Annotation keys are compared case-insensitively for validity.
        for (const msg of qualifiedNameErrors(key.toLowerCase())) {
          addSchemaIssue(ctx, `Invalid value: ${formatValue(key)}: ${msg}`, ['annotations']);
        }
      }
    })
    // The API server sets creationTimestamp itself; generated manifests often carry `null`.
    .transform(({ name, namespace, generation, creationTimestamp, ...rest }) => ({
      ...rest,
      ...(typeof creationTimestamp === 'string' ? { creationTimestamp } : {}),
      name: name ?? '',
      ...(namespaced ? { namespace: namespace || 'default' } : {}),
      generation: generation ?? 1,
    }));
}
