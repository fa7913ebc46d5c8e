/**
 * The path-confusion matrix (design/security.md §6, P rows; battery B2), shared by every host
 * that runs it (the Node gateway here, workerd at the edge): one fixture, one table of
 * request targets and the outcome each must have. An outcome names the backend that must
 * receive the request and the exact target it must receive, so "matched path" and "forwarded
 * path" are checked together.
 *
 * Fixture (all PathPrefix, hostname `a.example`):
 * - `/public` -> backend `public`
 * - `/admin` -> backend `admin`
 * - `/api` -> backend `public`, URLRewrite ReplacePrefixMatch `/` (the P13 rewrite)
 * Nothing else matches (404).
 */

export type PathBackend = 'public' | 'admin';

export interface PathRoute {
  prefix: string;
  backend: PathBackend;
  /** URLRewrite ReplacePrefixMatch value, if any. */
  replacePrefixMatch?: string;
}

export const PATH_MATRIX_HOST = 'a.example';

export const PATH_MATRIX_ROUTES: readonly PathRoute[] = [
  { prefix: '/public', backend: 'public' },
  { prefix: '/admin', backend: 'admin' },
  { prefix: '/api', backend: 'public', replacePrefixMatch: '/' },
];

export type PathOutcome =
  /** Forwarded to `backend`, which receives exactly `target`. */
  | { status: 200; backend: PathBackend; target: string }
  /** Answered by the gateway (escaped slashes, decision 1): redirect to `location`. */
  | { status: 307; location: string }
  | { status: 400 }
  | { status: 404 };

export interface PathCase {
  /** P row of design/security.md §6, with a variant letter. */
  id: string;
  /** The request target exactly as sent on the request line. */
  target: string;
  want: PathOutcome;
  /** Why, when it is not obvious. */
  note?: string;
}

const to = (backend: PathBackend, target: string): PathOutcome => ({ status: 200, backend, target });

export const PATH_MATRIX: readonly PathCase[] = [
  { id: 'P1', target: '/public/../admin', want: to('admin', '/admin') },
  { id: 'P2a', target: '/public/%2e%2e/admin', want: to('admin', '/admin') },
  { id: 'P2b', target: '/public/%2E%2e/admin', want: to('admin', '/admin') },
  { id: 'P2c', target: '/public/.%2e/admin', want: to('admin', '/admin') },
  { id: 'P2d', target: '/public/%2e./admin', want: to('admin', '/admin') },
  { id: 'P3a', target: '/public%2F..%2Fadmin', want: { status: 307, location: '/admin' }, note: 'decision 1: redirect to the unescaped, normalized path' },
  { id: 'P3b', target: '/public%2f..%2fadmin', want: { status: 307, location: '/admin' } },
  { id: 'P4', target: '/public%5C..%5Cadmin', want: { status: 307, location: '/admin' } },
  { id: 'P5', target: '/public\\..\\admin', want: to('admin', '/admin'), note: 'a raw backslash is a slash (Envoy vector /a/..\\c -> /c)' },
  { id: 'P6a', target: '/admin#x', want: to('admin', '/admin'), note: 'the fragment is dropped, never forwarded' },
  { id: 'P6b', target: '/#/../admin', want: { status: 404 }, note: 'the fragment is dropped: the path is /, which no route matches' },
  { id: 'P7', target: '/public/..;x=y/admin', want: to('public', '/public/..;x=y/admin'), note: 'decision 2: ";" has no special meaning, "..;x=y" is an ordinary segment' },
  { id: 'P8a', target: '//public//x', want: to('public', '/public/x') },
  { id: 'P8b', target: '/public///x', want: to('public', '/public/x') },
  { id: 'P9a', target: '/xyz/.%00../abc', want: { status: 400 } },
  { id: 'P9b', target: '/xyz/%00.%00./abc', want: { status: 400 } },
  { id: 'P9c', target: '/xyz/AAAAA%%0000/abc', want: { status: 400 } },
  { id: 'P9d', target: '/public%00', want: { status: 400 } },
  { id: 'P10', target: '/%61dmin', want: to('admin', '/admin'), note: 'decision 2: unreserved escapes are decoded' },
  { id: 'P11', target: '/ADMIN', want: { status: 404 }, note: 'paths are case-sensitive' },
  { id: 'P12a', target: '/publicity', want: { status: 404 }, note: 'PathPrefix is segment-wise' },
  { id: 'P12b', target: '/public/', want: to('public', '/public/') },
  { id: 'P12c', target: '/public/x', want: to('public', '/public/x') },
  { id: 'P13a', target: '/api../admin', want: { status: 404 }, note: '"api.." is not the segment "api"' },
  { id: 'P13b', target: '/api%2e%2e/admin', want: { status: 404 } },
  { id: 'P13c', target: '/api/../admin', want: to('admin', '/admin'), note: 'normalized before matching: never reaches the rewrite' },
  { id: 'P13d', target: '/api/x/../y', want: to('public', '/y'), note: 'rewritten after normalization' },
  { id: 'P14', target: '/admin/*', want: to('admin', '/admin/*') },
  { id: 'Q1', target: '/public/x?a=b%2F..&c', want: to('public', '/public/x?a=b%2F..&c'), note: 'the query is kept as sent' },
  { id: 'Q2', target: '/public/a%20b', want: to('public', '/public/a%20b') },
];

/** The fixture as HTTPRoute rules (YAML list items, 2-space indented), for hosts reading manifests. */
export function pathMatrixRules(backendService: (backend: PathBackend) => string): string {
  return PATH_MATRIX_ROUTES.map(
    (r) => `  - matches: [{ path: { type: PathPrefix, value: ${r.prefix} } }]
${r.replacePrefixMatch !== undefined ? `    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: ${r.replacePrefixMatch} } } }]\n` : ''}    backendRefs: [{ name: ${backendService(r.backend)}, port: 8080 }]`,
  ).join('\n');
}
