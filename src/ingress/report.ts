/**
 * The translation report: for every Ingress, what became of each annotation and of anything
 * else that could not be carried over exactly. `convert` prints it to stderr; `serve` turns it
 * into diagnostics and the Ingress's status.
 */

export type Outcome =
  /** Carried over with the same behaviour. */
  | 'converted'
  /** Carried over with a documented difference. */
  | 'approximated'
  /** Not carried over: no effect on what is served. */
  | 'dropped';

export interface ReportEntry {
  /** `namespace/name` of the Ingress. */
  ingress: string;
  /** The full annotation key, or absent for a finding about the Ingress spec itself. */
  annotation?: string;
  /** The field the finding is about (`spec.rules[0].http.paths[1]`), when not an annotation. */
  field?: string;
  outcome: Outcome;
  message: string;
}

export function formatReportEntry(e: ReportEntry): string {
  const subject = e.annotation ?? e.field ?? 'spec';
  return `Ingress ${e.ingress} ${subject}: ${e.outcome}: ${e.message}`;
}

export function formatReport(entries: readonly ReportEntry[]): string {
  if (entries.length === 0) return '';
  const counts = { converted: 0, approximated: 0, dropped: 0 };
  for (const e of entries) counts[e.outcome]++;
  const lines = entries.map(formatReportEntry);
  lines.push(`${counts.converted} converted, ${counts.approximated} approximated, ${counts.dropped} dropped`);
  return lines.join('\n') + '\n';
}
