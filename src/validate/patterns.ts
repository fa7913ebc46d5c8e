/**
 * The pattern texts of the Gateway API v1.6.1 CRDs, named once. They are written in the
 * CRDs' (RE2) syntax, which JavaScript reads the same way for every pattern used here;
 * errors quote them verbatim, as the API server does.
 */

/** DNS-1123 subdomain (listener names, rule names, section names, TLS hostnames). */
export const DNS_SUBDOMAIN = String.raw`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`;
/** DNS-1123 label (namespaces). */
export const DNS_LABEL = String.raw`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`;
/** Hostname with an optional leading wildcard label. */
export const WILDCARD_HOSTNAME = String.raw`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`;
/** API group: empty (core) or a DNS subdomain. */
export const GROUP = String.raw`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`;
/** Kind: an upper- or lower-case identifier with dashes. */
export const KIND = String.raw`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`;
/** Controller names and domain-prefixed address types: `example.com/path`. */
export const DOMAIN_PREFIXED_PATH = String.raw`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$`;
/** Gateway address types: the three core types or a domain-prefixed path (deliberately unanchored alternatives, as in the CRD). */
export const ADDRESS_TYPE = String.raw`^Hostname|IPAddress|NamedAddress|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$`;
/** Listener protocols: a core/extended name or a domain-prefixed one. */
export const PROTOCOL = String.raw`^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$`;
/** HTTP header (and query parameter) names: RFC 7230 tokens. */
export const HEADER_NAME = String.raw`^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$`;
/** HTTP header values: visible characters separated by single spaces or tabs. */
export const HEADER_VALUE = String.raw`^[!-~]+([\t ]?[!-~]+)*$`;
/** Gateway API durations (GEP-2257). */
export const DURATION = String.raw`^([0-9]{1,5}(h|m|s|ms)){1,4}$`;
/** An absolute URI path made of RFC 3986 `pchar`s and `/`. */
export const URI_PATH = String.raw`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`;
/** CORS origins: `*` or `scheme://host[:port]` with an optional leading wildcard label. */
export const CORS_ORIGIN = String.raw`(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)`;
/** Infrastructure label values. */
export const LABEL_VALUE = String.raw`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`;
/** Label and annotation keys: an optional DNS-subdomain prefix and a name of up to 63 characters. */
export const QUALIFIED_KEY = String.raw`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$`;
/** BackendTLSPolicy subjectAltNames URIs (RFC 3986 with a mandatory scheme and authority). */
export const SAN_URI = String.raw`^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?`;
/** BackendTLSPolicy well-known CA certificate sets: `System` or a domain-prefixed name. */
export const WELL_KNOWN_CA = String.raw`^(System|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]))$`;
