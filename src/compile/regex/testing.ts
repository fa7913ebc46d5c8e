/**
 * Test support for the regex VM: builds build/regex.wasm from
 * assembly/regex-entry.ts when it is missing or older than its sources
 * (using the `build:wasm:regex` command line from package.json, so the flags
 * live in one place), loads it with plain WebAssembly.instantiate and runs
 * compiled programs against inputs through the entry's fixed buffers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const REGEX_WASM = join(ROOT, 'build/regex.wasm');
/** assembly/regex.ts, assembly/regex-entry.ts and the assembly/regex-*.ts modules they use. */
const SOURCES = readdirSync(join(ROOT, 'assembly'))
  .filter((f) => /^regex(-[a-z]+)?\.ts$/.test(f))
  .map((f) => join(ROOT, 'assembly', f));

interface RegexEntryExports {
  readonly memory: WebAssembly.Memory;
  regexMatch(program: number, programLen: number, input: number, inputLen: number): number;
  regexMatchPike(program: number, programLen: number, input: number, inputLen: number): number;
  /** Clears the DFA's caches and counters; `stateBytes` > 0 limits the space for its states (0: all it reserves). */
  dfaReset(stateBytes: number): void;
  dfaStat(stat: number): number;
  scratchProgram(): number;
  scratchInput(): number;
  programCapacity(): number;
  inputCapacity(): number;
  maxInstructions(): number;
}

/** Rebuilds build/regex.wasm if it is missing or stale. Safe to call from parallel test files. */
export function ensureRegexWasm(): void {
  const built = existsSync(REGEX_WASM) ? statSync(REGEX_WASM).mtimeMs : -1;
  if (SOURCES.every((s) => statSync(s).mtimeMs <= built)) return;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.['build:wasm:regex'];
  const args = script?.trim().split(/\s+/) ?? [];
  const out = args.indexOf('--outFile');
  if (args[0] !== 'asc' || out < 0) {
    throw new Error('package.json script build:wasm:regex must be an `asc ... --outFile <file>` command line');
  }
  // Build to a private file, then rename: readers never see a partial module.
  const tmp = `${REGEX_WASM}.${process.pid}.tmp`;
  args[out + 1] = tmp;
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  execFileSync(process.execPath, [asc, ...args.slice(1)], { cwd: ROOT, stdio: 'pipe' });
  renameSync(tmp, REGEX_WASM);
}

/** Counters of the DFA since the last dfaReset, in the order of STAT_* in assembly/regex-dfa.ts (indexes of dfaStat). */
export const DFA_STATS = ['states', 'arenaResets', 'programResets', 'pikeFallbacks', 'pikeRuns', 'dfaRuns'] as const;
export type DfaStats = Record<(typeof DFA_STATS)[number], number>;

export interface RegexVm {
  readonly exports: RegexEntryExports;
  /** Copies `program` and `input` into the entry's buffers and runs regexMatch (the DFA, as the core does). */
  match(program: Uint8Array, input: Uint8Array | string): boolean;
  /** The same on the Pike VM alone. */
  matchPike(program: Uint8Array, input: Uint8Array | string): boolean;
  /**
   * Copies `program` and `input` once and returns a function that only calls
   * regexMatch (or regexMatchPike) (for timing without the copies).
   */
  prepare(program: Uint8Array, input: Uint8Array | string, engine?: 'dfa' | 'pike'): () => boolean;
  /** The DFA's counters. */
  stats(): DfaStats;
}

const encoder = new TextEncoder();

export async function loadRegexVm(): Promise<RegexVm> {
  ensureRegexWasm();
  const { instance } = await WebAssembly.instantiate(await readFile(REGEX_WASM), {});
  const exports = instance.exports as unknown as RegexEntryExports;
  const programAt = exports.scratchProgram();
  const inputAt = exports.scratchInput();
  const prepare = (program: Uint8Array, input: Uint8Array | string, engine: 'dfa' | 'pike' = 'dfa'): (() => boolean) => {
    const bytes = typeof input === 'string' ? encoder.encode(input) : input;
    if (program.length > exports.programCapacity()) throw new RangeError('program larger than the test buffer');
    if (bytes.length > exports.inputCapacity()) throw new RangeError('input larger than the test buffer');
    const memory = new Uint8Array(exports.memory.buffer);
    memory.set(program, programAt);
    memory.set(bytes, inputAt);
    const programLen = program.length;
    const inputLen = bytes.length;
    const run = engine === 'dfa' ? exports.regexMatch : exports.regexMatchPike;
    return () => run(programAt, programLen, inputAt, inputLen) !== 0;
  };
  return {
    exports,
    prepare,
    match: (program, input) => prepare(program, input)(),
    matchPike: (program, input) => prepare(program, input, 'pike')(),
    stats: () => Object.fromEntries(DFA_STATS.map((name, i) => [name, exports.dfaStat(i)])) as DfaStats,
  };
}
