/**
 * What the route kinds share: parent references and their rules, hostnames, rule names,
 * header matches, session persistence and the match budget of a route.
 */
import { z } from 'zod';
import { DNS_SUBDOMAIN, DURATION, HEADER_VALUE, WILDCARD_HOSTNAME } from './patterns.js';
import { headerName } from './filters.js';
import { parentReference, type ParentReferenceValue } from './references.js';
import { allUnique, isSet, list, listMap, rule, str, withRules } from './schema.js';

const samePort = (a?: number, b?: number) => (a ?? 0) === (b ?? 0);
const sameParent = (a: ParentReferenceValue, b: ParentReferenceValue) =>
  a.group === b.group && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

export const parentRefs = withRules(list(parentReference, { maxItems: 32 }), [
  rule('sectionName or port must be specified when parentRefs includes 2 or more references to the same parent', (refs) =>
    refs.every((p1) =>
      refs.every(
        (p2) =>
          !sameParent(p1, p2) || (isSet(p1.sectionName) === isSet(p2.sectionName) && ((p1.port ?? 0) === 0) === ((p2.port ?? 0) === 0)),
      ),
    ),
  ),
  rule('sectionName or port must be unique when parentRefs includes 2 or more references to the same parent', (refs) =>
    allUnique(refs, (p1, p2) => sameParent(p1, p2) && (p1.sectionName ?? '') === (p2.sectionName ?? '') && samePort(p1.port, p2.port)),
  ),
]);

export const useDefaultGateways = z.enum(['All', 'None']);

export const hostname = str({ minLength: 1, maxLength: 253, pattern: WILDCARD_HOSTNAME });
export const routeHostnames = list(hostname, { maxItems: 16 });

export const ruleName = str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN });

/** Rule names, where given, identify a rule within its route. */
export const ruleNamesUnique = rule<{ name?: string }[]>('Rule name must be unique within the route', (rules) =>
  rules.every((r1) => r1.name === undefined || rules.filter((r2) => r2.name !== undefined && r2.name === r1.name).length === 1),
);

/** Bounds the work a route's matches cost (the CRD sums the first 16 rules, all a route may have). */
export const matchBudget = rule<{ matches?: unknown[] }[]>(
  'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128',
  (rules) => rules.slice(0, 16).reduce((n, r) => n + (r.matches?.length ?? 0), 0) <= 128,
);

export const duration = str({ pattern: DURATION });

/** A header match; HTTP header values are checked as header values, gRPC metadata values are not. */
function headerMatch(value: z.ZodString) {
  return z.strictObject({
    type: z.enum(['Exact', 'RegularExpression']).default('Exact'),
    name: headerName,
    value,
  });
}

export const httpHeaderMatches = listMap(headerMatch(str({ minLength: 1, maxLength: 4096, pattern: HEADER_VALUE })), ['name'], { maxItems: 16 });
export const grpcHeaderMatches = listMap(headerMatch(str({ minLength: 1, maxLength: 4096 })), ['name'], { maxItems: 16 });
export const queryParamMatches = listMap(headerMatch(str({ minLength: 1, maxLength: 1024 })), ['name'], { maxItems: 16 });

export const sessionPersistence = withRules(
  z.strictObject({
    sessionName: str({ maxLength: 128 }).optional(),
    absoluteTimeout: duration.optional(),
    type: z.enum(['Cookie', 'Header']).default('Cookie'),
    cookieConfig: z.strictObject({ lifetimeType: z.enum(['Permanent', 'Session']).default('Session') }).optional(),
  }),
  [
    rule('AbsoluteTimeout must be specified when cookie lifetimeType is Permanent', (s) => s.cookieConfig?.lifetimeType !== 'Permanent' || s.absoluteTimeout !== undefined),
    rule('cookieConfig can only be set with type Cookie', (s) => s.cookieConfig === undefined || s.type === 'Cookie'),
  ],
);
