// Test entry for the regex engine alone (built to build/regex.wasm by
// `npm run build:wasm:regex`). The host writes a program and an input into
// the fixed buffers below and calls regexMatch (DFA with Pike VM fallback, as
// the core does) or regexMatchPike with their addresses. dfaReset clears the
// DFA's caches and can shrink its state arena; dfaStat reads its counters.
import { MAX_INSTRUCTIONS } from './regex';

export { dfaReset, dfaStat, regexMatch, regexMatchPike } from './regex';

const PROGRAM_CAPACITY: i32 = 65536;
const INPUT_CAPACITY: i32 = 262144;
const PROGRAM_BUFFER: usize = memory.data(PROGRAM_CAPACITY, 16);
const INPUT_BUFFER: usize = memory.data(INPUT_CAPACITY, 16);

export function scratchProgram(): usize {
  return PROGRAM_BUFFER;
}

export function scratchInput(): usize {
  return INPUT_BUFFER;
}

export function programCapacity(): i32 {
  return PROGRAM_CAPACITY;
}

export function inputCapacity(): i32 {
  return INPUT_CAPACITY;
}

export function maxInstructions(): i32 {
  return MAX_INSTRUCTIONS;
}
