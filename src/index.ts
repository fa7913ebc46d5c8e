/**
 * Switchyard as a library: each pipeline stage, and the front half as one call.
 */
export { formatDiagnostic, formatFieldPath, type Diagnostic, type FieldPath, type Position, type Severity } from './diagnostics.js';
export { loadPaths, loadTexts, readInputs, type KubeObject, type LoadedObject, type LoadResult, type TextInput } from './load/load.js';
export { KINDS, lookupKind, type KindInfo, type KindName } from './load/kinds.js';
export { objectKey, type ValidObject } from './model/objects.js';
export type * from './model/gateway-api.js';
export type * from './model/core.js';
export { validate } from './validate/index.js';
export { resolve } from './resolve/index.js';
export * from './resolve/types.js';
export { hasErrors, resolveLoaded, resolvePaths, resolveTexts, type PipelineResult } from './pipeline.js';
export { compile, type CompileResult } from './pipeline.js';
export { compileTable, type CompiledTable, type BackendInfo, type ListenerInfo, type MatchInfo, type RuleInfo, type TableManifest } from './compile/index.js';
export { createRouter, loadCoreModule, readManifest, readTableHeader, TableFormatError, type Router, type RouterOptions } from './runtime/index.js';
export type { Decision, HeaderSource, Matcher, MatchRequest, NoRoute, Outcome } from './runtime/types.js';
export { ReferenceMatcher } from './reference/matcher.js';
export { explainRequest, type Explanation, type Miss } from './reference/explain.js';
