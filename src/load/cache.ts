/**
 * Incremental loading for hosts that reload the same paths again and again (the gateway's
 * watch): each file's read is kept with its text, a file whose text did not change is not
 * read again, and in one that did only the YAML documents whose text changed are parsed again
 * (src/load/documents.ts). The result is exactly what `loadPaths` gives on the same files:
 * the same objects and diagnostics in the same order, with `seq` counted over all inputs.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { readFileText, type ParsedText } from './documents.js';
import { expandPaths, readStdin, type LoadedObject, type LoadResult } from './load.js';

/**
 * How long before a read a file's mtime must lie for an unchanged stat to be trusted without
 * reading the file again. File-system timestamps are coarse (down to 2 s on some), so a file
 * rewritten with the same size within one timestamp tick of the read looks unchanged by stat;
 * only a file already older than a tick when it was read cannot hide such a write.
 */
const RACY_MS = 2_000;

interface FileEntry {
  /** Stat identity at the last read, and whether it can be trusted to mean "unchanged". */
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  trusted: boolean;
  text: string;
  /** This file's read alone, `seq` from 0. */
  result: LoadResult;
  /** Its documents' parses by text. */
  parsed: ReadonlyMap<string, ParsedText>;
  /**
   * The parses of the read before, kept for one more read: a file read while being rewritten
   * (truncated, or half written) is read again complete, and finds its documents here.
   */
  earlier?: ReadonlyMap<string, ParsedText>;
}

export interface LoadCache {
  /**
   * Like `loadPaths`: file-system errors (missing path) throw. `tentative`: the files may be
   * half written (read before a burst of writes is over, to be checked with `changed`): a file
   * with a broken document throws `BrokenTextError` (src/load/documents.ts) and changes nothing.
   */
  load(paths: readonly string[], stdin?: () => Promise<string>, options?: { tentative?: boolean }): Promise<LoadResult>;
  /**
   * Whether `load(paths)` would now read something else than the last load did: a file added
   * or gone, or one whose text changed (a file whose stat cannot be trusted is read and
   * compared). Stdin, read once, never changes. Nothing is parsed and the cache is not updated.
   */
  changed(paths: readonly string[]): Promise<boolean>;
  /** Files parsed so far (a file whose content did not change is not parsed again). */
  readonly parses: number;
  /** YAML documents parsed so far (in a changed file, only those whose text changed). */
  readonly documentParses: number;
}

export function createLoadCache(): LoadCache {
  let entries = new Map<string, FileEntry>();
  let parses = 0;
  let documentParses = 0;
  const parse = (file: string, text: string, known?: Pick<ReadonlyMap<string, ParsedText>, 'get'>, tentative = false) => {
    const read = readFileText(file, text, known, tentative);
    parses++;
    documentParses += read.parses;
    return read;
  };
  return {
    get parses() {
      return parses;
    },
    get documentParses() {
      return documentParses;
    },
    async load(paths, stdin = readStdin, options = {}) {
      const next = new Map<string, FileEntry>();
      const parts: LoadResult[] = [];
      for (const input of await expandPaths(paths)) {
        if (input.stdin) {
          parts.push(parse('<stdin>', await stdin()));
          continue;
        }
        const { file, path } = input;
        const cached = entries.get(file) ?? next.get(file);
        const before = await stat(path);
        if (cached?.trusted && sameStat(cached, before)) {
          next.set(file, cached);
          parts.push(cached.result);
          continue;
        }
        const readAt = Date.now();
        const text = await readFile(path, 'utf8');
        const same = cached !== undefined && cached.text === text;
        const read = same ? { ...cached.result, parsed: cached.parsed } : parse(file, text, cached && knownParses(cached), options.tentative);
        const entry: FileEntry = {
          mtimeMs: before.mtimeMs,
          ctimeMs: before.ctimeMs,
          size: before.size,
          ino: before.ino,
          // The stat taken before the read describes the text read only if the file was
          // quiet for a while before it (see RACY_MS).
          trusted: before.mtimeMs < readAt - RACY_MS && before.ctimeMs < readAt - RACY_MS,
          // The text the objects' origins hold, not a second copy of it.
          text: same ? cached.text : text,
          result: { objects: read.objects, diagnostics: read.diagnostics },
          parsed: read.parsed,
          ...(same ? (cached.earlier ? { earlier: cached.earlier } : {}) : cached ? { earlier: cached.parsed } : {}),
        };
        next.set(file, entry);
        parts.push(entry.result);
      }
      entries = next;
      return concat(parts);
    },
    async changed(paths) {
      try {
        const files = new Set<string>();
        for (const input of await expandPaths(paths)) {
          if (input.stdin || files.has(input.file)) continue;
          files.add(input.file);
          const cached = entries.get(input.file);
          if (!cached) return true;
          if (cached.trusted && sameStat(cached, await stat(input.path))) continue;
          if ((await readFile(input.path, 'utf8')) !== cached.text) return true;
        }
        return files.size !== entries.size;
      } catch {
        // A path that cannot be read now: the next load reports it.
        return true;
      }
    },
  };
}

/** The parses a new read of the entry's file can reuse: its last read's, then the one's before. */
function knownParses(entry: FileEntry): Pick<ReadonlyMap<string, ParsedText>, 'get'> {
  const { parsed, earlier } = entry;
  return earlier ? { get: (text) => parsed.get(text) ?? earlier.get(text) } : parsed;
}

function sameStat(entry: FileEntry, st: Stats): boolean {
  return entry.mtimeMs === st.mtimeMs && entry.ctimeMs === st.ctimeMs && entry.size === st.size && entry.ino === st.ino;
}

/** The per-file results in input order, `seq` counted across them as one load would. */
function concat(parts: readonly LoadResult[]): LoadResult {
  const objects: LoadedObject[] = [];
  const diagnostics = parts.flatMap((p) => p.diagnostics);
  let seq = 0;
  for (const part of parts) for (const o of part.objects) objects.push(o.seq === seq ? (seq++, o) : { ...o, seq: seq++ });
  return { objects, diagnostics };
}
