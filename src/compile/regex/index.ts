export { compileRegex, disassembleRegex, MAX_INSTRUCTIONS, MAX_PROGRAM_BYTES, type CompileRegexResult } from './program.js';
export { parseRegex, RegexSyntaxError, MAX_REPEAT, type RegexNode, type AssertKind } from './parse.js';
