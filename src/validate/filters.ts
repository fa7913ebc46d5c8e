/**
 * Route filters: HTTPRoute and GRPCRoute share the header modifiers, request mirroring and
 * extension references; HTTPRoute adds redirects, rewrites, CORS and external authorization.
 * A filter's `type` decides which one of its fields must be set, and a filter list allows most
 * filter types only once.
 */
import { z } from 'zod';
import { CORS_ORIGIN, DNS_SUBDOMAIN, HEADER_NAME, HEADER_VALUE, URI_PATH } from './patterns.js';
import { backendObjectReference, localObjectReference } from './references.js';
import { int, list, listMap, listSet, portNumber, rule, str, withRules, type Rule } from './schema.js';

export const headerName = str({ minLength: 1, maxLength: 256, pattern: HEADER_NAME });

const httpHeader = z.strictObject({
  name: headerName,
  value: str({ minLength: 1, maxLength: 4096, pattern: HEADER_VALUE }),
});

export const headerModifier = z.strictObject({
  set: listMap(httpHeader, ['name'], { maxItems: 16 }).optional(),
  add: listMap(httpHeader, ['name'], { maxItems: 16 }).optional(),
  remove: listSet(z.string(), { maxItems: 16 }).optional(),
});

const mirrorFraction = withRules(
  z.strictObject({
    numerator: int({ minimum: 0 }),
    denominator: int({ minimum: 1 }).default(100),
  }),
  [rule('numerator must be less than or equal to denominator', (f) => f.numerator <= f.denominator)],
);

export const requestMirror = withRules(
  z.strictObject({
    backendRef: backendObjectReference,
    percent: int({ minimum: 0, maximum: 100 }).optional(),
    fraction: mirrorFraction.optional(),
  }),
  [rule('Only one of percent or fraction may be specified in HTTPRequestMirrorFilter', (m) => !(m.percent !== undefined && m.fraction !== undefined))],
);

const pathModifier = withRules(
  z.strictObject({
    type: z.enum(['ReplaceFullPath', 'ReplacePrefixMatch']),
    replaceFullPath: str({ maxLength: 1024 }).optional(),
    replacePrefixMatch: str({ maxLength: 1024 }).optional(),
  }),
  [
    rule("replaceFullPath must be specified when type is set to 'ReplaceFullPath'", (p) => p.type !== 'ReplaceFullPath' || p.replaceFullPath !== undefined),
    rule("type must be 'ReplaceFullPath' when replaceFullPath is set", (p) => p.replaceFullPath === undefined || p.type === 'ReplaceFullPath'),
    rule("replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'", (p) => p.type !== 'ReplacePrefixMatch' || p.replacePrefixMatch !== undefined),
    rule("type must be 'ReplacePrefixMatch' when replacePrefixMatch is set", (p) => p.replacePrefixMatch === undefined || p.type === 'ReplacePrefixMatch'),
  ],
);

const preciseHostname = str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN });

const requestRedirect = z.strictObject({
  scheme: z.enum(['http', 'https']).optional(),
  hostname: preciseHostname.optional(),
  path: pathModifier.optional(),
  port: portNumber().optional(),
  statusCode: z.literal([301, 302, 303, 307, 308]).default(302),
});

const urlRewrite = z.strictObject({
  hostname: preciseHostname.optional(),
  path: pathModifier.optional(),
});

/** CEL `!('*' in self && self.size() > 1)`: a wildcard entry must stand alone. */
const wildcardAlone = (message: string) => rule<string[]>(message, (items) => !(items.includes('*') && items.length > 1));

