/**
 * Checks and wording shared by the core kinds, whose validation is the API server's own Go
 * code rather than an OpenAPI schema.
 */
import { formatValue } from '../issues.js';

/** `field.Invalid` text for a core validation failure. */
export function invalid(value: unknown, message: string): string {
  return `Invalid value: ${formatValue(value)}: ${message}`;
}

export const PORT_RANGE = 'must be between 1 and 65535, inclusive';

export function isPortNumber(n: number): boolean {
  return n >= 1 && n <= 65535;
}

const BASE64_ALPHABET = /[A-Za-z0-9+/]/;

/**
 * Where standard base64 (with padding, as Go's `encoding/json` reads `[]byte`) fails, as the
 * byte offset Go reports (`illegal base64 data at input byte N`), or undefined when it decodes.
 * Go skips line breaks.
 */
export function base64ErrorOffset(text: string): number | undefined {
  let seen = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') continue;
    if (c === '=') {
      if (seen % 4 < 2) return i;
      padding++;
    } else if (padding > 0 || !BASE64_ALPHABET.test(c)) {
      return i;
    }
    seen++;
  }
  if (seen % 4 !== 0) return seen - (seen % 4);
  return padding > 2 ? text.length - padding : undefined;
}

/** Standard base64 of a string's UTF-8 bytes (how `stringData` is stored into `data`). */
export function base64OfUtf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
