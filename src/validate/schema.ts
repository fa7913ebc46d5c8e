/**
 * Building blocks for writing CRD OpenAPI schemas as zod schemas: string/integer limits,
 * list types (atomic, set, map), string maps with maxProperties, and the attachment of
 * `x-kubernetes-validations` rules. Issues raised here carry what `issues.ts` needs to word
 * them as the API server does.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Custom issues

/** `params` of the custom issues raised by this layer (zod's own issues carry no params). */
export type IssueParams =
  /** A CEL rule (`x-kubernetes-validations`) failed: the message is the rule's. */
  | { source: 'rule' }
  /** A schema check zod has no built-in for; the message is complete (`Duplicate value: ...`). */
  | { source: 'schema'; blocking: boolean };

type RefinementCtx = z.core.$RefinementCtx<unknown>;

/** Stands for the issue's own field path in a schema issue message (OpenAPI errors name it). */
export const FIELD_PATH = '{field}';

export function addSchemaIssue(ctx: RefinementCtx, message: string, path: (string | number)[] = [], blocking = false): void {
  const params: IssueParams = { source: 'schema', blocking };
  ctx.addIssue({ code: 'custom', message, path, params });
}

// ---------------------------------------------------------------------------------------------
// Scalars

/**
 * The CRD text of every pattern, keyed by the RegExp's `toString()` (what zod reports): a
 * RegExp's own `source` escapes `/`, which would misquote the CRD.
 */
const patternTexts = new Map<string, string>();

export function patternText(reported: string): string {
  return patternTexts.get(reported) ?? reported;
}

function crdRegExp(text: string): RegExp {
  const re = new RegExp(text);
  patternTexts.set(re.toString(), text);
  return re;
}

export interface StringLimits {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/**
 * A string with CRD limits. The API server stops at the first failing check of a string
 * (maxLength, then minLength, then pattern), so the length checks abort.
 */
export function str(limits: StringLimits = {}) {
  let s = z.string();
  if (limits.maxLength !== undefined) s = s.max(limits.maxLength, { abort: true });
  if (limits.minLength !== undefined) s = s.min(limits.minLength, { abort: true });
  if (limits.pattern !== undefined) s = s.regex(crdRegExp(limits.pattern));
  return s;
}

export interface IntegerLimits {
  minimum?: number;
  maximum?: number;
}

export function int(limits: IntegerLimits = {}) {
  let n = z.int();
  if (limits.minimum !== undefined) n = n.min(limits.minimum);
  if (limits.maximum !== undefined) n = n.max(limits.maximum);
  return n;
}

/** A TCP/UDP port number as the CRDs declare it. */
export const portNumber = () => int({ minimum: 1, maximum: 65535 });

// ---------------------------------------------------------------------------------------------
// Lists and maps

export interface ListLimits {
  minItems?: number;
  maxItems?: number;
}

/** `x-kubernetes-list-type: atomic` (the default): only size limits. */
export function list<T extends z.ZodType>(item: T, limits: ListLimits = {}) {
  let a = z.array(item);
  if (limits.maxItems !== undefined) a = a.max(limits.maxItems, { abort: true });
  if (limits.minItems !== undefined) a = a.min(limits.minItems);
  return a;
}

/** `x-kubernetes-list-type: set`: items must be unique (`Duplicate value: "x"`). */
export function listSet<T extends z.ZodType>(item: T, limits: ListLimits = {}) {
  return list(item, limits).superRefine((items, ctx) => {
    reportDuplicates(items, (v) => v, ctx);
  });
}

/** `x-kubernetes-list-type: map`: the key fields identify an item (`Duplicate value: {"name":"x"}`). */
export function listMap<T extends z.ZodType<Record<string, unknown>>>(item: T, keys: readonly string[], limits: ListLimits = {}) {
  return list(item, limits).superRefine((items, ctx) => {
    reportDuplicates(items, (v) => Object.fromEntries(keys.map((k) => [k, (v as Record<string, unknown>)[k]])), ctx);
  });
}

function reportDuplicates<T>(items: readonly T[], keyOf: (item: T) => unknown, ctx: RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = JSON.stringify(keyOf(item));
    if (seen.has(key)) addSchemaIssue(ctx, `Duplicate value: ${key}`, [i]);
    seen.add(key);
  });
}

/** An object with free-form keys (`additionalProperties`), optionally limited in size. */
export function stringMap(value: z.ZodType<string> = z.string(), limits: { maxProperties?: number } = {}) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    const count = Object.keys(map).length;
    if (limits.maxProperties !== undefined && count > limits.maxProperties) {
      addSchemaIssue(ctx, `Too many: ${count}: must have at most ${limits.maxProperties} items`, [], true);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// CEL rules

/**
 * One `x-kubernetes-validations` rule: a predicate over the defaulted value at the rule's
 * location and the CRD's message. Where the CEL expression would fail to evaluate (a field it
 * reads is absent), the predicate reads the absent field as empty.
 */
export interface Rule<T> {
  readonly message: string;
  readonly holds: (self: T) => boolean;
}

export function rule<T>(message: string, holds: (self: T) => boolean): Rule<T> {
  return { message, holds };
}

/**
 * Attaches rules to a schema. Zod runs them on the parsed (defaulted) value, and skips them
 * when the value below failed a type, enum or required check, which is also when the API
 * server stops evaluating rules.
 */
export function withRules<S extends z.ZodType>(schema: S, rules: readonly Rule<z.output<S>>[]): S {
  return schema.superRefine((value, ctx) => {
    const params: IssueParams = { source: 'rule' };
    for (const r of rules) {
      if (!r.holds(value as z.output<S>)) ctx.addIssue({ code: 'custom', message: r.message, params });
    }
  }) as S;
}

/** CEL `self.all(a, self.exists_one(b, same(a, b)))`: every item matches exactly one item (itself). */
export function allUnique<T>(items: readonly T[], same: (a: T, b: T) => boolean): boolean {
  return items.every((a) => items.filter((b) => same(a, b)).length === 1);
}

/** CEL `has(x) && x != ''` for optional strings. */
export function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
