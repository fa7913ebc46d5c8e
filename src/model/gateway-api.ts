/**
 * The Gateway API v1.6.1 object model as Switchyard holds it after validation and defaulting
 * (the `v1` shape; older served versions are read into the same shape). Field names and
 * meanings are the spec's; see the CRDs for descriptions. Optional fields are those the CRDs
 * leave without a default.
 */
import type { KubeObject, ObjectMeta } from '../load/load.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

interface Obj<K extends string, S> extends KubeObject {
  kind: K;
  metadata: ObjectMeta & { generation: number };
  spec: S;
  status?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// References

export interface ParentReference {
  group: string; // default gateway.networking.k8s.io
  kind: string; // default Gateway
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendObjectReference {
  group: string; // default ""
  kind: string; // default Service
  name: string;
  namespace?: string;
  port?: number;
}

export interface SecretObjectReference {
  group: string; // default ""
  kind: string; // default Secret
  name: string;
  namespace?: string;
}

export interface ObjectReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface LocalObjectReference {
  group: string;
  kind: string;
  name: string;
}

export interface LocalPolicyTargetReferenceWithSectionName extends LocalObjectReference {
  sectionName?: string;
}

// ---------------------------------------------------------------------------------------------
// GatewayClass

export interface ParametersReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface GatewayClassSpec {
  controllerName: string;
  parametersRef?: ParametersReference;
  description?: string;
}
export type GatewayClass = Obj<'GatewayClass', GatewayClassSpec>;

// ---------------------------------------------------------------------------------------------
// Gateway and ListenerSet

export type ProtocolType = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP' | string;

export interface RouteGroupKind {
  group: string; // default gateway.networking.k8s.io
  kind: string;
}

export interface RouteNamespaces {
  from: 'All' | 'Selector' | 'Same' | 'None';
  selector?: LabelSelector;
}

export interface AllowedRoutes {
  namespaces: RouteNamespaces; // default { from: Same }
  kinds?: RouteGroupKind[];
}

export interface ListenerTLSConfig {
  mode: 'Terminate' | 'Passthrough'; // default Terminate
  certificateRefs?: SecretObjectReference[];
  options?: Record<string, string>;
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: ProtocolType;
  tls?: ListenerTLSConfig;
  allowedRoutes: AllowedRoutes;
}

export interface GatewaySpecAddress {
  type: string; // default IPAddress
  value?: string;
}

export interface FrontendTLSValidation {
  caCertificateRefs: ObjectReference[];
  mode: 'AllowValidOnly' | 'AllowInsecureFallback'; // default AllowValidOnly
}

export interface GatewayTLSConfig {
  backend?: { clientCertificateRef?: SecretObjectReference };
  frontend?: {
    default: { validation?: FrontendTLSValidation };
    perPort?: { port: number; tls: { validation?: FrontendTLSValidation } }[];
  };
}

export interface GatewaySpec {
  gatewayClassName: string;
  listeners: Listener[];
  addresses?: GatewaySpecAddress[];
  infrastructure?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    parametersRef?: LocalObjectReference;
  };
  allowedListeners?: { namespaces: RouteNamespaces };
  tls?: GatewayTLSConfig;
  defaultScope?: 'All' | 'None';
}
export type Gateway = Obj<'Gateway', GatewaySpec>;

export interface ListenerSetSpec {
  parentRef: { group: string; kind: string; name: string; namespace?: string };
  listeners: Listener[];
}
export type ListenerSet = Obj<'ListenerSet', ListenerSetSpec>;

// ---------------------------------------------------------------------------------------------
// Filters

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HeaderModifier {
  set?: HTTPHeader[];
  add?: HTTPHeader[];
  remove?: string[];
}

export interface HTTPPathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HTTPRequestRedirectFilter {
  scheme?: 'http' | 'https';
  hostname?: string;
  path?: HTTPPathModifier;
  port?: number;
  statusCode: 301 | 302 | 303 | 307 | 308; // default 302
}

export interface HTTPURLRewriteFilter {
  hostname?: string;
  path?: HTTPPathModifier;
}

export interface RequestMirrorFilter {
  backendRef: BackendObjectReference;
  percent?: number;
  fraction?: { numerator: number; denominator: number }; // denominator default 100
}

export interface HTTPCORSFilter {
  allowOrigins?: string[];
  allowCredentials?: boolean;
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge: number; // default 5
}

export interface HTTPExternalAuthFilter {
  protocol: 'HTTP' | 'GRPC';
  backendRef: BackendObjectReference;
  grpc?: { allowedHeaders?: string[] };
  http?: { path?: string; allowedHeaders?: string[]; allowedResponseHeaders?: string[] };
  forwardBody?: { maxSize?: number };
}

export interface HTTPRouteFilter {
  type:
    | 'RequestHeaderModifier'
    | 'ResponseHeaderModifier'
    | 'RequestMirror'
    | 'RequestRedirect'
    | 'URLRewrite'
    | 'ExtensionRef'
    | 'CORS'
    | 'ExternalAuth';
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestMirror?: RequestMirrorFilter;
  requestRedirect?: HTTPRequestRedirectFilter;
  urlRewrite?: HTTPURLRewriteFilter;
  extensionRef?: LocalObjectReference;
  cors?: HTTPCORSFilter;
  externalAuth?: HTTPExternalAuthFilter;
}

export interface GRPCRouteFilter {
  type: 'ResponseHeaderModifier' | 'RequestHeaderModifier' | 'RequestMirror' | 'ExtensionRef';
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestMirror?: RequestMirrorFilter;
  extensionRef?: LocalObjectReference;
}

// ---------------------------------------------------------------------------------------------
// Routes

export interface BackendRef extends BackendObjectReference {
  weight: number; // default 1
}

export interface HTTPBackendRef extends BackendRef {
  filters?: HTTPRouteFilter[];
}

export interface GRPCBackendRef extends BackendRef {
  filters?: GRPCRouteFilter[];
}

export interface HTTPPathMatch {
  type: 'Exact' | 'PathPrefix' | 'RegularExpression'; // default PathPrefix
  value: string; // default /
}

export interface HTTPHeaderMatch {
  type: 'Exact' | 'RegularExpression'; // default Exact
  name: string;
  value: string;
}

export type HTTPQueryParamMatch = HTTPHeaderMatch;

export type HTTPMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface HTTPRouteMatch {
  path: HTTPPathMatch; // default { PathPrefix, / }
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPQueryParamMatch[];
  method?: HTTPMethod;
}

export interface HTTPRouteTimeouts {
  request?: string;
  backendRequest?: string;
}

export interface HTTPRouteRetry {
  codes?: number[];
  attempts?: number;
  backoff?: string;
}

export interface SessionPersistence {
  sessionName?: string;
  absoluteTimeout?: string;
  idleTimeout?: string;
  type: 'Cookie' | 'Header'; // default Cookie
  cookieConfig?: { lifetimeType: 'Permanent' | 'Session' };
}

export interface HTTPRouteRule {
  name?: string;
  matches: HTTPRouteMatch[]; // default [{ path: { PathPrefix, / } }]
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: HTTPRouteTimeouts;
  retry?: HTTPRouteRetry;
  sessionPersistence?: SessionPersistence;
}

export interface CommonRouteSpec {
  parentRefs?: ParentReference[];
  useDefaultGateways?: 'All' | 'None';
}

export interface HTTPRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules: HTTPRouteRule[]; // default [{ matches: [{ path: { PathPrefix, / } }] }]
}
export type HTTPRoute = Obj<'HTTPRoute', HTTPRouteSpec>;

