/**
 * Test support: validates YAML text and finds the line a test marks with `#@` (the field a
 * diagnostic must point at).
 */
import type { Diagnostic } from '../diagnostics.js';
import { loadTexts } from '../load/load.js';
import { validate } from './index.js';

export const TEST_FILE = 'case.yaml';

export function validateYaml(text: string) {
  const loaded = loadTexts([{ file: TEST_FILE, text }]);
  if (loaded.diagnostics.length > 0) throw new Error(`test YAML did not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return { loaded: loaded.objects, ...validate(loaded.objects) };
}

/**
 * Where the `#@` marker sits: its line, and the column of the line's first key (after any
 * list dash), which is where a diagnostic about that field or list item points.
 */
export function markedPosition(text: string): { line: number; col: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes('#@'));
  if (index < 0) throw new Error('no #@ marker in test YAML');
  const col = lines[index].search(/[^ -]/) + 1;
  return { line: index + 1, col };
}

export function errorsOf(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}
