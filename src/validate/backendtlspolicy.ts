/**
 * BackendTLSPolicy (v1; v1alpha3 has the same schema).
 */
import { z } from 'zod';
import type { BackendTLSPolicy } from '../model/gateway-api.js';
import { tlsOptions } from './listeners.js';
import { kubeObject } from './object.js';
import { DNS_SUBDOMAIN, SAN_URI, WELL_KNOWN_CA, WILDCARD_HOSTNAME } from './patterns.js';
import { group, kind, localObjectReference, objectName, sectionName } from './references.js';
import { isSet, list, rule, str, withRules } from './schema.js';

const targetRef = z.strictObject({ group, kind, name: objectName, sectionName: sectionName.optional() });
type TargetRef = z.output<typeof targetRef>;

const sameTarget = (a: TargetRef, b: TargetRef) => a.group === b.group && a.kind === b.kind && a.name === b.name;

const targetRefs = withRules(list(targetRef, { minItems: 1, maxItems: 16 }), [
  rule('sectionName must be specified when targetRefs includes 2 or more references to the same target', (refs) =>
    refs.every((p1) => refs.every((p2) => !sameTarget(p1, p2) || isSet(p1.sectionName) === isSet(p2.sectionName))),
  ),
  rule('sectionName must be unique when targetRefs includes 2 or more references to the same target', (refs) =>
    refs.every(
      (p1) =>
        refs.filter(
          (p2) =>
            sameTarget(p1, p2) &&
            ((!isSet(p1.sectionName) && !isSet(p2.sectionName)) ||
              (p1.sectionName !== undefined && p2.sectionName !== undefined && p1.sectionName === p2.sectionName)),
        ).length === 1,
    ),
  ),
]);

/** A subject alternative name carries exactly the field its type names. */
const subjectAltName = withRules(
  z.strictObject({
    type: z.enum(['Hostname', 'URI']),
    hostname: str({ minLength: 1, maxLength: 253, pattern: WILDCARD_HOSTNAME }).optional(),
    uri: str({ minLength: 1, maxLength: 253, pattern: SAN_URI }).optional(),
  }),
  [
    rule('SubjectAltName element must contain Hostname, if Type is set to Hostname', (s) => !(s.type === 'Hostname' && !isSet(s.hostname))),
    rule('SubjectAltName element must not contain Hostname, if Type is not set to Hostname', (s) => !(s.type !== 'Hostname' && isSet(s.hostname))),
    rule('SubjectAltName element must contain URI, if Type is set to URI', (s) => !(s.type === 'URI' && !isSet(s.uri))),
    rule('SubjectAltName element must not contain URI, if Type is not set to URI', (s) => !(s.type !== 'URI' && isSet(s.uri))),
  ],
);

const hasCARefs = (v: { caCertificateRefs?: unknown[] }) => (v.caCertificateRefs?.length ?? 0) > 0;

const validation = withRules(
  z.strictObject({
    caCertificateRefs: list(localObjectReference, { maxItems: 8 }).optional(),
    wellKnownCACertificates: str({ minLength: 1, maxLength: 253, pattern: WELL_KNOWN_CA }).optional(),
    hostname: str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN }),
    subjectAltNames: list(subjectAltName, { maxItems: 5 }).optional(),
  }),
  [
    rule('must not contain both CACertificateRefs and WellKnownCACertificates', (v) => !(hasCARefs(v) && isSet(v.wellKnownCACertificates))),
    rule('must specify either CACertificateRefs or WellKnownCACertificates', (v) => hasCARefs(v) || isSet(v.wellKnownCACertificates)),
  ],
);

const backendTLSPolicySpec = z.strictObject({
  targetRefs,
  validation,
  options: tlsOptions.optional(),
});

export const backendTLSPolicy = kubeObject('BackendTLSPolicy', backendTLSPolicySpec) satisfies z.ZodType<BackendTLSPolicy>;
