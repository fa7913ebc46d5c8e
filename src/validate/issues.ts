/**
 * Words zod issues the way the Kubernetes API server words the same failures: the
 * apiextensions-apiserver for CRD schemas (`field.Error` text of OpenAPI validation errors),
 * strict field validation for unknown fields, and the CRD's own message for CEL rules.
 */
import type { z } from 'zod';
import { formatFieldPath, type FieldPath } from '../diagnostics.js';
import { FIELD_PATH, patternText, type IssueParams } from './schema.js';

export type ProblemKind =
  /** Strict field validation: the request fails at decoding, before any validation. */
  | 'unknown-field'
  /** A failure after which the API server does not evaluate CEL rules. */
  | 'blocking'
  | 'schema'
  | 'rule';

export interface Problem {
  kind: ProblemKind;
  path: FieldPath;
  message: string;
}

/** What the API server adds when blocking schema errors kept it from evaluating CEL rules. */
export const RULES_NOT_CHECKED =
  'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

export function describeIssue(issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.map((seg) => (typeof seg === 'number' ? seg : String(seg)));
  const at = formatFieldPath(path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        return { kind: 'unknown-field', path: keyPath, message: `unknown field "${formatFieldPath(keyPath)}"` };
      });
    case 'invalid_type':
      if (input === undefined) return [{ kind: 'blocking', path, message: 'Required value' }];
      return [typeProblem(path, schemaType(issue.expected), input)];
    case 'invalid_value': {
      if (input === undefined) return [{ kind: 'blocking', path, message: 'Required value' }];
      const values = issue.values as unknown[];
      // An enum of strings given a number (or the reverse) fails the type check first.
      const valueType = typeof values[0] === 'number' ? 'integer' : 'string';
      if (jsonType(input) !== valueType && !(valueType === 'integer' && jsonType(input) === 'number')) {
        return [typeProblem(path, valueType, input)];
      }
      const supported = values.map((v) => JSON.stringify(String(v))).join(', ');
      return [{ kind: 'blocking', path, message: `Unsupported value: ${formatValue(input)}: supported values: ${supported}` }];
    }
    case 'invalid_union':
      return [typeProblem(path, unionTypes(issue), input)];
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern !== undefined) {
        return [{ kind: 'schema', path, message: `Invalid value: ${formatValue(input)}: ${at} in body should match '${patternText(issue.pattern)}'` }];
      }
      return [{ kind: 'schema', path, message: `Invalid value: ${formatValue(input)}: ${at} in body must be of type ${issue.format}: ${formatValue(input)}` }];
    case 'too_big':
      return [tooBig(issue, path, at, input)];
    case 'too_small':
      return [tooSmall(issue, path, at, input)];
    case 'custom': {
      const params = issue.params as IssueParams | undefined;
      if (params?.source === 'rule') return [{ kind: 'rule', path, message: issue.message }];
      return [{ kind: params?.blocking ? 'blocking' : 'schema', path, message: issue.message.replaceAll(FIELD_PATH, at) }];
    }
    default:
      return [{ kind: 'schema', path, message: `Invalid value: ${formatValue(input)}: ${issue.message}` }];
  }
}

function tooBig(issue: z.core.$ZodIssueTooBig, path: FieldPath, at: string, input: unknown): Problem {
  const max = Number(issue.maximum);
  if (issue.origin === 'string') {
    return { kind: 'blocking', path, message: `Too long: may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` };
  }
  if (issue.origin === 'array') {
    const actual = Array.isArray(input) ? input.length : -1;
    return { kind: 'blocking', path, message: `Too many: ${actual}: must have at most ${max} items` };
  }
  return { kind: 'schema', path, message: `Invalid value: ${formatValue(input)}: ${at} in body should be less than or equal to ${max}` };
}

function tooSmall(issue: z.core.$ZodIssueTooSmall, path: FieldPath, at: string, input: unknown): Problem {
  const min = Number(issue.minimum);
  if (issue.origin === 'string') {
    return { kind: 'schema', path, message: `Invalid value: ${formatValue(input)}: ${at} in body should be at least ${min} chars long` };
  }
  if (issue.origin === 'array') {
    const actual = Array.isArray(input) ? input.length : 0;
    return { kind: 'schema', path, message: `Invalid value: ${actual}: ${at} in body should have at least ${min} items` };
  }
  return { kind: 'schema', path, message: `Invalid value: ${formatValue(input)}: ${at} in body should be greater than or equal to ${min}` };
}

/**
 * The OpenAPI type error: both the bad value and the trailing detail are the JSON type of what
 * was given (`Invalid value: "string": spec.port in body must be of type integer: "string"`).
 */
function typeProblem(path: FieldPath, expected: string, input: unknown): Problem {
  const given = JSON.stringify(jsonType(input));
  return { kind: 'blocking', path, message: `Invalid value: ${given}: ${formatFieldPath(path)} in body must be of type ${expected}: ${given}` };
}

function unionTypes(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = issue.errors.flatMap((branch) =>
    branch.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => schemaType((i as z.core.$ZodIssueInvalidType).expected)),
  );
  return [...new Set(expected)].join(',') || 'object';
}

/**
 * Zod's expected-type names as OpenAPI type names. Every numeric field of these schemas is an
 * integer, and zod reports a non-number given to `z.int()` as expecting a `number`.
 */
function schemaType(expected: string): string {
  switch (expected) {
    case 'int':
    case 'number':
      return 'integer';
    case 'record':
      return 'object';
    default:
      return expected;
  }
}

/** The JSON type name of a decoded value, as the OpenAPI validator reports it. */
export function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A bad value as `field.Error` prints it: strings quoted, numbers and booleans bare, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '"null"';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