const cors = z.strictObject({
  allowOrigins: withRules(listSet(str({ minLength: 1, maxLength: 253, pattern: CORS_ORIGIN }), { maxItems: 64 }), [
    wildcardAlone("AllowOrigins cannot contain '*' alongside other origins"),
  ]).optional(),
  allowCredentials: z.boolean().optional(),
  allowMethods: withRules(
    listSet(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']), { maxItems: 9 }),
    [wildcardAlone("AllowMethods cannot contain '*' alongside other methods")],
  ).optional(),
  allowHeaders: withRules(listSet(headerName, { maxItems: 64 }), [wildcardAlone("AllowHeaders cannot contain '*' alongside other methods")]).optional(),
  exposeHeaders: listSet(headerName, { maxItems: 64 }).optional(),
  maxAge: int({ minimum: 1 }).default(5),
});

const headerNames = listSet(z.string(), { maxItems: 64 });

const externalAuth = withRules(
  z.strictObject({
    protocol: z.enum(['HTTP', 'GRPC']),
    backendRef: backendObjectReference,
    grpc: z.strictObject({ allowedHeaders: headerNames.optional() }).optional(),
    http: z
      .strictObject({
        path: str({ maxLength: 1024, pattern: URI_PATH }).optional(),
        allowedHeaders: headerNames.optional(),
        allowedResponseHeaders: headerNames.optional(),
      })
      .optional(),
    forwardBody: z.strictObject({ maxSize: z.int().optional() }).optional(),
  }),
  [
    rule("grpc must be specified when protocol is set to 'GRPC'", (a) => a.protocol !== 'GRPC' || a.grpc !== undefined),
    rule("protocol must be 'GRPC' when grpc is set", (a) => a.grpc === undefined || a.protocol === 'GRPC'),
    rule("http must be specified when protocol is set to 'HTTP'", (a) => a.protocol !== 'HTTP' || a.http !== undefined),
    rule("protocol must be 'HTTP' when http is set", (a) => a.http === undefined || a.protocol === 'HTTP'),
  ],
);

// ---------------------------------------------------------------------------------------------
// A filter: its type names the one field it uses.

type FilterLike = { type: string } & Record<string, unknown>;

/** The pair of rules tying a filter field to its filter type. */
function fieldMatchesType(field: string, type: string): Rule<FilterLike>[] {
  return [
    rule(`filter.${field} must be nil if the filter.type is not ${type}`, (f) => !(f[field] !== undefined && f.type !== type)),
    rule(`filter.${field} must be specified for ${type} filter.type`, (f) => !(f[field] === undefined && f.type === type)),
  ];
}

/** The rule that a filter type appears at most once in a filter list. */
function notRepeated(type: string): Rule<{ type: string }[]> {
  return rule(`${type} filter cannot be repeated`, (filters) => filters.filter((f) => f.type === type).length <= 1);
}

const httpFilterFields = {
  requestHeaderModifier: 'RequestHeaderModifier',
  responseHeaderModifier: 'ResponseHeaderModifier',
  requestMirror: 'RequestMirror',
  requestRedirect: 'RequestRedirect',
  urlRewrite: 'URLRewrite',
  extensionRef: 'ExtensionRef',
  cors: 'CORS',
  externalAuth: 'ExternalAuth',
} as const;

const httpRouteFilter = withRules(
  z.strictObject({
    type: z.enum(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'ExtensionRef', 'CORS', 'ExternalAuth']),
    requestHeaderModifier: headerModifier.optional(),
    responseHeaderModifier: headerModifier.optional(),
    requestMirror: requestMirror.optional(),
    requestRedirect: requestRedirect.optional(),
    urlRewrite: urlRewrite.optional(),
    extensionRef: localObjectReference.optional(),
    cors: cors.optional(),
    externalAuth: externalAuth.optional(),
  }),
  Object.entries(httpFilterFields).flatMap(([field, type]) => fieldMatchesType(field, type)),
);
export type HTTPRouteFilterValue = z.output<typeof httpRouteFilter>;

export const httpRouteFilters = withRules(list(httpRouteFilter, { maxItems: 16 }), [
  rule('May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both', (filters) =>
    !(filters.some((f) => f.type === 'RequestRedirect') && filters.some((f) => f.type === 'URLRewrite')),
  ),
  notRepeated('CORS'),
  notRepeated('RequestHeaderModifier'),
  notRepeated('ResponseHeaderModifier'),
  notRepeated('RequestRedirect'),
  notRepeated('URLRewrite'),
]);

const grpcFilterFields = {
  requestHeaderModifier: 'RequestHeaderModifier',
  responseHeaderModifier: 'ResponseHeaderModifier',
  requestMirror: 'RequestMirror',
  extensionRef: 'ExtensionRef',
} as const;

const grpcRouteFilter = withRules(
  z.strictObject({
    type: z.enum(['ResponseHeaderModifier', 'RequestHeaderModifier', 'RequestMirror', 'ExtensionRef']),
    requestHeaderModifier: headerModifier.optional(),
    responseHeaderModifier: headerModifier.optional(),
    requestMirror: requestMirror.optional(),
    extensionRef: localObjectReference.optional(),
  }),
  Object.entries(grpcFilterFields).flatMap(([field, type]) => fieldMatchesType(field, type)),
);

export const grpcRouteFilters = withRules(list(grpcRouteFilter, { maxItems: 16 }), [
  notRepeated('RequestHeaderModifier'),
  notRepeated('ResponseHeaderModifier'),
]);
