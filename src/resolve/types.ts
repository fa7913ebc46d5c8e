/**
 * The resolver's contract: a pure function from validated objects to (a) the status the
 * controller writes on every Gateway API object it owns and (b) per listener, the routes and
 * rules attached to it with their effective hostnames: the input of the route-table compiler.
 */
import type { Diagnostic, ObjectRef } from '../diagnostics.js';
import type { Service, ServicePort } from '../model/core.js';
import type {
  BackendRef,
  Condition,
  Gateway,
  GatewayClass,
  ListenerSet,
  Route,
  RouteKind,
} from '../model/gateway-api.js';
import type { ValidObject } from '../model/objects.js';

export const DEFAULT_CONTROLLER_NAME = 'switchyard.dev/gateway-controller';

export interface ResolveOptions {
  /** GatewayClasses whose `spec.controllerName` equals this are ours. */
  controllerName?: string;
  /** Time written as `lastTransitionTime` for conditions that changed. Default: now. */
  now?: Date;
  /**
   * Statuses from a previous resolution (keyed like `Resolution.statuses`): a condition whose
   * status, reason, message and observedGeneration are unchanged keeps its lastTransitionTime.
   */
  previous?: ReadonlyMap<string, ObjectStatus>;
  /**
   * Written to `status.addresses` of a Gateway that requests no address (or one without a
   * value). Default `{ type: 'IPAddress', value: '127.0.0.1' }`.
   */
  defaultAddress?: { type: string; value: string };
  /**
   * The address a host assigns to a Gateway that requests no address (or one without a value),
   * e.g. the next address of a pool; `undefined` falls back to `defaultAddress`. Called once per
   * such Gateway and resolution, in namespace/name order.
   */
  addressFor?: (gateway: Gateway) => { type: string; value: string } | undefined;
  /**
   * The IP addresses this host can bind. When given, a Gateway requesting another IPAddress
   * is Programmed=False/AddressNotUsable. When absent every well-formed IP is considered usable.
   */
  localAddresses?: readonly string[];
  /**
   * Ports of the listeners that serve Ingresses of Switchyard's IngressClass (src/ingress):
   * HTTP 80 and HTTPS 443 by default.
   */
  ingress?: { httpPort?: number; httpsPort?: number };
}

export interface ObjectStatus {
  ref: ObjectRef;
  /** The object's `status` as the controller writes it (GatewayClass/Gateway/ListenerSet/routes/policies). */
  status: Record<string, unknown>;
}

export interface Resolution {
  /** Keyed by `objectKey()`: every Gateway API object whose status this controller owns. */
  statuses: Map<string, ObjectStatus>;
  /** Accepted Gateways of our classes, in a stable order (namespace/name). */
  gateways: ResolvedGateway[];
  /** Findings that are not status conditions (e.g. a Secret whose certificate does not parse). */
  diagnostics: Diagnostic[];
}

export interface ResolvedGateway {
  gateway: Gateway;
  gatewayClass: GatewayClass;
  /** Every listener of the Gateway and of its accepted ListenerSets, Gateway listeners first. */
  listeners: ResolvedListener[];
  /** The addresses reported in `status.addresses`. */
  addresses: { type: string; value: string }[];
  /** `spec.tls.backend.clientCertificateRef` when it resolved: presented to TLS backends. */
  backendClientCertificate?: ResolvedCertificate;
}

export interface ResolvedCertificate {
  /** `namespace/name` of the Secret. */
  secret: string;
  certPem: string;
  keyPem: string;
  /** DNS names from the leaf certificate (SANs, else CN), for SNI selection. */
  dnsNames: string[];
}

export interface ResolvedListener {
  /** Listener name, unique within its Gateway or ListenerSet. */
  name: string;
  /** The object that declared it. */
  owner: { kind: 'Gateway' | 'ListenerSet'; namespace: string; name: string };
  port: number;
  protocol: string;
  hostname?: string;
  tls?: {
    mode: 'Terminate' | 'Passthrough';
    certificates: ResolvedCertificate[];
    /** Client-certificate validation from the Gateway's `spec.tls.frontend` for this port. */
    clientValidation?: { mode: 'AllowValidOnly' | 'AllowInsecureFallback'; caCertificates: string[] };
  };
  /** Accepted=True and Programmed=True: the data plane should serve it. */
  ready: boolean;
  /** Routes attached to this listener (Accepted for this listener), in a stable order. */
  routes: AttachedRoute[];
}

export interface AttachedRoute {
  kind: RouteKind;
  route: Route;
  /**
   * The effective hostnames: the intersection of the route's and the listener's hostnames
   * (RFC 1123 names or `*.` wildcards). Empty means "any host" (neither side restricts).
   */
  hostnames: string[];
  /** One entry per rule of the route, in spec order (index = rule index). */
  rules: ResolvedRule[];
  /**
   * Load order of the route object (`LoadedObject.seq`): the route-table compiler's tie-break
   * after `creationTimestamp` when timestamps are equal or absent.
   */
  seq?: number;
}

export interface ResolvedRule {
  index: number;
  backends: ResolvedBackend[];
  /**
   * Backends referenced by filters (RequestMirror, ExternalAuth), rule-level (`backend`
   * undefined) or on a backendRef (`backend` = its index). Unresolved ones carry their problem.
   */
  filterBackends: ResolvedFilterBackend[];
  /**
   * Set when the rule cannot be served as written: `invalid` rules (incompatible or unsupported
   * filters) are dropped from the route; a rule with an `unresolvedFilter` (an ExtensionRef this
   * controller does not know) answers every request with HTTP 500.
   */
  invalid?: { reason: 'IncompatibleFilters' | 'UnsupportedValue'; message: string };
  unresolvedFilter?: string;
}

export interface ResolvedFilterBackend {
  filter: number;
  backend?: number;
  type: 'RequestMirror' | 'ExternalAuth';
  resolved: ResolvedBackend;
}

/** TLS toward a backend, from the BackendTLSPolicy that applies to its Service port. */
export interface BackendTLS {
  /** `namespace/name` of the policy. */
  policy: string;
  /** SNI and the name the certificate must match (unless subjectAltNames are given). */
  hostname: string;
  caCertificates: string[];
  wellKnownCACertificates?: string;
  subjectAltNames: { type: 'Hostname' | 'URI'; value: string }[];
  /** Set when the policy is not usable (no valid CA): connections must fail. */
  error?: string;
}

export type BackendProblem = 'BackendNotFound' | 'RefNotPermitted' | 'InvalidKind' | 'UnsupportedProtocol';

export interface ResolvedBackend {
  ref: BackendRef;
  /** Namespace the reference points into (the route's when omitted). */
  namespace: string;
  weight: number;
  /** The Service and port when the reference resolves; otherwise why it does not (its share answers 500). */
  target: { service: Service; port: ServicePort } | { problem: BackendProblem; message: string };
  /** TLS origination when a BackendTLSPolicy targets the Service (and port). */
  tls?: BackendTLS;
}

export type { Condition };
export type ListenerOwner = Gateway | ListenerSet;
