/**
 * Loading: files, directories (recursive .yaml/.yml/.json) or `-` (stdin) into objects that
 * remember where they came from. Multi-document YAML and `kind: List` are accepted.
 * Nothing here judges the content beyond "is this a Kubernetes object we read".
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { readFileText } from './documents.js';
import type { KindInfo } from './kinds.js';
import type { Origin } from './source.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  creationTimestamp?: string;
  uid?: string;
  resourceVersion?: string;
  [key: string]: unknown;
}

/** A Kubernetes object as read: plain JSON data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface LoadedObject {
  object: KubeObject;
  info: KindInfo;
  origin: Origin;
  /** Load order across all inputs: the order `kubectl apply` would create them in. */
  seq: number;
  /**
   * A string that determines `object` (its YAML document's text), for memos keyed by content;
   * absent when the loader has none (then `JSON.stringify(object)` serves).
   */
  content?: string;
}

export interface LoadResult {
  objects: LoadedObject[];
  diagnostics: Diagnostic[];
}

export interface TextInput {
  /** Name shown in diagnostics (a path, or `<stdin>`). */
  file: string;
  text: string;
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Expands paths into text inputs: files as given, directories recursively in sorted order, `-` as stdin. */
export async function readInputs(paths: readonly string[], stdin: () => Promise<string> = readStdin): Promise<TextInput[]> {
  const inputs: TextInput[] = [];
  for (const input of await expandPaths(paths)) {
    inputs.push(input.stdin ? { file: '<stdin>', text: await stdin() } : { file: input.file, text: await readFile(input.path, 'utf8') });
  }
  return inputs;
}

/** One input `readInputs` reads: a file (its display name and path) or stdin. */
export type InputRef = { stdin: true } | { stdin?: false; file: string; path: string };

/** The inputs `readInputs` reads, in its order, without reading them. Missing paths throw. */
export async function expandPaths(paths: readonly string[]): Promise<InputRef[]> {
  const inputs: InputRef[] = [];
  for (const p of paths) {
    if (p === '-') {
      inputs.push({ stdin: true });
      continue;
    }
    const st = await stat(p).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`${p}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
    });
    if (st.isDirectory()) {
      for (const file of await walk(p)) inputs.push({ file: displayPath(file), path: file });
    } else {
      inputs.push({ file: displayPath(p), path: p });
    }
  }
  return inputs;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile() && EXTENSIONS.some((x) => e.name.endsWith(x))) out.push(full);
  }
  return out;
}

function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses text inputs into objects. Every problem becomes a diagnostic; nothing throws. */
export function loadTexts(inputs: readonly TextInput[], firstSeq = 0): LoadResult {
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { file, text } of inputs) {
    const read = readFileText(file, text);
    for (const o of read.objects) objects.push({ ...o, seq: firstSeq + objects.length });
    diagnostics.push(...read.diagnostics);
  }
  return { objects, diagnostics };
}

/** Reads and parses paths. File-system errors (missing path) throw: they are usage errors. */
export async function loadPaths(paths: readonly string[], stdin?: () => Promise<string>): Promise<LoadResult> {
  return loadTexts(await readInputs(paths, stdin));
}
