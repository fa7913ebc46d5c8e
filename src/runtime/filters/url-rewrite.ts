/**
 * URLRewrite: the request goes upstream with another Host and/or path; the client sees nothing
 * of it.
 */
import type { MatchPath } from '../../compile/manifest.js';
import type { HTTPURLRewriteFilter } from '../../model/gateway-api.js';
import { canonicalRewrittenTarget } from '../canonical-path.js';
import { setAuthority } from './head.js';
import { modifyTarget } from './paths.js';
import type { RequestHead } from './types.js';

/**
 * Rewrites `head` in place. `hostname` replaces the whole authority (port included: the spec
 * replaces the Host header value). The path is modified as a RequestRedirect's would be, and
 * the query string is kept. `match` is the path match that selected the rule. The rewritten
 * target is canonicalized again (dot segments, slashes, escapes), so what goes upstream is
 * canonical on every host.
 */
export function applyUrlRewrite(head: RequestHead, filter: HTTPURLRewriteFilter, match: MatchPath | undefined): void {
  if (filter.hostname !== undefined) setAuthority(head, filter.hostname);
  if (filter.path) head.path = canonicalRewrittenTarget(modifyTarget(head.path, filter.path, match));
}
