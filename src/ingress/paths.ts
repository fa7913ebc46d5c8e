/**
 * One Ingress path as a Gateway API path match, with the URLRewrite path that rewrite-target
 * asks for. ingress-nginx reads a path as a regular expression (case-insensitive, anchored at
 * the start only) when use-regex or rewrite-target is set, and otherwise as Exact or as an
 * element-wise prefix (ImplementationSpecific is served as Prefix).
 */
import { compileRegex } from '../compile/regex/program.js';
import type { HTTPPathMatch, HTTPPathModifier } from '../model/gateway-api.js';
import { URI_PATH } from './annotations.js';
import type { PathType } from './model.js';
import type { Outcome } from './report.js';

export interface PathTranslation {
  match: HTTPPathMatch;
  rewrite?: HTTPPathModifier;
  /** Set when the rewrite (or the regex reading) differs from nginx's. */
  finding?: { outcome: Outcome; message: string };
}

/** Characters that make a path a regular expression rather than a literal. */
const REGEX_META = /[\\^$.|?*+()[\]{}]/;
/** The capture idiom `<literal prefix>(/|$)(.*)`. */
const CAPTURE_IDIOM = /^(\/[^\\^$.|?*+()[\]{}]*?)\(\/\|\$\)\(\.\*\)$/;

const NORMALIZED_FORBIDDEN = ['//', '/./', '/../', '%2f', '%2F', '#'];

/** Why a literal path cannot be a Gateway API Exact/PathPrefix value, if it cannot. */
function literalProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return 'is not an absolute path';
  const bad = NORMALIZED_FORBIDDEN.find((s) => value.includes(s)) ?? (value.endsWith('/..') ? '/..' : value.endsWith('/.') ? '/.' : undefined);
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}`;
  if (!URI_PATH.test(value)) return 'has characters a Gateway API path cannot hold';
  return undefined;
}

/** nginx's regex location `~* ^P` as a full-match RE2 pattern. */
function regexMatch(path: string): HTTPPathMatch | string {
  const pattern = `(?i)(?:${path}).*`;
  const compiled = compileRegex(pattern);
  if (!compiled.ok) return `the regular expression ${JSON.stringify(path)} cannot run in Switchyard: ${compiled.error}`;
  return { type: 'RegularExpression', value: pattern };
}

const CASE_NOTE = 'nginx matches it case-insensitively, the PathPrefix match is case-sensitive';

export function translatePath(rawPath: string | undefined, pathType: PathType, regex: boolean, rewriteTarget: string | undefined): PathTranslation | { problem: string } {
  const path = rawPath === undefined || rawPath === '' ? '/' : rawPath;
  if (pathType === 'Exact' && !regex && rewriteTarget === undefined) {
    const problem = literalProblem(path);
    return problem ? { problem: `path ${JSON.stringify(path)} ${problem}` } : { match: { type: 'Exact', value: path } };
  }
  if (rewriteTarget === undefined) {
    if (!regex) {
      const problem = literalProblem(path);
      return problem ? { problem: `path ${JSON.stringify(path)} ${problem}` } : { match: { type: 'PathPrefix', value: path } };
    }
    const m = regexMatch(path);
    return typeof m === 'string' ? { problem: m } : { match: m };
  }

  // rewrite-target: the path is a regular expression whose captures the target may use.
  const idiom = CAPTURE_IDIOM.exec(path);
  if (idiom) {
    const prefix = idiom[1] === '' ? '/' : idiom[1];
    const problem = literalProblem(prefix);
    if (problem) return { problem: `path prefix ${JSON.stringify(prefix)} ${problem}` };
    const match: HTTPPathMatch = { type: 'PathPrefix', value: prefix };
    if (rewriteTarget === '/$2') {
      return { match, rewrite: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' }, finding: { outcome: 'converted', message: `${JSON.stringify(path)} -> ${rewriteTarget}: PathPrefix ${prefix} with ReplacePrefixMatch "/"` } };
    }
    const withSlash = /^(\/[^$]*[^/$])\/\$2$/.exec(rewriteTarget);
    const joined = /^(\/[^$]*[^/$])\$1\$2$/.exec(rewriteTarget);
    if (joined && !literalProblem(joined[1])) {
      return {
        match,
        rewrite: { type: 'ReplacePrefixMatch', replacePrefixMatch: joined[1] },
        finding: { outcome: 'approximated', message: `${JSON.stringify(path)} -> ${rewriteTarget}: PathPrefix ${prefix} with ReplacePrefixMatch ${JSON.stringify(joined[1])}; ${CASE_NOTE}` },
      };
    }
    if (withSlash && !literalProblem(withSlash[1])) {
      return {
        match,
        rewrite: { type: 'ReplacePrefixMatch', replacePrefixMatch: withSlash[1] },
        finding: {
          outcome: 'approximated',
          message: `${JSON.stringify(path)} -> ${rewriteTarget}: PathPrefix ${prefix} with ReplacePrefixMatch ${JSON.stringify(withSlash[1])}; a request for exactly ${prefix} goes upstream as ${withSlash[1]}, not ${withSlash[1]}/; ${CASE_NOTE}`,
        },
      };
    }
  }
  if (rewriteTarget.includes('$')) {
    return { problem: `rewrite-target ${JSON.stringify(rewriteTarget)} uses captures of ${JSON.stringify(path)} in a way URLRewrite cannot express (only the "<prefix>(/|$)(.*)" idiom with "/$2", "<target>/$2" or "<target>$1$2" is)` };
  }
  const rewrite: HTTPPathModifier = { type: 'ReplaceFullPath', replaceFullPath: rewriteTarget };
  if (literalProblem(rewriteTarget)) return { problem: `rewrite-target ${JSON.stringify(rewriteTarget)} is not a path a URLRewrite can set` };
  if (!REGEX_META.test(path) && !regex) {
    const problem = literalProblem(path);
    if (problem) return { problem: `path ${JSON.stringify(path)} ${problem}` };
    return {
      match: { type: pathType === 'Exact' ? 'Exact' : 'PathPrefix', value: path },
      rewrite,
      finding: { outcome: 'approximated', message: `${JSON.stringify(path)} -> ${rewriteTarget}: ReplaceFullPath; nginx matches the path as a case-insensitive prefix of characters, served as an element-wise ${pathType === 'Exact' ? 'Exact' : 'PathPrefix'} match` },
    };
  }
  const m = regexMatch(path);
  if (typeof m === 'string') return { problem: m };
  return { match: m, rewrite, finding: { outcome: 'converted', message: `${JSON.stringify(path)} -> ${rewriteTarget}: RegularExpression with ReplaceFullPath` } };
}
