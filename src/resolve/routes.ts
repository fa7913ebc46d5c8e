/**
 * Route status: per parentRef of ours, Accepted (from attachment, and from rule validity: a
 * route whose every rule is invalid is not accepted; some invalid rules add PartiallyInvalid)
 * and ResolvedRefs (from the backend phase; the same for every parent).
 */
import type { Route } from '../model/gateway-api.js';
import type { ParentAttachment } from './attachment.js';
import type { RouteBackends } from './backends.js';
import { cond, type ConditionSpec } from './conditions.js';

export interface RouteParentStatus {
  attachment: ParentAttachment;
  accepted: boolean;
  conditions: ConditionSpec[];
}

export function routeParentStatuses(route: Route, attachments: readonly ParentAttachment[], backends: RouteBackends): RouteParentStatus[] {
  const invalid = backends.rules.filter((r) => r.invalid);
  const allInvalid = backends.rules.length > 0 && invalid.length === backends.rules.length;
  const resolvedRefs =
    backends.problems.length > 0
      ? cond('ResolvedRefs', false, backends.problems[0].reason, [...new Set(backends.problems.map((p) => p.message))].join('; '))
      : cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved');
  const ruleList = invalid.map((r) => `rule ${r.index}: ${r.invalid!.message}`).join('; ');
  return attachments.map((a) => {
    let accepted = a.accepted;
    if (accepted.status === 'True' && allInvalid) {
      accepted = cond('Accepted', false, invalid[0].invalid!.reason, `No rule of the ${route.kind} is valid: ${ruleList}`);
    }
    const conditions = [accepted, resolvedRefs];
    if (invalid.length > 0 && !allInvalid) {
      conditions.push({ type: 'PartiallyInvalid', status: 'True', reason: 'UnsupportedValue', message: `Some rules are dropped: ${ruleList}` });
    }
    return { attachment: a, accepted: accepted.status === 'True', conditions };
  });
}
