/**
 * Path modifiers (`HTTPPathModifier`) shared by URLRewrite and RequestRedirect: both replace the
 * path of the request target the same way and keep its query string.
 *
 * ReplacePrefixMatch has the PathPrefix match's segment semantics (compile/paths.ts): the
 * matched prefix is compared without trailing `/`, and what follows it in the path is either
 * nothing or starts with `/`. The replacement is joined to that rest without doubling or
 * losing the `/` between them, which gives the spec's table:
 *
 *   path      prefix  replacement  result
 *   /foo/bar  /foo    /xyz         /xyz/bar
 *   /foo/bar  /foo/   /xyz/        /xyz/bar
 *   /foo      /foo    /xyz         /xyz
 *   /foo/     /foo    /xyz         /xyz/
 *   /foo/bar  /foo    "" or /      /bar
 *   /foo/     /foo    "" or /      /
 *   /foo      /foo    "" or /      /
 */
import type { MatchPath } from '../../compile/manifest.js';
import { normalizePrefix, prefixMatches, splitTarget } from '../../compile/paths.js';
import type { HTTPPathModifier } from '../../model/gateway-api.js';

/**
 * Replaces the `prefix` that matched `path` with `replacement`. A path the prefix does not
 * match is returned unchanged (it cannot have been selected by that PathPrefix match).
 */
export function replacePrefixMatch(path: string, prefix: string, replacement: string): string {
  const matched = normalizePrefix(prefix);
  if (!prefixMatches(matched, path)) return path;
  const rest = path.slice(matched.length);
  // Nothing follows the prefix: the replacement stands as written (an empty one means the root).
  if (rest === '') return replacement === '' ? '/' : replacement;
  // `rest` starts with '/': drop the replacement's trailing slashes so the two do not double up.
  return normalizePrefix(replacement) + rest;
}

/**
 * The request target (`path?query`) after a path modifier. The query string is kept: the
 * modifier replaces only the path. `match` is the path match that selected the rule;
 * ReplacePrefixMatch needs a PathPrefix (or Exact, whose value is the whole path) match and
 * leaves the path alone after a RegularExpression match, which has no prefix to replace (the
 * spec makes such a rule not Accepted).
 */
export function modifyTarget(target: string, modifier: HTTPPathModifier, match: MatchPath | undefined): string {
  const { path, query } = splitTarget(target);
  let next = path;
  if (modifier.type === 'ReplaceFullPath') {
    next = modifier.replaceFullPath ?? path;
  } else if (modifier.type === 'ReplacePrefixMatch' && match && match.type !== 'RegularExpression') {
    next = replacePrefixMatch(path, match.value, modifier.replacePrefixMatch ?? '');
  }
  return query === null ? next : `${next}?${query}`;
}
