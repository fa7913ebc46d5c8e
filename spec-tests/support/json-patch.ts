/**
 * JSON Patch (RFC 6902: add, remove, replace, move, copy, test) and JSON Merge Patch
 * (RFC 7386) on plain JSON data, as the API server applies them to an object.
 * Both functions return a new document and never modify their input.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly operationIndex: number,
  ) {
    super(`operation ${operationIndex}: ${message}`);
    this.name = 'JsonPatchError';
  }
}

/** Splits a JSON Pointer (RFC 6901) into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Array index token: `0` or a number without leading zeros; `-` only where allowed. */
function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`path ${JSON.stringify(pointer)}: ${JSON.stringify(token)} is not an array index`);
  const i = Number(token);
  const max = allowEnd ? length : length - 1;
  if (i > max) throw new Error(`path ${JSON.stringify(pointer)}: index ${i} is out of bounds (length ${length})`);
  return i;
}

function getAt(doc: unknown, tokens: readonly string[], pointer: string): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, pointer)];
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token];
    else throw new Error(`path ${JSON.stringify(pointer)} does not exist`);
  }
  return node;
}

/** The container holding the last token of `tokens`, which must exist. */
function parentOf(doc: unknown, tokens: readonly string[], pointer: string): unknown {
  return getAt(doc, tokens.slice(0, -1), pointer);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Applies `operations` in order (atomically: any failure throws and nothing is returned). */
export function applyJsonPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  let doc: unknown = clone(document);

  const add = (tokens: string[], value: unknown, pointer: string) => {
    if (tokens.length === 0) {
      doc = value;
      return;
    }
    const parent = parentOf(doc, tokens, pointer);
    const last = tokens[tokens.length - 1];
    if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
    else if (isObject(parent)) parent[last] = value;
    else throw new Error(`path ${JSON.stringify(pointer)}: parent is not an object or array`);
  };

  const remove = (tokens: string[], pointer: string): unknown => {
    if (tokens.length === 0) throw new Error('cannot remove the whole document');
    const parent = parentOf(doc, tokens, pointer);
    const last = tokens[tokens.length - 1];
    if (Array.isArray(parent)) return parent.splice(arrayIndex(last, parent.length, false, pointer), 1)[0];
    if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
      const old = parent[last];
      delete parent[last];
      return old;
    }
    throw new Error(`path ${JSON.stringify(pointer)} does not exist`);
  };

  operations.forEach((operation, index) => {
    try {
      const tokens = parsePointer(operation.path);
      switch (operation.op) {
        case 'add':
          add(tokens, clone(operation.value), operation.path);
          break;
        case 'remove':
          remove(tokens, operation.path);
          break;
        case 'replace':
          if (tokens.length === 0) {
            doc = clone(operation.value);
            break;
          }
          getAt(doc, tokens, operation.path); // must exist
          remove(tokens, operation.path);
          add(tokens, clone(operation.value), operation.path);
          break;
        case 'move': {
          const from = parsePointer(operation.from);
          if (operation.path.startsWith(`${operation.from}/`)) throw new Error(`cannot move ${operation.from} into its own child ${operation.path}`);
          const value = remove(from, operation.from);
          add(tokens, value, operation.path);
          break;
        }
        case 'copy':
          add(tokens, clone(getAt(doc, parsePointer(operation.from), operation.from)), operation.path);
          break;
        case 'test': {
          const actual = getAt(doc, tokens, operation.path);
          if (!deepEqual(actual, operation.value)) {
            throw new Error(`test failed at ${JSON.stringify(operation.path)}: expected ${JSON.stringify(operation.value)}, got ${JSON.stringify(actual)}`);
          }
          break;
        }
        default:
          throw new Error(`unknown op ${JSON.stringify((operation as { op: unknown }).op)}`);
      }
    } catch (err) {
      if (err instanceof JsonPatchError) throw err;
      throw new JsonPatchError((err as Error).message, index);
    }
  });
  return doc as T;
}

/**
 * RFC 7386: objects merge key by key, `null` deletes a key, anything else (arrays included)
 * replaces the target value.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
