/**
 * HTTPRoute (v1; v1beta1 has the same schema).
 */
import { z } from 'zod';
import type { HTTPRoute } from '../model/gateway-api.js';
import { httpRouteFilters, type HTTPRouteFilterValue } from './filters.js';
import { kubeObject } from './object.js';
import { URI_PATH } from './patterns.js';
import { backendRefShape, mustHavePortForService } from './references.js';
import {
  duration,
  httpHeaderMatches,
  matchBudget,
  parentRefs,
  queryParamMatches,
  routeHostnames,
  ruleName,
  ruleNamesUnique,
  sessionPersistence,
  useDefaultGateways,
} from './routes.js';
import { int, list, listSet, rule, str, withRules } from './schema.js';

// ---------------------------------------------------------------------------------------------
// Matches

/** Exact and PathPrefix values are normalized request paths; regular expressions are not. */
const onNormalizedPath = (message: string, holds: (value: string) => boolean) =>
  rule<{ type: string; value: string }>(message, (p) => !['Exact', 'PathPrefix'].includes(p.type) || holds(p.value));

const uriPath = new RegExp(URI_PATH);

const pathMatch = withRules(
  z.strictObject({
    type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).default('PathPrefix'),
    value: str({ maxLength: 1024 }).default('/'),
  }),
  [
    onNormalizedPath("value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']", (v) => v.startsWith('/')),
    onNormalizedPath("must not contain '//' when type one of ['Exact', 'PathPrefix']", (v) => !v.includes('//')),
    onNormalizedPath("must not contain '/./' when type one of ['Exact', 'PathPrefix']", (v) => !v.includes('/./')),
    onNormalizedPath("must not contain '/../' when type one of ['Exact', 'PathPrefix']", (v) => !v.includes('/../')),
    onNormalizedPath("must not contain '%2f' when type one of ['Exact', 'PathPrefix']", (v) => !v.includes('%2f')),
    onNormalizedPath("must not contain '%2F' when type one of ['Exact', 'PathPrefix']", (v) => !v.includes('%2F')),
    onNormalizedPath("must not contain '#' when type one of ['Exact', 'PathPrefix']", (v) => !v.includes('#')),
    onNormalizedPath("must not end with '/..' when type one of ['Exact', 'PathPrefix']", (v) => !v.endsWith('/..')),
    onNormalizedPath("must not end with '/.' when type one of ['Exact', 'PathPrefix']", (v) => !v.endsWith('/.')),
    // The enum already limits the type; the CRD keeps this rule for older API servers.
    rule("type must be one of ['Exact', 'PathPrefix', 'RegularExpression']", (p) => ['Exact', 'PathPrefix', 'RegularExpression'].includes(p.type)),
    onNormalizedPath(
      `must only contain valid characters (matching ${URI_PATH}) for types ['Exact', 'PathPrefix']`,
      (v) => uriPath.test(v),
    ),
  ],
);

const DEFAULT_MATCH = { path: { type: 'PathPrefix', value: '/' } } as const;

const httpRouteMatch = z.strictObject({
  path: pathMatch.prefault({ type: 'PathPrefix', value: '/' }),
  headers: httpHeaderMatches.optional(),
  queryParams: queryParamMatches.optional(),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']).optional(),
});

// ---------------------------------------------------------------------------------------------
// Rules

const httpBackendRef = withRules(z.strictObject({ ...backendRefShape, filters: httpRouteFilters.optional() }), [mustHavePortForService]);

/** Parses a Gateway API duration (`1h30m`, `500ms`) to milliseconds. */
function durationMs(text: string): number | undefined {
  const parts = [...text.matchAll(/([0-9]+)(h|ms|m|s)/g)];
  if (parts.map((m) => m[0]).join('') !== text) return undefined;
  const unit = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
  return parts.reduce((sum, m) => sum + Number(m[1]) * unit[m[2] as keyof typeof unit], 0);
}

const timeouts = withRules(
  z.strictObject({
    request: duration.optional(),
    backendRequest: duration.optional(),
  }),
  [
    rule('backendRequest timeout cannot be longer than request timeout', (t) => {
      if (t.request === undefined || t.backendRequest === undefined) return true;
      const request = durationMs(t.request);
      const backendRequest = durationMs(t.backendRequest);
      // A zero request timeout means "no timeout": any backend timeout fits.
      return request === undefined || backendRequest === undefined || request === 0 || backendRequest <= request;
    }),
  ],
);

const retry = z.strictObject({
  codes: listSet(int({ minimum: 400, maximum: 599 })).optional(),
  attempts: int({ minimum: 1 }).optional(),
  backoff: duration.optional(),
});

type RuleShape = {
  matches: { path: { type: string } }[];
  filters?: HTTPRouteFilterValue[];
  backendRefs?: { filters?: HTTPRouteFilterValue[] }[];
};
type PathRewriter = 'requestRedirect' | 'urlRewrite';

/** CEL `filters.exists_one(...)`: exactly one filter rewrites the path by prefix. */
function oneReplacesPrefix(filters: HTTPRouteFilterValue[] | undefined, field: PathRewriter): boolean {
  const path = (f: HTTPRouteFilterValue) => f[field]?.path;
  return (filters ?? []).filter((f) => path(f)?.type === 'ReplacePrefixMatch' && path(f)?.replacePrefixMatch !== undefined).length === 1;
}

const singlePrefixMatch = (r: RuleShape) => r.matches.length === 1 && r.matches[0].path.type === 'PathPrefix';

/** Prefix replacement needs one PathPrefix match to know which prefix to replace. */
function prefixReplacementRules(field: PathRewriter, filterName: string): ReturnType<typeof rule<RuleShape>>[] {
  return [
    rule<RuleShape>(
      `When using ${filterName} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`,
      (r) => !oneReplacesPrefix(r.filters, field) || singlePrefixMatch(r),
    ),
    rule<RuleShape>(
      // The CRD capitalizes "When" in the URLRewrite variant only.
      `Within backendRefs, ${field === 'urlRewrite' ? 'When' : 'when'} using ${filterName} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`,
      (r) => !((r.backendRefs ?? []).filter((b) => oneReplacesPrefix(b.filters, field)).length === 1) || singlePrefixMatch(r),
    ),
  ];
}

const httpRouteRule = withRules(
  z.strictObject({
    name: ruleName.optional(),
    matches: list(httpRouteMatch, { maxItems: 64 }).prefault([DEFAULT_MATCH]),
    filters: httpRouteFilters.optional(),
    backendRefs: list(httpBackendRef, { maxItems: 16 }).optional(),
    timeouts: timeouts.optional(),
    retry: retry.optional(),
    sessionPersistence: sessionPersistence.optional(),
  }),
  [
    rule('RequestRedirect filter must not be used together with backendRefs', (r) =>
      (r.backendRefs?.length ?? 0) === 0 || (r.filters ?? []).every((f) => f.requestRedirect === undefined),
    ),
    ...prefixReplacementRules('requestRedirect', 'RequestRedirect'),
    ...prefixReplacementRules('urlRewrite', 'URLRewrite'),
  ],
);

const httpRouteSpec = z.strictObject({
  parentRefs: parentRefs.optional(),
  useDefaultGateways: useDefaultGateways.optional(),
  hostnames: routeHostnames.optional(),
  rules: withRules(list(httpRouteRule, { minItems: 1, maxItems: 16 }), [matchBudget, ruleNamesUnique]).prefault([{ matches: [DEFAULT_MATCH] }]),
});

export const httpRoute = kubeObject('HTTPRoute', httpRouteSpec) satisfies z.ZodType<HTTPRoute>;
