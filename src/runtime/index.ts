export { createRouter, loadCoreModule, type Router, type RouterOptions } from './router.js';
export { readManifest, readTableHeader, TableFormatError } from './table.js';
export { ResolutionBuilder } from './resolution-builder.js';
export type { Decision, HeaderSource, Matcher, MatchRequest, NoRoute, Outcome } from './types.js';
export { ReferenceMatcher } from '../reference/matcher.js';
