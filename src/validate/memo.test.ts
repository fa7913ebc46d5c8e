import { describe, expect, it } from 'vitest';
import { readFileText } from '../load/documents.js';
import { validate, ValidationMemo } from './index.js';

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

describe('ValidationMemo', () => {
  it('reuses the validated object of an unchanged document and validates changed ones', () => {
    const memo = new ValidationMemo();
    const first = validate(readFileText('f.yaml', [ns('a'), ns('b')].join('---\n')).objects, memo);
    const second = validate(readFileText('f.yaml', [ns('a'), ns('c')].join('---\n')).objects, memo);
    expect(second.objects.map((o) => o.object.metadata.name)).toEqual(['a', 'c']);
    expect(second.objects[0]!.object).toBe(first.objects[0]!.object);
    expect(second.objects[1]!.object).not.toBe(first.objects[1]!.object);
  });

  it('gives a document repeated in one load its own object each time', () => {
    const memo = new ValidationMemo();
    // The second and third documents have the same text (`---` included).
    const text = [ns('x'), ns('a'), ns('a')].join('---\n');
    validate(readFileText('f.yaml', text).objects, memo);
    const again = validate(readFileText('f.yaml', text).objects, memo);
    expect(again.objects).toHaveLength(3);
    expect(again.objects[1]!.object).toEqual(again.objects[2]!.object);
    expect(again.objects[1]!.object).not.toBe(again.objects[2]!.object);
  });
});