export interface GRPCMethodMatch {
  type: 'Exact' | 'RegularExpression'; // default Exact
  service?: string;
  method?: string;
}

export interface GRPCRouteMatch {
  method?: GRPCMethodMatch;
  headers?: HTTPHeaderMatch[];
}

export interface GRPCRouteRule {
  name?: string;
  matches?: GRPCRouteMatch[];
  filters?: GRPCRouteFilter[];
  backendRefs?: GRPCBackendRef[];
  sessionPersistence?: SessionPersistence;
}

export interface GRPCRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules?: GRPCRouteRule[];
}
export type GRPCRoute = Obj<'GRPCRoute', GRPCRouteSpec>;

export interface L4RouteRule {
  name?: string;
  backendRefs: BackendRef[];
}

export interface TLSRouteSpec extends CommonRouteSpec {
  hostnames: string[];
  rules: L4RouteRule[];
}
export type TLSRoute = Obj<'TLSRoute', TLSRouteSpec>;

export interface L4RouteSpec extends CommonRouteSpec {
  rules: L4RouteRule[];
}
export type TCPRoute = Obj<'TCPRoute', L4RouteSpec>;
export type UDPRoute = Obj<'UDPRoute', L4RouteSpec>;

export type Route = HTTPRoute | GRPCRoute | TLSRoute | TCPRoute | UDPRoute;
export type RouteKind = Route['kind'];
export const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];

// ---------------------------------------------------------------------------------------------
// ReferenceGrant and BackendTLSPolicy

export interface ReferenceGrantSpec {
  from: { group: string; kind: string; namespace: string }[];
  to: { group: string; kind: string; name?: string }[];
}
export type ReferenceGrant = Obj<'ReferenceGrant', ReferenceGrantSpec>;

export interface BackendTLSPolicySpec {
  targetRefs: LocalPolicyTargetReferenceWithSectionName[];
  validation: {
    caCertificateRefs?: LocalObjectReference[];
    wellKnownCACertificates?: 'System' | string;
    hostname: string;
    subjectAltNames?: { type: 'Hostname' | 'URI'; hostname?: string; uri?: string }[];
  };
  options?: Record<string, string>;
}
export type BackendTLSPolicy = Obj<'BackendTLSPolicy', BackendTLSPolicySpec>;

export type GatewayApiObject =
  | GatewayClass
  | Gateway
  | ListenerSet
  | Route
  | ReferenceGrant
  | BackendTLSPolicy;
