// Switchyard regular expressions in the core. Programs are produced by
// src/compile/regex/program.ts; the bytecode format is documented there.
//
// regexMatch answers FULL MATCH only: the whole input must match (Gateway API
// regex matches follow RE2 FullMatch, as Envoy does). It runs the lazy DFA
// (regex-dfa.ts), which hands what it cannot cache well to the Pike VM
// (regex-pike.ts): time is linear in the input, nothing backtracks, and
// nothing is allocated: all working memory is reserved at build time and
// reused by every call. Calls are therefore not reentrant (Wasm is
// single-threaded; nothing in here calls out).
//
// Input is UTF-8. Code points are decoded as they are consumed; an invalid
// byte decodes to U+FFFD and consumes one byte. Programs are validated as
// they run: a malformed program never reads outside [program, program+len)
// or writes outside the regex module's own memory; it just fails to match
// (or matches as the Pike VM says it does).
import { dfaMatch } from './regex-dfa';
import { programInstructions } from './regex-nfa';
import { PIKE_START, pikeRun } from './regex-pike';

export { MAX_INSTRUCTIONS } from './regex-nfa';
export { dfaReset, dfaStat } from './regex-dfa';

/**
 * True if the whole UTF-8 `input` matches the compiled `program`.
 * Both regions belong to the caller and are only read. Returns false for a
 * program that is not a valid Switchyard regex program.
 */
export function regexMatch(program: usize, programLen: i32, input: usize, inputLen: i32): bool {
  const n = programInstructions(program, programLen);
  if (n == 0 || inputLen < 0) return false;
  return dfaMatch(program, programLen, n, input, inputLen);
}

/** regexMatch on the Pike VM alone (the DFA's reference in tests and benchmarks). */
export function regexMatchPike(program: usize, programLen: i32, input: usize, inputLen: i32): bool {
  const n = programInstructions(program, programLen);
  if (n == 0 || inputLen < 0) return false;
  return pikeRun(program, programLen, n, input, inputLen, 0, PIKE_START, 1);
}
