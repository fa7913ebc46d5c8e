/**
 * Diagnostics: every finding names the file position, the object and the field.
 * Format (one line): `file:line:col Kind ns/name field: message`.
 */

export type Severity = 'error' | 'warning' | 'notice';

/** A path into an object: `['spec', 'rules', 0, 'matches']` prints as `spec.rules[0].matches`. */
export type FieldPath = ReadonlyArray<string | number>;

export interface Position {
  file: string;
  line: number;
  col: number;
}

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface Diagnostic {
  severity: Severity;
  position: Position;
  /** Absent when the finding concerns a document that is not a readable object. */
  object?: ObjectRef;
  /** Field path as printed (`spec.rules[0].matches[0].path.value`), empty for the whole object. */
  field: string;
  message: string;
}

export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function formatObjectRef(ref: ObjectRef | undefined): string {
  if (!ref) return '-';
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.position.file}:${d.position.line}:${d.position.col}`;
  const field = d.field ? ` ${d.field}` : '';
  const sev = d.severity === 'error' ? '' : `${d.severity}: `;
  return `${where} ${formatObjectRef(d.object)}${field}: ${sev}${d.message}`;
}
