/**
 * Checks beyond the API server's: what Switchyard's data plane must be able to run. Regular
 * expressions in route matches are compiled by the core's linear-time engine (RE2 syntax, no
 * backreferences or lookaround, bounded program size); a pattern it cannot compile would leave
 * the route unservable, so the object is rejected here, at the field that holds the pattern.
 */
import { compileRegex } from '../compile/regex/program.js';
import type { FieldPath } from '../diagnostics.js';
import type { GRPCRoute, HTTPHeaderMatch, HTTPRoute } from '../model/gateway-api.js';
import type { ValidObject } from '../model/objects.js';
import type { Problem } from './issues.js';

export function dataPlaneProblems(object: ValidObject['object']): Problem[] {
  if (object.kind === 'HTTPRoute') return httpRouteRegexProblems(object);
  if (object.kind === 'GRPCRoute') return grpcRouteRegexProblems(object);
  return [];
}

function regexProblem(pattern: string, path: FieldPath): Problem[] {
  const compiled = compileRegex(pattern);
  if (compiled.ok) return [];
  return [{ kind: 'schema', path: [...path], message: `Invalid value: ${JSON.stringify(pattern)}: not a regular expression Switchyard can run: ${compiled.error}` }];
}

function headerRegexProblems(matches: HTTPHeaderMatch[] | undefined, path: FieldPath): Problem[] {
  return (matches ?? []).flatMap((m, i) => (m.type === 'RegularExpression' ? regexProblem(m.value, [...path, i, 'value']) : []));
}

function httpRouteRegexProblems(route: HTTPRoute): Problem[] {
  return route.spec.rules.flatMap((rule, r) =>
    rule.matches.flatMap((m, j) => {
      const at = ['spec', 'rules', r, 'matches', j];
      return [
        ...(m.path.type === 'RegularExpression' ? regexProblem(m.path.value, [...at, 'path', 'value']) : []),
        ...headerRegexProblems(m.headers, [...at, 'headers']),
        ...headerRegexProblems(m.queryParams, [...at, 'queryParams']),
      ];
    }),
  );
}

function grpcRouteRegexProblems(route: GRPCRoute): Problem[] {
  return (route.spec.rules ?? []).flatMap((rule, r) =>
    (rule.matches ?? []).flatMap((m, j) => {
      const at = ['spec', 'rules', r, 'matches', j];
      const method = m.method;
      const methodProblems =
        method?.type === 'RegularExpression'
          ? [
              ...(method.service !== undefined ? regexProblem(method.service, [...at, 'method', 'service']) : []),
              ...(method.method !== undefined ? regexProblem(method.method, [...at, 'method', 'method']) : []),
            ]
          : [];
      return [...methodProblems, ...headerRegexProblems(m.headers, [...at, 'headers'])];
    }),
  );
}
