/**
 * Header access shared by every filter: the `HeaderMap` both hosts provide, a plain-object
 * implementation for Node-style header records, and the set/add/remove semantics of the
 * Gateway API header modifiers (used by the request and the response modifier alike).
 */
import type { HTTPHeader, HeaderModifier } from '../../model/gateway-api.js';

/**
 * The subset of WHATWG Headers both hosts provide (Workers: Headers itself; Node: an adapter).
 * Names are case-insensitive.
 */
export interface HeaderMap {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  forEach(fn: (value: string, name: string) => void): void;
}

/** A Node-style header record: lower-case names, repeated fields as arrays. */
export type HeaderRecord = Record<string, string | string[] | undefined>;

/**
 * Set-Cookie field lines are never joined: cookie values may contain commas (RFC 6265 §3), so
 * WHATWG Headers keeps them apart too.
 */
const SET_COOKIE = 'set-cookie';

/**
 * A `HeaderMap` over a Node `IncomingHttpHeaders`-style record, with the observable behaviour
 * of WHATWG Headers (so the filters behave the same on both hosts): `get` joins repeated
 * values with ", ", `forEach` yields one joined value per name except Set-Cookie, which it
 * yields line by line.
 *
 * The record is wrapped, not copied: writes go through to it, so a host can hand the same
 * object to `http.request` or `writeHead` afterwards (`toRecord`). Keys that are not
 * lower-case are folded into their lower-case name once, on construction, and undefined
 * values are dropped, so Node never sees a header it would reject.
 */
export class RecordHeaders implements HeaderMap {
  private readonly record: HeaderRecord;

  /**
   * `lowerCase`: the caller guarantees every name is lower-case and every value defined (a
   * record it built itself), so the folding pass is skipped.
   */
  constructor(record: HeaderRecord = {}, lowerCase = false) {
    this.record = record;
    if (lowerCase) return;
    for (const key of Object.keys(record)) {
      const value = record[key];
      const lower = key.toLowerCase();
      if (value === undefined) {
        delete record[key];
      } else if (lower !== key) {
        delete record[key];
        for (const v of typeof value === 'string' ? [value] : value) this.append(lower, v);
      }
    }
  }

  get(name: string): string | null {
    const value = this.record[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }

  has(name: string): boolean {
    return this.record[name.toLowerCase()] !== undefined;
  }

  set(name: string, value: string): void {
    this.record[name.toLowerCase()] = value;
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const existing = this.record[key];
    if (existing === undefined) this.record[key] = value;
    else if (typeof existing === 'string') this.record[key] = [existing, value];
    else existing.push(value);
  }

  delete(name: string): void {
    delete this.record[name.toLowerCase()];
  }

  forEach(fn: (value: string, name: string) => void): void {
    for (const [name, value] of Object.entries(this.record)) {
      if (value === undefined) continue;
      if (typeof value === 'string') fn(value, name);
      else if (name === SET_COOKIE) for (const v of value) fn(v, name);
      else fn(value.join(', '), name);
    }
  }

  /** The wrapped record (the live object, not a copy), e.g. for `http.request({ headers })`. */
  toRecord(): Record<string, string | string[]> {
    return this.record as Record<string, string | string[]>;
  }

  /**
   * An independent copy holding what `forEach` yields: repeated fields joined with ", ",
   * Set-Cookie lines kept apart (what `copyHeaders` gives, without a callback per field).
   */
  copy(): RecordHeaders {
    const out: HeaderRecord = {};
    const record = this.record;
    for (const name in record) {
      const value = record[name];
      if (value === undefined) continue;
      if (typeof value === 'string') out[name] = value;
      else if (name !== SET_COOKIE) out[name] = value.join(', ');
      else if (value.length > 0) out[name] = value.length === 1 ? value[0] : value.slice();
    }
    return new RecordHeaders(out, true);
  }

  /** One `[name, value]` pair per field line, e.g. for `new Headers(...)` or raw header arrays. */
  toArray(): [string, string][] {
    const out: [string, string][] = [];
    for (const [name, value] of Object.entries(this.record)) {
      if (value === undefined) continue;
      if (typeof value === 'string') out.push([name, value]);
      else for (const v of value) out.push([name, v]);
    }
    return out;
  }
}

/** An independent copy of any `HeaderMap`, as a `RecordHeaders`. */
export function copyHeaders(from: HeaderMap): RecordHeaders {
  if (from instanceof RecordHeaders) return from.copy();
  const copy = new RecordHeaders();
  from.forEach((value, name) => copy.append(name, value));
  return copy;
}

/**
 * Appends `value` to header `name` as one field line joined with `separator` (creating the
 * header when absent). The conformance suite expects an added value to read `old,new`; joining
 * ourselves instead of calling `append` gives that on both hosts (WHATWG Headers would send
 * `old, new`).
 */
export function joinHeaderValue(headers: HeaderMap, name: string, value: string, separator: string): void {
  const existing = headers.get(name);
  headers.set(name, existing === null ? value : `${existing}${separator}${value}`);
}

/** How a modifier's `add` extends an existing header: differs for requests (Cookie) and responses (Set-Cookie). */
export type AddHeader = (headers: HeaderMap, name: string, value: string) => void;

/**
 * Applies a RequestHeaderModifier/ResponseHeaderModifier configuration: `remove`, then `set`,
 * then `add`. Removing first means a header the same filter sets or adds is never undone by
 * its removal; `add` after `set` appends to the value just set. Within `set` and `add` only the
 * first entry of each case-insensitive name counts (the spec ignores later equivalent entries).
 */
export function applyHeaderModifier(headers: HeaderMap, modifier: HeaderModifier, add: AddHeader): void {
  if (modifier.remove) for (const name of modifier.remove) headers.delete(name);
  if (modifier.set) for (const h of firstPerName(modifier.set)) headers.set(h.name, h.value);
  if (modifier.add) for (const h of firstPerName(modifier.add)) add(headers, h.name, h.value);
}

/** The deduplicated form of each list of two or more entries (lists come from the table and never change). */
const deduplicated = new WeakMap<readonly HTTPHeader[], readonly HTTPHeader[]>();

function firstPerName(list: readonly HTTPHeader[]): readonly HTTPHeader[] {
  if (list.length < 2) return list;
  let out = deduplicated.get(list);
  if (out === undefined) {
    const seen = new Set<string>();
    out = list.filter((h) => {
      const key = h.name.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    deduplicated.set(list, out);
  }
  return out;
}
