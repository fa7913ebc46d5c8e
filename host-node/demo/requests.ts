/**
 * The requests the demo suggests, one per feature the examples show. Each is printed as a
 * ready-to-paste curl command (`renderCurl`).
 */

export interface DemoRequest {
  description: string;
  method: 'GET' | 'POST';
  host: string;
  path: string;
  headers: ReadonlyArray<readonly [string, string]>;
  /** Show the response head (redirects). */
  showHead?: boolean;
}

export const demoRequests: readonly DemoRequest[] = [
  { description: 'PathPrefix / -> shop/storefront', method: 'GET', host: 'shop.example.com', path: '/', headers: [] },
  {
    description: 'PathPrefix /api: the 90/10 canary (shop/api-v1 or shop/api-v2), with x-served-by added by a header modifier',
    method: 'GET',
    host: 'shop.example.com',
    path: '/api/items',
    headers: [],
  },
  {
    description: 'header match x-canary: always -> always shop/api-v2',
    method: 'GET',
    host: 'shop.example.com',
    path: '/api/items',
    headers: [['x-canary', 'always']],
  },
  { description: 'Exact /api/health with method GET -> shop/api-v1, on the second hostname', method: 'GET', host: 'api.example.com', path: '/api/health', headers: [] },
  {
    description: 'docs team route, using the shop Service through a ReferenceGrant -> shop/storefront',
    method: 'GET',
    host: 'docs.example.com',
    path: '/',
    headers: [],
  },
  {
    description: 'RequestRedirect: 301 to /guide/install',
    method: 'GET',
    host: 'docs.example.com',
    path: '/manual/install',
    headers: [],
    showHead: true,
  },
  { description: 'URLRewrite: shop/storefront receives /help/install', method: 'GET', host: 'docs.example.com', path: '/guide/install', headers: [] },
];

const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** `curl [-i] -H 'Host: h' [-H ...] <base><path>`. */
export function renderCurl(request: DemoRequest, base: string): string {
  const parts = ['curl'];
  if (request.showHead) parts.push('-i');
  if (request.method !== 'GET') parts.push('-X', request.method);
  parts.push('-H', shellQuote(`Host: ${request.host}`));
  for (const [name, value] of request.headers) parts.push('-H', shellQuote(`${name}: ${value}`));
  parts.push(base + request.path);
  return parts.join(' ');
}
